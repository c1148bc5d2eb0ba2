"""Shared with the client or internal: what an account's contacts see of its folders and documents, and
staff sharing a document or folder or making it internal.

A folder is shown to the client when it and every folder above it are shared; a document when it is shared
and its folder (if any) is shown. A document the client is asked to approve opens for them through the
approval even while it is internal (it is not listed with the shared documents until staff share it).
"""
from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from practice.models import ApprovalRequest, Document, Folder
from practice.services import audit
from practice.services.actor import Actor, ContactActor, require_staff
from practice.services.documents.permissions import Uploader, check_account
from practice.services.errors import NotFound, PermissionDenied
from practice.i18n import N_, _

NOT_SHARED = N_("The firm has not shared that document with you.")
# Deeper than any folder may be nested: a walk up the tree stops there even on a damaged loop.
_MAX_WALK = 20


def hidden_folder_ids(session: Session, account_id: int) -> set[int]:
    """The account's folders the client does not see: internal ones and everything inside them."""
    return hidden_among(session.exec(select(Folder.id, Folder.parent_id, Folder.shared)
                                     .where(Folder.account_id == account_id)).all())


def hidden_among(rows) -> set[int]:
    """Of an account's folders as (id, parent id, shared) rows, those the client does not see."""
    rows = list(rows)
    parent = {fid: pid for fid, pid, _ in rows}
    shared = {fid: bool(s) for fid, _, s in rows}
    hidden = set()
    for fid in parent:
        walk, steps = fid, 0
        while walk is not None and steps < _MAX_WALK:
            if not shared.get(walk, False):
                hidden.add(fid)
                break
            walk, steps = parent.get(walk), steps + 1
    return hidden


def shown_condition(session: Session, account_id: int):
    """A SQL condition on `Document`: the documents of this account a client sees."""
    hidden = hidden_folder_ids(session, account_id)
    if not hidden:
        return Document.shared == True  # noqa: E712
    return and_(Document.shared == True, or_(Document.folder_id.is_(None), Document.folder_id.not_in(hidden)))  # noqa: E712


def shown_condition_sql(account_id: int):
    """`shown_condition` as one SQL condition: the hidden folders (internal ones and everything inside them) found
    by a recursive query within the statement, where `shown_condition` reads them first."""
    hidden = select(Folder.id).where(Folder.account_id == account_id, Folder.shared == False)  # noqa: E712
    hidden = hidden.cte("hidden_folder", recursive=True)
    # UNION (not UNION ALL) stops at folders already found, so a damaged loop of folders ends too.
    hidden = hidden.union(select(Folder.id).join(hidden, Folder.parent_id == hidden.c.id))
    return and_(Document.shared == True,  # noqa: E712
                or_(Document.folder_id.is_(None), Document.folder_id.not_in(select(hidden.c.id))))


def shown_to_client(session: Session, doc: Document) -> bool:
    """Whether the account's contacts see this document in their portal and drive."""
    return bool(doc.shared) and (doc.folder_id is None or doc.folder_id not in hidden_folder_ids(session, doc.account_id))


def folder_shown(session: Session, folder: Folder | None) -> bool:
    """Whether the account's contacts see this folder (None, the top level, always)."""
    return folder is None or folder.id not in hidden_folder_ids(session, folder.account_id)


def _asked_to_approve(session: Session, doc: Document) -> bool:
    return session.exec(select(ApprovalRequest.id).where(ApprovalRequest.document_id == doc.id,
                                                         ApprovalRequest.account_id == doc.account_id)).first() is not None


def check_document(session: Session, who: Uploader, doc: Document | None, *, approvals_too: bool = False) -> Document:
    """The document, if `who` may see it: staff who see its account; a contact of the account when the firm
    shared it (or, with `approvals_too`, asked them to approve it). NotFound / PermissionDenied otherwise."""
    if doc is None or doc.deleted_at is not None:
        raise NotFound(_("That document does not exist (it may have been deleted)."))
    check_account(session, who, doc.account_id)
    if isinstance(who, ContactActor) and not shown_to_client(session, doc):
        if not (approvals_too and _asked_to_approve(session, doc)):
            raise PermissionDenied(_(NOT_SHARED))
    return doc


def check_folder_for(session: Session, who: Uploader, account_id: int, folder: Folder | None) -> None:
    """A contact may use only the folders shown to them (an internal one looks like a missing one)."""
    if isinstance(who, ContactActor) and not folder_shown(session, folder):
        raise NotFound(_("That folder does not exist (it may have been deleted)."))


def _word(shared: bool) -> str:
    return "Shared" if shared else "Made internal"


def set_document_shared(session: Session, actor: Actor, document_id: int, shared: bool) -> Document:
    """Share a document with the account's contacts, or make it internal (staff who see the account)."""
    require_staff(actor)
    doc = check_document(session, actor, session.get(Document, document_id))
    shared = bool(shared)
    if doc.shared != shared:
        doc.shared = shared
        folder = session.get(Folder, doc.folder_id) if doc.folder_id else None
        note = ""
        if shared and not folder_shown(session, folder):
            note = f' (its folder "{folder.name}" is internal, so the client sees it once the folder is shared)'
        audit.record(session, actor, "share" if shared else "unshare", "document", doc.id,
                     f'{_word(shared)} document "{doc.name}"' + (" with the client" if shared else "") + note,
                     account_id=doc.account_id)
    return doc


def set_folder_shared(session: Session, actor: Actor, folder_id: int, shared: bool) -> Folder:
    """Share a folder with the account's contacts, or make it internal: an internal folder hides everything
    inside it from the portal and the drive (staff who see the account)."""
    require_staff(actor)
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise NotFound(_("That folder does not exist (it may have been deleted)."))
    check_account(session, actor, folder.account_id)
    shared = bool(shared)
    if folder.shared != shared:
        folder.shared = shared
        audit.record(session, actor, "share" if shared else "unshare", "folder", folder.id,
                     f'{_word(shared)} folder "{folder.name}"' + (" with the client" if shared else
                                                                 " (the client no longer sees what it holds)"),
                     account_id=folder.account_id)
    return folder


def keep_internal(session: Session, actor: Actor, doc: Document, why: str) -> None:
    """Make a document internal because of what it is (a signing original); audited with the reason."""
    if doc.shared:
        doc.shared = False
        audit.record(session, actor, "unshare", "document", doc.id, f'Made document "{doc.name}" internal: {why}',
                     account_id=doc.account_id)
