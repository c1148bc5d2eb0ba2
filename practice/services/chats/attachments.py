"""Files sent with a message, both ways, through the documents' checked upload: the bytes are taken and checked
when the person chooses them (`receive`, no database lock held), and become the account's documents when the
message is sent (`attach`): shared with the client for a message to the client, internal for a staff-only note.
A thread lists each file as a link to `/files/<id>`, whose own check decides who may open it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session, select

from practice import routes
from practice.db import read_session
from practice.i18n import _
from practice.models import ChatAttachment, ChatMessage, ChatThread, Document, DocumentStatus
from practice.services.actor import ContactActor
from practice.services.chats.scope import thread_for
from practice.services.documents import files as document_files
from practice.services.documents.files import Received
from practice.services.documents.sharing import shown_to_client
from practice.services.errors import InvalidInput

MAX_FILES = 10


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
    return document_files.receive_file(filename, source)


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
    ids = []
    for n, file in enumerate(received):
        if file.refusal or not file.key:
            continue
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

