"""The catalogs' merge driver: two branches that translated different pages merge without a conflict."""
from practice.i18n_merge import main

HEADER = '''msgid ""
msgstr ""
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

'''


def entries(**pairs) -> str:
    return HEADER + "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in pairs.items())


def run(tmp_path, base: str, ours: str, theirs: str) -> str:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / f"{name}.po"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    assert main(paths) == 0
    return (tmp_path / "ours.po").read_text(encoding="utf-8")


def test_entries_added_on_both_sides_are_all_kept_in_order(tmp_path):
    merged = run(tmp_path, entries(Board="Tableau"), entries(Accounts="Dossiers", Board="Tableau"),
                 entries(Board="Tableau", Contacts="Contacts"))
    assert merged.index('"Accounts"') < merged.index('"Board"') < merged.index('"Contacts"')
    assert 'msgstr "Dossiers"' in merged and "<<<<" not in merged


def test_the_side_that_changed_a_translation_wins_and_removals_stay_removed(tmp_path):
    merged = run(tmp_path, entries(Board="Planche", Tasks="Taches", Old="Vieux"),
                 entries(Board="Planche", Tasks="Tâches"), entries(Board="Tableau", Tasks="Taches", Old="Vieux"))
    assert 'msgstr "Tableau"' in merged and 'msgstr "Tâches"' in merged
    assert '"Old"' not in merged  # ours removed it


def test_a_translation_beats_an_empty_entry(tmp_path):
    merged = run(tmp_path, entries(), entries(Inbox=""), entries(Inbox="Boîte de réception"))
    assert 'msgstr "Boîte de réception"' in merged
