"""The portal's "documents to look at": what the firm shared that this contact has not opened yet."""
import pytest

from practice.db import read_session, write_session
from practice.services.documents import files as document_files
from practice.services.actor import ContactActor
from practice.services.work import accounts
from practice.services.errors import PermissionDenied
from tests.factories import actor_of, make_account, make_member


def test_shared_documents_wait_until_the_contact_opens_them(fresh_db):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        a, b = make_account(s, owner, name="A"), make_account(s, owner, name="B")
        june = accounts.create_contact(s, owner, account_ids=[a.id], first_name="June", email="june@a.example")
        ben = accounts.create_contact(s, owner, account_ids=[b.id], first_name="Ben", email="ben@b.example")
    letter = document_files.upload(owner, a.id, None, "Engagement letter.txt", b"Please read")
    june_actor = ContactActor(contact_id=june.id, name="June", account_ids=frozenset({a.id}))
    document_files.upload(june_actor, a.id, None, "W-2.txt", b"wages")  # her own upload is not "to look at"
    with read_session() as s:
        assert [d.name for d in document_files.to_look_at(s, june_actor, a.id)] == ["Engagement letter.txt"]
        with pytest.raises(PermissionDenied):
            document_files.to_look_at(s, ContactActor(ben.id, "Ben", frozenset({a.id})), a.id)
    with write_session() as s:
        document_files.mark_viewed(s, june_actor, letter.id)
        document_files.mark_viewed(s, june_actor, letter.id)  # twice is fine
    with read_session() as s:
        assert document_files.to_look_at(s, june_actor, a.id) == []
