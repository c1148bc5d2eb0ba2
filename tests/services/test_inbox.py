import pytest

from practice import i18n
from practice.db import read_session, write_session
from practice.services import inbox
from practice.services.actor import contact_actor
from practice.services.documents import files as document_files
from practice.services.errors import PermissionDenied
from tests.factories import actor_of, make_firm, make_household, make_member
from tests.factories.hostile_pdfs import normal_pdf


def test_notifications_count_read_archive_and_preferences(fresh_db):
    with write_session() as s:
        ann = actor_of(make_member(s, role="admin"))
        bob = actor_of(make_member(s))
        first = inbox.notify(s, member_id=ann.member_id, text="Organizer sent to Hartley", key="n1")
        assert inbox.notify(s, member_id=ann.member_id, text="dup", key="n1").id == first.id
        inbox.notify(s, member_id=ann.member_id, text="Second")
        assert inbox.fingerprint(s, ann.member_id)[0] == 2
        inbox.mark_read(s, ann, first.id)
        assert inbox.fingerprint(s, ann.member_id)[0] == 1
        with pytest.raises(PermissionDenied):
            inbox.mark_read(s, bob, first.id)
        inbox.archive(s, ann, first.id)
        assert [n.text for n in inbox.list_notifications(s, ann)] == ["Second"]
        inbox.set_preference(s, ann, "notify", False)
        assert inbox.notify(s, member_id=ann.member_id, text="muted") is None
        assert inbox.preferences(s, ann)["notify"] is False


def test_a_client_is_named_once_when_the_account_bears_their_name():
    assert inbox.client_label("Dana Whitfield", "Dana Whitfield") == "Dana Whitfield"
    assert inbox.client_label("Dana Whitfield", " dana  whitfield ") == "Dana Whitfield"
    assert inbox.client_label("June Hartley", "Hartley Household") == "June Hartley (Hartley Household)"
    assert inbox.client_label("June Hartley", "") == "June Hartley"
    assert inbox.client_label("", "Hartley Household") == "Hartley Household"


def test_inbox_says_who_uploaded_without_repeating_the_name(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with write_session() as s:
        owner = make_firm(s)["owner"]
        dana_account, (dana,) = make_household(s, owner, "Dana Whitfield", "Whitfield", ("Dana",), invite=False)
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
    with read_session() as s:
        dana_actor, june_actor = contact_actor(s, dana.id), contact_actor(s, june.id)
    document_files.upload(dana_actor, dana_account.id, None, "w2.pdf", normal_pdf())
    document_files.upload(june_actor, hartley.id, None, "1099.pdf", normal_pdf())
    with read_session() as s:
        texts = [n.text for n in inbox.list_notifications(s, owner)]
    assert texts == ['June Hartley (Hartley Household) uploaded "1099.pdf"', 'Dana Whitfield uploaded "w2.pdf"']
    # Each member reads them in their own language, whenever they read them (issue 14): written once, in no one's.
    with read_session() as s, i18n.using_locale("fr"):
        french = [inbox.told(n) for n in inbox.list_notifications(s, owner)]
    assert french == ['June Hartley (Hartley Household) a déposé « 1099.pdf »', 'Dana Whitfield a déposé « w2.pdf »']
    with read_session() as s, i18n.using_locale("en"):
        assert [inbox.told(n) for n in inbox.list_notifications(s, owner)] == texts


def test_a_notice_from_a_person_or_a_rule_is_shown_as_written(fresh_db):
    """An automation's `notify "..."` text is the firm's own words: no reader's language changes it."""
    with write_session() as s:
        ann = actor_of(make_member(s, role="admin"))
        inbox.notify(s, member_id=ann.member_id, text="Le dossier est prêt")
    with read_session() as s, i18n.using_locale("en"):
        assert [inbox.told(n) for n in inbox.list_notifications(s, ann)] == ["Le dossier est prêt"]
