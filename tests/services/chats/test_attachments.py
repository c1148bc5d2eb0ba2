"""Files sent with chat messages, both ways: checked like any upload when chosen, kept as the account's documents
when sent (shared with the client for a message, internal with a note), listed in the thread for who may open
them; a message may be files alone."""
import datetime as dt
import os

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ChatAttachment, ChatStagedFile, Document, Notification, utcnow
from practice.services.chats import attachments, messages, threads
from practice.services.documents import files as document_files
from practice.services.documents import sharing, storage
from practice.services.errors import InvalidInput, NotFound
from practice.worker import tasks as worker_tasks
from tests.factories import contact_actor
from tests.factories.hostile_pdfs import normal_pdf
from tests.services.chats.test_chats import jones_household, start

pytestmark = pytest.mark.firm(build=jones_household)


def chosen(actor, thread, name="W-2 2025.pdf", data=None):
    return attachments.receive(actor, thread, name, normal_pdf() if data is None else data)


def test_the_client_replies_with_a_pdf_which_lands_in_the_accounts_documents_and_staff_open_it(firm):
    thread = start(firm)
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    w2 = chosen(amy, thread)  # chosen in the page, outside any transaction
    with write_session() as s:
        message = messages.write_as_client(s, amy, thread, "Here is my W-2", files=[w2])
    with read_session() as s:
        (shown,) = messages.messages_of(s, firm["carla"], thread)
        (file,) = shown.attachments
        assert (file.name, file.href) == ("W-2 2025.pdf", f"/files/{file.document_id}")
        doc = s.get(Document, file.document_id)
        assert (doc.account_id, doc.job_id, doc.shared, doc.uploaded_by_contact_id) == (
            firm["jones"], firm["job"], True, firm["amy"])
        assert document_files.document_for_download(s, firm["carla"], doc.id).filename == "W-2 2025.pdf"
        assert [d.name for d in document_files.list_documents(s, amy, firm["jones"])] == ["W-2 2025.pdf"]
        # Carla is told who wrote and what came.
        told = s.exec(select(Notification.text).where(Notification.member_id == firm["carla"].member_id,
                                                      Notification.kind == "chat_message")).all()
        assert any("Here is my W-2" in text for text in told)
        assert messages.message_facts(s, message.id)["text"] == "Here is my W-2"


def test_a_message_may_be_files_alone_and_the_list_names_the_file(firm):
    thread = start(firm)
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    form = chosen(amy, thread, "1099-INT.pdf")
    with write_session() as s:
        messages.write_as_client(s, amy, thread, "  ", files=[form])
    with read_session() as s:
        (view,) = threads.list_threads(s, firm["carla"])
        assert view.last_text == "📎 1099-INT.pdf" and view.unread == 1
    with write_session() as s, pytest.raises(InvalidInput, match="Write a message first"):
        messages.write_as_client(s, amy, thread, "  ", files=[])


def test_staff_files_are_shared_with_a_message_and_internal_with_a_note(firm):
    thread = start(firm)
    carla = firm["carla"]
    draft, papers = chosen(carla, thread, "Draft 1040.pdf"), chosen(carla, thread, "Workpapers.pdf")
    with write_session() as s:
        messages.write_as_staff(s, carla, thread, "Your draft return", files=[draft])
        messages.write_as_staff(s, carla, thread, "Our working papers", internal=True, files=[papers])
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    with read_session() as s:
        staff_view = messages.messages_of(s, carla, thread)
        assert [[f.name for f in m.attachments] for m in staff_view] == [["Draft 1040.pdf"], ["Workpapers.pdf"]]
        by_name = {d.name: d for d in s.exec(select(Document)).all()}
        assert by_name["Draft 1040.pdf"].shared and not by_name["Workpapers.pdf"].shared
        (client_view,) = messages.messages_of(s, amy, thread)
        assert [f.name for f in client_view.attachments] == ["Draft 1040.pdf"]
        assert [d.name for d in document_files.list_documents(s, amy, firm["jones"])] == ["Draft 1040.pdf"]


def test_a_file_made_internal_or_deleted_later_leaves_the_clients_thread(firm):
    thread = start(firm)
    two = [chosen(firm["owner"], thread, "A.pdf"), chosen(firm["owner"], thread, "B.pdf")]
    with write_session() as s:
        messages.write_as_staff(s, firm["owner"], thread, "Two files", files=two)
    with read_session() as s:
        a, b = messages.messages_of(s, firm["owner"], thread)[0].attachments
    with write_session() as s:
        sharing.set_document_shared(s, firm["owner"], a.document_id, False)
        document_files.delete_document(s, firm["owner"], b.document_id)
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    with read_session() as s:
        assert messages.messages_of(s, amy, thread)[0].attachments == []
        assert [f.name for f in messages.messages_of(s, firm["owner"], thread)[0].attachments] == ["A.pdf"]


def test_wrong_types_too_many_files_and_refused_pdfs_are_told_and_never_sent(firm, monkeypatch):
    thread = start(firm)
    carla = firm["carla"]
    with pytest.raises(InvalidInput, match="exe"):
        chosen(carla, thread, "setup.exe", b"MZ\x90\x00")
    with pytest.raises(InvalidInput, match="at most 10 files"):
        attachments.receive(carla, thread, "eleventh.pdf", normal_pdf(), already=10)
    monkeypatch.setenv("PRACTICE_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(InvalidInput, match="big.pdf"):
        chosen(carla, thread, "big.pdf")
    monkeypatch.delenv("PRACTICE_MAX_UPLOAD_MB")
    broken = chosen(carla, thread, "broken.pdf", b"%PDF-1.7\nnot really a pdf")
    assert broken.refusal
    with write_session() as s:
        messages.write_as_staff(s, carla, thread, "With a broken file", files=[broken])
    with read_session() as s:
        assert s.exec(select(ChatAttachment)).all() == [] and s.exec(select(Document)).all() == []


def test_files_are_taken_only_for_a_thread_the_person_may_write_in(firm):
    thread = start(firm)
    with pytest.raises(Exception, match="do not have access"):
        chosen(firm["bob"], thread)
    with write_session() as s:
        other = threads.start_thread(s, firm["owner"], account_id=firm["jones"], subject="x").id
    sam_like = contact_actor(firm["amy"]).limited_to(-5)
    with pytest.raises(NotFound):
        chosen(sam_like, other)


def _age(received, hours: float) -> None:
    """Make a staged file look chosen `hours` ago: its row and its bytes on disk."""
    then = utcnow() - dt.timedelta(hours=hours)
    with write_session() as s:
        for row in s.exec(select(ChatStagedFile).where(ChatStagedFile.stored_key == received.key)):
            row.staged_at = then
    os.utime(storage.path_for(received.key), (then.timestamp(), then.timestamp()))


def _on_disk(received) -> bool:
    return storage.path_for(received.key).is_file()


def test_files_chosen_and_never_sent_are_deleted_by_the_sweep_after_a_day_and_sent_ones_never(firm):
    thread = start(firm)
    carla = firm["carla"]
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    forgotten = chosen(carla, thread, "Forgotten.txt", b"a draft nobody sent")  # the page was closed
    abandoned = chosen(amy, thread, "Abandoned.txt", b"the client's unsent file")
    recent = chosen(amy, thread, "Recent.txt", b"chosen an hour ago")
    sent = chosen(carla, thread, "Sent.txt", b"the file that went")
    with write_session() as s:
        messages.write_as_staff(s, carla, thread, "Here it is", files=[sent])
    for received, hours in ((forgotten, 25), (abandoned, 30), (recent, 1), (sent, 48)):
        _age(received, hours)
    with read_session() as s:
        assert len(s.exec(select(ChatStagedFile)).all()) == 3  # sending ended the sent file's staging
    assert worker_tasks.sweep_once()["unsent_chat_files"] == 2
    assert not _on_disk(forgotten) and not _on_disk(abandoned)
    assert _on_disk(recent) and _on_disk(sent)
    with read_session() as s:
        assert [r.stored_key for r in s.exec(select(ChatStagedFile))] == [recent.key]
        (message,) = messages.messages_of(s, amy, thread)
        (file,) = message.attachments
        assert document_files.document_for_download(s, amy, file.document_id).filename == "Sent.txt"
    # A page left open past the day cannot send what the sweep deleted: it is told, and nothing is recorded.
    with write_session() as s, pytest.raises(InvalidInput, match="Forgotten.txt.*attach it again"):
        messages.write_as_staff(s, carla, thread, "Late", files=[forgotten])
    with read_session() as s:
        assert len(s.exec(select(Document)).all()) == 1


def test_bytes_a_document_holds_are_kept_when_the_same_file_is_swept(firm):
    thread = start(firm)
    carla = firm["carla"]
    twice = chosen(carla, thread, "W-2.txt", b"same bytes")
    copy = chosen(carla, thread, "W-2 copy.txt", b"same bytes")
    with write_session() as s:
        messages.write_as_staff(s, carla, thread, "Sent once", files=[copy])
    _age(twice, 25)
    assert worker_tasks.sweep_once()["unsent_chat_files"] == 1
    assert _on_disk(twice)  # the sent message's document holds the same content


def test_a_file_removed_before_sending_is_deleted_at_once(firm):
    thread = start(firm)
    carla = firm["carla"]
    amy = contact_actor(firm["amy"]).limited_to(firm["jones"])
    removed = chosen(amy, thread, "Wrong one.txt", b"not what was asked")
    kept_by_other = chosen(carla, thread, "Shared.txt", b"chosen by both")
    also_amy = chosen(amy, thread, "Shared.txt", b"chosen by both")
    with write_session() as s:
        attachments.discard(s, carla, thread, removed)  # not Carla's: nothing happens
    assert _on_disk(removed)
    with write_session() as s:
        attachments.discard(s, amy, thread, removed)
        attachments.discard(s, amy, thread, also_amy)
    assert not _on_disk(removed)
    assert _on_disk(kept_by_other)  # Carla still means to send the same content
    with read_session() as s:
        assert [(r.stored_key, r.member_id) for r in s.exec(select(ChatStagedFile))] == [
            (kept_by_other.key, carla.member_id)]
