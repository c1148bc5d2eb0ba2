"""Files sent with a message, both ways, through the documents' checked upload: the bytes are taken and checked
when the person chooses them (`receive`, no database lock held), and become the account's documents when the
message is sent (`attach`): shared with the client for a message to the client, internal for a staff-only note.
A thread lists each file as a link to `/files/<id>`, whose own check decides who may open it.

Between the two, a chosen file is staged (`ChatStagedFile`): its bytes are on disk and no document holds them yet.
Sending the message or taking the file off it (`discard`, which deletes the bytes at once) ends that; a file
chosen and never sent (the page closed) is deleted by the worker's minute sweep once a day old (`sweep_unsent`).
Bytes are stored by their content, so they are deleted only when no document and no other staged file holds them
and no upload wrote them again meanwhile."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session, select

from practice import routes
from practice.db import read_session, write_session
from practice.i18n import _
from practice.models import ChatAttachment, ChatMessage, ChatStagedFile, ChatThread, Document, DocumentStatus, utcnow
from practice.services.actor import ContactActor
from practice.services.chats.scope import thread_for
from practice.services.documents import files as document_files
from practice.services.documents import storage
from practice.services.documents.files import Received
from practice.services.documents.sharing import shown_to_client
from practice.services.errors import InvalidInput

MAX_FILES = 10
UNSENT_KEPT = dt.timedelta(hours=24)  # how long a chosen file waits for its message before the sweep deletes it
SWEEP_BATCH = 500


@dataclass(frozen=True)
class AttachmentView:
    document_id: int
    name: str
    size: int
    href: str


def check_can_attach(session: Session, actor, thread_id: int) -> ChatThread:
    """The thread, if the person may write in it and put files in its account's documents."""
    thread = thread_for(session, actor, thread_id)
    document_files.check_can_upload(session, actor, thread.account_id, None)
    return thread


def receive(actor, thread_id: int, filename: str, source: bytes | BinaryIO, *, already: int = 0) -> Received:
    """Take one chosen file's bytes (size- and type-checked like any document; a PDF read in a limited process).
    InvalidInput for a wrong type or size or one file too many; a PDF that cannot be read safely comes back with
    `refusal` set."""
    if already >= MAX_FILES:
        raise InvalidInput(_("Send at most {n} files with one message.").format(n=MAX_FILES), field="files")
    with read_session() as session:
        check_can_attach(session, actor, thread_id)
    received = document_files.receive_file(filename, source)
    if received.key and not received.refusal:
        with write_session() as session:
            session.add(ChatStagedFile(stored_key=received.key, thread_id=thread_id, **_chooser(actor)))
    return received


def _chooser(actor) -> dict:
    return {"contact_id": actor.contact_id} if isinstance(actor, ContactActor) else {"member_id": actor.member_id}


def _staged(session: Session, actor, thread_id: int, key: str) -> ChatStagedFile | None:
    """This person's staged file with these bytes in this thread (the oldest, when chosen twice)."""
    who = _chooser(actor)
    column = ChatStagedFile.contact_id if "contact_id" in who else ChatStagedFile.member_id
    return session.exec(select(ChatStagedFile).where(ChatStagedFile.thread_id == thread_id,
                                                     ChatStagedFile.stored_key == key,
                                                     column == next(iter(who.values())))
                        .order_by(ChatStagedFile.id)).first()


def _held(session: Session, key: str) -> bool:
    """Whether a document (even one in the trash) or a staged file still holds these bytes."""
    return (session.exec(select(Document.id).where(Document.stored_key == key).limit(1)).first() is not None
            or session.exec(select(ChatStagedFile.id).where(ChatStagedFile.stored_key == key).limit(1)).first()
            is not None)


def _remove_if_free(session: Session, key: str, written_before: dt.datetime) -> bool:
    """Delete the bytes when nothing holds them and no upload wrote them again after `written_before`."""
    written = storage.stored_at(key)
    if written is None or written > written_before.timestamp() or _held(session, key):
        return False
    storage.remove(key)
    return True


def discard(session: Session, actor, thread_id: int, received: Received) -> None:
    """A chosen file taken off the next message before it was sent: its bytes are deleted at once (unless a
    document or another unsent message holds the same ones). Only the person's own staged file is touched."""
    row = _staged(session, actor, thread_id, received.key) if received.key else None
    if row is None:
        return
    key, staged_at = row.stored_key, row.staged_at
    session.delete(row)
    session.flush()
    _remove_if_free(session, key, staged_at)


def sweep_unsent(session: Session, now: dt.datetime | None = None) -> int:
    """The worker's sweep: files chosen for a message more than a day ago and never sent (the page was closed) are
    deleted, rows and bytes; bytes a sent message's document holds are never touched. Returns how many rows went."""
    cutoff = (now or utcnow()) - UNSENT_KEPT
    rows = list(session.exec(select(ChatStagedFile).where(ChatStagedFile.staged_at < cutoff)
                             .order_by(ChatStagedFile.id).limit(SWEEP_BATCH)))
    for row in rows:
        session.delete(row)
    session.flush()
    for key in sorted({row.stored_key for row in rows}):
        _remove_if_free(session, key, cutoff)
    return len(rows)


def as_dict(received: Received) -> dict:
    """What a page keeps of a chosen file until the message is sent (in its server-side state)."""
    return dataclasses.asdict(received)


def from_dict(kept: dict) -> Received:
    names = {f.name for f in dataclasses.fields(Received)}
    return Received(**{k: v for k, v in (kept or {}).items() if k in names})


def attach(session: Session, actor, thread: ChatThread, message: ChatMessage, received: list[Received]) -> list[int]:
    """The chosen files as the account's documents (on the thread's job), linked to the message."""
    if len(received) > MAX_FILES:
        raise InvalidInput(_("Send at most {n} files with one message.").format(n=MAX_FILES), field="files")
    for file in received:
        if file.key and not file.refusal and storage.stored_at(file.key) is None:
            raise InvalidInput(_('"{name}" waited too long unsent and is no longer kept: remove it and attach it '
                                 'again.').format(name=file.filename), field="files")
    ids = []
    for n, file in enumerate(received):
        if file.refusal or not file.key:
            continue
        staged = _staged(session, actor, thread.id, file.key)
        if staged is not None:
            session.delete(staged)
        doc = document_files.record_upload(session, actor, thread.account_id, None, file, job_id=thread.job_id,
                                           shared=not message.internal)
        session.add(ChatAttachment(message_id=message.id, document_id=doc.id, position=n))
        ids.append(doc.id)
    session.flush()
    return ids


def attachments_by_message(session: Session, actor, message_ids: list[int]) -> dict[int, list[AttachmentView]]:
    """The files of these messages the person may open: staff, every one not deleted; a contact, those the firm
    still shares with the client (a file made internal or deleted later disappears from the thread too)."""
    rows = session.exec(select(ChatAttachment.message_id, Document).join(Document, Document.id == ChatAttachment.document_id)
                        .where(ChatAttachment.message_id.in_(message_ids or [-1]), Document.deleted_at.is_(None),
                               Document.status == DocumentStatus.ok)
                        .order_by(ChatAttachment.message_id, ChatAttachment.position)).all()
    out: dict[int, list[AttachmentView]] = {}
    for message_id, doc in rows:
        if isinstance(actor, ContactActor) and not shown_to_client(session, doc):
            continue
        out.setdefault(message_id, []).append(AttachmentView(doc.id, doc.name, doc.size, routes.file_url(doc.id)))
    return out

