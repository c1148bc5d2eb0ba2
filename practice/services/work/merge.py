"""Merging two duplicate accounts, or two duplicate contacts (what firms need after an import): everything
attached to the one removed moves to the one kept, the preview says what moves before anything does, and
one audit row records the merge. The owner and admins merge.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from practice.models import (touch, Account, AccountContact, AccountTag, AccountTeam, ApprovalRequest, AuditLog, ChatMessage,
                             ChatRead, ChatThread, ClientTask, Contact,
                             ContactTag, Document, DocumentView, Event, Folder, Job, Organizer, OutgoingMail, PortalLogin,
                             PortalSession, PortalStatus, PortalToken, Proposal, RuleRun, SignatureRequest, Signer,
                             SigningConsent, SigningEvent, Task)
from practice.i18n import _, ngettext
from practice.services import audit
from practice.services.actor import Actor, contact_name, require_admin
from practice.services.errors import InvalidInput
from practice.services.work.accounts import contact_visible, get_account
from practice.services.work.custom_fields import merge_values
from practice.services.work.removal import counted, in_english, joined

# Rows that belong to an account and simply follow it to the kept one.
ACCOUNT_ROWS = (Job, Task, ClientTask, ChatThread, ChatMessage, Document, ApprovalRequest, SignatureRequest, Proposal, Organizer, Event, OutgoingMail,
                RuleRun)
# (table, column) naming a contact as the one who signed, approved, uploaded or ticked something off.
CONTACT_REFERENCES = ((Signer, "contact_id"), (SigningConsent, "contact_id"), (SigningEvent, "contact_id"),
                      (Proposal, "signed_by_contact_id"), (ApprovalRequest, "decided_by_contact_id"),
                      (Document, "uploaded_by_contact_id"), (ClientTask, "done_by_contact_id"),
                      (ChatMessage, "author_contact_id"), (Organizer, "submitted_by_contact_id"))


@dataclass
class MergePreview:
    """What a merge would do, in words, before it does it."""

    keep: str
    drop: str
    moves: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        moved = (_("Moving to \u201c{keep}\u201d: {things}.").format(keep=self.keep, things=joined(self.moves))
                 if self.moves else _("Nothing else moves."))
        merged = _("\u201c{drop}\u201d is merged into \u201c{keep}\u201d and then removed.").format(drop=self.drop,
                                                                                                     keep=self.keep)
        return " ".join([merged, moved, *self.notes, _("This cannot be undone.")])


def _account_things(model, n: int) -> str:
    """"{n} job" / "{n} jobs" for the rows of an account a merge moves."""
    if model is AccountContact:
        return ngettext("{n} contact", "{n} contacts", n)
    if model is Job:
        return ngettext("{n} job", "{n} jobs", n)
    if model is Task:
        return ngettext("{n} task", "{n} tasks", n)
    if model is Document:
        return ngettext("{n} document", "{n} documents", n)
    if model is SignatureRequest:
        return ngettext("{n} signature request", "{n} signature requests", n)
    return ngettext("{n} proposal", "{n} proposals", n)


def _count(session: Session, model, *cond) -> int:
    return session.exec(select(func.count()).select_from(model).where(*cond)).one()


def _pair(keep_id: int, drop_id: int, sentence: str) -> None:
    if keep_id == drop_id:
        raise InvalidInput(sentence, field="other")


def _move_links(session: Session, model, owner: str, other: str, keep_id: int, drop_id: int) -> None:
    """Give the kept thing every link (contact, tag, team member…) of the removed one it does not have yet."""
    owner_col, other_col = getattr(model, owner), getattr(model, other)
    have = select(other_col).where(owner_col == keep_id).scalar_subquery()
    if model is AccountContact:  # the contacts whose accounts change (as the REST API shows them) changed
        touch(session, Contact, [keep_id] if owner == "contact_id" else session.exec(
            select(AccountContact.contact_id).where(AccountContact.account_id == drop_id)).all())
    session.execute(update(model).where(owner_col == drop_id, other_col.not_in(have)).values({owner: keep_id}))
    session.execute(delete(model).where(owner_col == drop_id))


# --- accounts -------------------------------------------------------------------------------------


def _portal_contacts(session: Session, account_id: int) -> int:
    return _count(session, AccountContact, AccountContact.account_id == account_id,
                  AccountContact.contact_id.in_(select(PortalLogin.contact_id)
                                                .where(PortalLogin.status != PortalStatus.revoked)))


def account_merge_preview(session: Session, actor: Actor, keep_id: int, drop_id: int) -> MergePreview:
    """What merging `drop_id` into `keep_id` would move (owner and admins)."""
    require_admin(actor)
    _pair(keep_id, drop_id, _("Choose two different accounts to merge."))
    keep, drop = get_account(session, actor, keep_id), get_account(session, actor, drop_id)
    preview = MergePreview(keep.name, drop.name)
    counts = [(model, _count(session, model, model.account_id == drop.id))
              for model in (AccountContact, Job, Task, Document, SignatureRequest, Proposal)]
    preview.moves = [counted(_account_things(model, n), n) for model, n in counts if n]
    if _portal_contacts(session, keep.id) or _portal_contacts(session, drop.id):
        preview.notes.append(_("Contacts of either account with portal access will see the shared documents "
                               "of both."))
    return preview


def _merge_folders(session: Session, keep_id: int, drop_id: int, keep_parent: int | None,
                   drop_parent: int | None) -> None:
    """Move the removed account's folders under the kept one's; two folders of one name become one."""
    mine = {f.name.lower(): f for f in session.exec(select(Folder).where(Folder.account_id == keep_id,
                                                                         Folder.parent_id == keep_parent))}
    for folder in list(session.exec(select(Folder).where(Folder.account_id == drop_id,
                                                         Folder.parent_id == drop_parent))):
        same = mine.get(folder.name.lower())
        if same is None:
            folder.parent_id = keep_parent
            _reassign_tree(session, folder, keep_id)
            continue
        session.execute(update(Document).where(Document.folder_id == folder.id).values(folder_id=same.id))
        _merge_folders(session, keep_id, drop_id, same.id, folder.id)
        session.delete(folder)
        session.flush()


def _reassign_tree(session: Session, folder: Folder, account_id: int) -> None:
    folder.account_id = account_id
    for child in session.exec(select(Folder).where(Folder.parent_id == folder.id)).all():
        _reassign_tree(session, child, account_id)


def merge_accounts(session: Session, actor: Actor, keep_id: int, drop_id: int) -> Account:
    """Move everything of account `drop_id` to `keep_id` and remove it (owner and admins)."""
    account_merge_preview(session, actor, keep_id, drop_id)
    preview = in_english(account_merge_preview, session, actor, keep_id, drop_id)  # what the audit row records
    keep, drop = session.get(Account, keep_id), session.get(Account, drop_id)
    _move_links(session, AccountContact, "account_id", "contact_id", keep_id, drop_id)
    _move_links(session, AccountTag, "account_id", "tag_id", keep_id, drop_id)
    _move_links(session, AccountTeam, "account_id", "member_id", keep_id, drop_id)
    _merge_folders(session, keep_id, drop_id, None, None)
    for model in ACCOUNT_ROWS:
        session.execute(update(model).where(model.account_id == drop_id).values(account_id=keep_id))
    session.execute(update(PortalSession).where(PortalSession.current_account_id == drop_id)
                    .values(current_account_id=keep_id))
    # The duplicate's history is now the kept account's (the rows themselves stay as written).
    session.execute(update(AuditLog).where(AuditLog.account_id == drop_id).values(account_id=keep_id))
    if drop.notes.strip():
        keep.notes = "\n\n".join(p for p in (keep.notes.strip(), f"From {drop.name}:\n{drop.notes.strip()}") if p)
    merge_values(session, "account", keep_id, drop_id)
    session.flush()
    session.execute(delete(Account).where(Account.id == drop_id))
    audit.record(session, actor, "merge", "account", keep_id,
                 f'Merged account "{preview.drop}" into "{preview.keep}"', moved=preview.moves, removed_id=drop_id)
    session.expire_all()
    return session.get(Account, keep_id)


# --- contacts -------------------------------------------------------------------------------------

_LOGIN_RANK = {PortalStatus.active: 0, PortalStatus.invited: 1, PortalStatus.revoked: 2}
# Fields a kept contact takes from the removed one when its own are empty.
FILLED_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "region", "postal_code", "country")


def _login(session: Session, contact_id: int) -> PortalLogin | None:
    return session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact_id)).first()


def _kept_login(keep: PortalLogin | None, drop: PortalLogin | None) -> PortalLogin | None:
    """The portal login the merged contact keeps: an active one over an invitation over a withdrawn one;
    on a tie, the kept contact's."""
    if keep is None or drop is None:
        return keep or drop
    return drop if _LOGIN_RANK[PortalStatus(drop.status)] < _LOGIN_RANK[PortalStatus(keep.status)] else keep


def contact_merge_preview(session: Session, actor: Actor, keep_id: int, drop_id: int) -> MergePreview:
    """What merging contact `drop_id` into `keep_id` would move (owner and admins)."""
    require_admin(actor)
    _pair(keep_id, drop_id, _("Choose two different contacts to merge."))
    keep, drop = contact_visible(session, actor, keep_id), contact_visible(session, actor, drop_id)
    preview = MergePreview(contact_name(keep), contact_name(drop))
    keep_accounts = set(session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == keep.id)))
    new_accounts = [a for a in session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == drop.id))
                    if a not in keep_accounts]
    signed = _count(session, Signer, Signer.contact_id == drop.id)
    uploads = _count(session, Document, Document.uploaded_by_contact_id == drop.id)
    preview.moves = [counted(text, n) for text, n in (
        (ngettext("{n} account link", "{n} account links", len(new_accounts)), len(new_accounts)),
        (ngettext("{n} signature request", "{n} signature requests", signed), signed),
        (ngettext("{n} uploaded document", "{n} uploaded documents", uploads), uploads)) if n]
    logins = _login(session, keep.id), _login(session, drop.id)
    kept = _kept_login(*logins)
    if kept is not None:
        if kept is logins[1]:
            preview.moves.append(_("the portal login {email}").format(email=kept.email))
        gone = logins[1] if kept is logins[0] else logins[0]
        preview.notes.append(
            _("{name} logs in to the portal as {email}; the login {removed} is removed.").format(
                name=preview.keep, email=kept.email, removed=gone.email) if gone is not None else
            _("{name} logs in to the portal as {email}.").format(name=preview.keep, email=kept.email))
        if new_accounts:
            n = len(new_accounts)
            preview.notes.append(counted(ngettext("They will see the shared documents of {n} more account.",
                                                  "They will see the shared documents of {n} more accounts.", n), n))
    if drop.email and drop.email.lower() != (keep.email or "").lower() and keep.email:
        preview.notes.append(_("{email} is kept among {name}'s other emails.").format(email=drop.email,
                                                                                     name=preview.keep))
    return preview


def _merge_fields(keep: Contact, drop: Contact) -> None:
    """The kept contact keeps its own values, takes the removed one's where it has none, and lists the removed
    one's other address and number among its others."""
    for name in FILLED_FIELDS:
        if not (getattr(keep, name) or "").strip() and (getattr(drop, name) or "").strip():
            setattr(keep, name, getattr(drop, name))
    for own, others in (("email", "other_emails"), ("phone", "other_phones")):
        lines = [x for x in (getattr(keep, others) or "").splitlines() if x.strip()]
        extra = [getattr(drop, own)] + (getattr(drop, others) or "").splitlines()
        seen = {x.strip().lower() for x in lines + [getattr(keep, own) or ""]}
        for value in (x.strip() for x in extra):
            if value and value.lower() not in seen:
                lines.append(value)
                seen.add(value.lower())
        setattr(keep, others, "\n".join(lines))


def _merge_logins(session: Session, keep_id: int, drop_id: int) -> None:
    logins = _login(session, keep_id), _login(session, drop_id)
    kept = _kept_login(*logins)
    gone = logins[1] if kept is logins[0] else logins[0]
    gone_contact = drop_id if gone is logins[1] else keep_id
    if gone is not None:
        # The removed login's sessions and links end with it.
        session.execute(delete(PortalSession).where(PortalSession.contact_id == gone_contact))
        session.execute(delete(PortalToken).where(PortalToken.contact_id == gone_contact))
        session.delete(gone)
        session.flush()
    session.execute(update(PortalSession).where(PortalSession.contact_id == drop_id).values(contact_id=keep_id))
    session.execute(update(PortalToken).where(PortalToken.contact_id == drop_id).values(contact_id=keep_id))
    if kept is not None and kept.contact_id != keep_id:
        kept.contact_id = keep_id
    session.flush()


def merge_contacts(session: Session, actor: Actor, keep_id: int, drop_id: int) -> Contact:
    """Move everything of contact `drop_id` to `keep_id` and remove it (owner and admins)."""
    contact_merge_preview(session, actor, keep_id, drop_id)
    preview = in_english(contact_merge_preview, session, actor, keep_id, drop_id)  # what the audit row records
    keep, drop = session.get(Contact, keep_id), session.get(Contact, drop_id)
    _merge_fields(keep, drop)
    _move_links(session, AccountContact, "contact_id", "account_id", keep_id, drop_id)
    _move_links(session, ContactTag, "contact_id", "tag_id", keep_id, drop_id)
    _move_links(session, DocumentView, "contact_id", "document_id", keep_id, drop_id)
    _move_links(session, ChatRead, "contact_id", "thread_id", keep_id, drop_id)
    for model, column in CONTACT_REFERENCES:
        col = getattr(model, column)
        session.execute(update(model).where(col == drop_id).values({column: keep_id}))
    _merge_logins(session, keep_id, drop_id)
    drop.email = ""  # its address now belongs to the kept contact
    merge_values(session, "contact", keep_id, drop_id)
    session.flush()
    session.execute(delete(Contact).where(Contact.id == drop_id))
    audit.record(session, actor, "merge", "contact", keep_id, f"Merged contact {preview.drop} into {preview.keep}",
                 moved=preview.moves, removed_id=drop_id)
    session.expire_all()
    return session.get(Contact, keep_id)
