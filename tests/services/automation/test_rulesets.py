"""The rules editor's versions through the service: saving says whether anything new was saved, a version is shown
beside the one before it or the newest, restoring saves its text again, and only admins may look."""
import pytest

from practice.db import read_session, write_session
from practice.services.automation import rulesets
from practice.services.errors import NotFound, PermissionDenied
from tests.factories import make_firm, make_pipeline

FIRST = '''rule "Review"
when job enters stage "Review"
then
  notify "Olivia Park" "{{ job.name }} is ready for review"
end
'''
SECOND = FIRST.replace("is ready for review", "waits for review")


def firm_with_a_pipeline(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        make_pipeline(s, staff["owner"], name="1040 Return")
    return staff


pytestmark = pytest.mark.firm(build=firm_with_a_pipeline)


def save(actor, text):
    with write_session() as s:
        return rulesets.save_from_editor(s, actor, text, "a note")


def test_saving_the_same_text_again_saves_nothing_new_and_says_so(firm):
    first = save(firm["owner"], FIRST)
    again = save(firm["owner"], FIRST)
    assert not first.unchanged and again.unchanged and again.version.id == first.version.id
    assert save(firm["owner"], SECOND).version.id > first.version.id


def test_a_version_comes_with_the_one_before_it_or_nothing_when_it_is_the_first(firm):
    first, second = save(firm["owner"], FIRST).version.id, save(firm["owner"], SECOND).version.id
    with read_session() as s:
        chosen, before = rulesets.version_with_previous(s, firm["owner"], second)
        assert (chosen.id, before.id) == (second, first)
        chosen, before = rulesets.version_with_previous(s, firm["owner"], first)
        assert (chosen.id, before) == (first, None)


def test_restoring_shows_the_newest_first_then_saves_the_old_text_as_a_new_version(firm):
    first, second = save(firm["owner"], FIRST).version.id, save(firm["owner"], SECOND).version.id
    with read_session() as s:
        old, newest = rulesets.version_with_newest(s, firm["owner"], first)
        assert (old.text, newest.id) == (FIRST, second)
    with write_session() as s:
        restored = rulesets.restore_version(s, firm["owner"], first)
    assert restored.version.id > second and restored.version.text == FIRST and not restored.unchanged
    assert restored.version.note == f"restored version {first}"


def test_a_version_that_is_gone_says_so(firm):
    with read_session() as s:
        for look in (rulesets.version_with_previous, rulesets.version_with_newest):
            with pytest.raises(NotFound, match="That version does not exist any more."):
                look(s, firm["owner"], 999)


def test_employees_may_not_read_the_versions(firm):
    first = save(firm["owner"], FIRST).version.id
    with read_session() as s:
        for look in (rulesets.version_with_previous, rulesets.version_with_newest):
            with pytest.raises(PermissionDenied):
                look(s, firm["bob"], first)


# --- comparing versions side by side --------------------------------------------------------------------


def test_side_by_side_pairs_changed_lines_and_skips_long_unchanged_stretches():
    old = "\n".join(f"line {i}" for i in range(1, 21))
    new = old.replace("line 5", "line five").replace("line 15\n", "") + "\nline 21"
    rows = [(r.kind, r.old_no, r.old, r.new_no, r.new) for r in rulesets.side_by_side(old, new)]
    assert rows == [
        ("gap", None, "2 unchanged lines", None, ""),
        ("same", 3, "line 3", 3, "line 3"), ("same", 4, "line 4", 4, "line 4"),
        ("changed", 5, "line 5", 5, "line five"),
        ("same", 6, "line 6", 6, "line 6"), ("same", 7, "line 7", 7, "line 7"),
        ("gap", None, "5 unchanged lines", None, ""),
        ("same", 13, "line 13", 13, "line 13"), ("same", 14, "line 14", 14, "line 14"),
        ("removed", 15, "line 15", None, ""),
        ("same", 16, "line 16", 15, "line 16"), ("same", 17, "line 17", 16, "line 17"),
        ("same", 18, "line 18", 17, "line 18"),  # one line is shown, not summed up
        ("same", 19, "line 19", 18, "line 19"), ("same", 20, "line 20", 19, "line 20"),
        ("added", None, "", 20, "line 21")]


def test_side_by_side_of_a_first_version_identical_texts_and_a_huge_change():
    assert [(r.kind, r.new_no, r.new) for r in rulesets.side_by_side("", "a\nb")] == [("added", 1, "a"), ("added", 2, "b")]
    assert rulesets.side_by_side("same\ntext", "same\ntext") == []
    rows = rulesets.side_by_side("", "\n".join(str(i) for i in range(50)), max_rows=10)
    assert len(rows) == 11 and rows[-1].kind == "gap" and rows[-1].old == "… and 40 more rows, left out"
    # Two lines replaced by three: paired in order, the extra one added.
    assert [r.kind for r in rulesets.side_by_side("a\nb\nc", "a\nB\nC\nD")] == ["same", "changed", "changed", "added"]
