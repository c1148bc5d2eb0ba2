"""The translation catalogs are complete and up to date: CI fails when a new text is not in the committed template
(`make i18n-update` adds it) or when the French catalog has an untranslated or fuzzy entry (issue 14)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from practice import i18n

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = i18n.LOCALE_DIR / "messages.pot"
# The same options as the Makefile's I18N_EXTRACT.
EXTRACT = ["-F", "babel.cfg", "-k", "lazy", "--no-location", "--sort-output", "--no-wrap",
           "--project=practice", "--msgid-bugs-address= ", "--copyright-holder= "]
_DATED = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*$|^# Copyright \(C\) \d+.*$|^# FIRST AUTHOR .*$', re.M)
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def without_dates(text: str) -> str:
    """A template's entries, without its header (its dates change with the day it was made, and a merge of the
    catalogs may rewrite its blank fields' spacing): only the texts are compared."""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else text
    return _DATED.sub("", body)


def catalog_problems(po_path: Path) -> list[str]:
    """What keeps a language's catalog from being shipped: untranslated or fuzzy entries, and translations whose
    placeholders differ from the English (a "{date}" lost in translation would show raw on the page)."""
    with open(po_path, "rb") as po:
        catalog = read_po(po)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if set(_PLACEHOLDER.findall(text)) - wanted or (len(ids) == 1 and set(_PLACEHOLDER.findall(text)) != wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    return problems


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", *EXTRACT, "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    return out.read_text(encoding="utf-8")


def test_the_committed_template_holds_every_text_of_the_code(extracted):
    assert without_dates(extracted) == without_dates(TEMPLATE.read_text(encoding="utf-8")), (
        "the texts in the code differ from practice/locale/messages.pot: run `make i18n-update`, translate the new "
        "entries in practice/locale/fr/LC_MESSAGES/messages.po, and commit both")


@pytest.mark.parametrize("code", [code for code in i18n.LANGUAGES if code != i18n.SOURCE])
def test_every_language_translates_every_text(code):
    po = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    with open(TEMPLATE, "rb") as pot:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    with open(po, "rb") as handle:
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert template - translated == set(), f"{po} lacks entries of the template: run `make i18n-update`"
    assert catalog_problems(po) == []


def test_the_check_finds_untranslated_fuzzy_and_broken_entries(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Home"\nmsgstr "Accueil"\n\n'
                  'msgid "Board"\nmsgstr ""\n\n'
                  '#, fuzzy\nmsgid "Tasks"\nmsgstr "Tâches"\n\n'
                  'msgid "Due {date}"\nmsgstr "À faire pour le {jour}"\n', encoding="utf-8")
    assert catalog_problems(po) == ["untranslated: 'Board'", "fuzzy: 'Tasks'",
                                    "placeholders differ: 'Due {date}' -> 'À faire pour le {jour}'"]


def test_a_template_made_another_day_is_the_same_template():
    one = '"POT-Creation-Date: 2026-12-03 18:04+0000\\n"\nmsgid "Home"\nmsgstr ""\n'
    other = '"POT-Creation-Date: 2027-01-15 09:00+0000\\n"\nmsgid "Home"\nmsgstr ""\n'
    assert without_dates(one) == without_dates(other)
    assert without_dates(one) != without_dates(other.replace("Home", "Homepage"))
