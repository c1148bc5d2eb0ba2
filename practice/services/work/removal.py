"""Deleting accounts, contacts, jobs and tasks: what each takes with it, said before it goes, and what keeps it.

Signed and shared records (documents, signature requests, proposals, approvals, a contact's signatures)
are evidence the firm keeps: an account or contact that has them cannot be deleted (merge or unlink
instead). Everything else that belongs only to the deleted thing goes with it in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from practice.models import (Account, AccountContact, AccountTag, AccountTeam, ApprovalRequest, ChatMessage, ChatRead,
                             ChatThread, ClientTask, Contact,
                             ContactTag, Document, DocumentView, Due, Folder, Job, JobAssignee, JobTag,
                             Organizer, PortalLogin, PortalSession, PortalToken, Proposal, RecurringInvoice, SignatureRequest,
                             Signer, SigningConsent, SigningEvent, Task, TaskComment, TaskTag, touch)
from practice import i18n
from practice.i18n import _, ngettext
from practice.services import audit
from practice.services.actor import Actor, contact_name, require_admin
from practice.services.errors import Conflict
from practice.services.work.custom_fields import drop_values
from practice.services.work.accounts import contact_visible, get_account
from practice.services.work.jobs import get_job
from practice.services.work.tasks import get_task


@dataclass
class Removal:
    """What deleting a thing takes with it (`goes`), what stays (`stays`), and why it may not go (`blocked`)."""

    name: str
    goes: list[str] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)
    blocked: str = ""

    @property
    def sentence(self) -> str:
        """The confirmation's words: "Deleting "X" also deletes its 2 jobs and 3 tasks. …"."""
        if self.blocked:
            return self.blocked
        if self.goes:
            text = _("Deleting \u201c{name}\u201d also deletes {things}.").format(name=self.name,
                                                                                     things=joined(self.goes))
        else:
            text = _("Deleting \u201c{name}\u201d deletes nothing else.").format(name=self.name)
        return " ".join([text, *self.stays, _("This cannot be undone.")])


def joined(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c" in the language of the person being served."""
    if len(parts) == 1:
        return parts[0]
    return _("{first} and {last}").format(first=", ".join(parts[:-1]), last=parts[-1])


def counted(plural_forms: str, n: int) -> str:
    """A count in words, from `ngettext("{n} job", "{n} jobs", n)`: "1 job", "3 jobs" ("3 dossiers")."""
    return plural_forms.format(n=n)


def in_english(fn, *args):
    """`fn(*args)` with its sentences in English: what the audit log records (records are stored once)."""
    with i18n.using_locale(i18n.SOURCE):
        return fn(*args)


def _count(session: Session, model, *cond) -> int:
    return session.exec(select(func.count()).select_from(model).where(*cond)).one()


def _with_subtasks(session: Session, task_ids: list[int]) -> list[int]:
    """The tasks and every subtask under them, however deep."""
    found, frontier = set(task_ids), list(task_ids)
    while frontier:
        children = session.exec(select(Task.id).where(Task.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return sorted(found)


def _drop_tasks(session: Session, task_ids: list[int]) -> None:
    if not task_ids:
        return
    session.execute(delete(TaskComment).where(TaskComment.task_id.in_(task_ids)))
    session.execute(delete(TaskTag).where(TaskTag.task_id.in_(task_ids)))
    session.execute(update(Task).where(Task.id.in_(task_ids)).values(parent_id=None))
    session.execute(delete(Task).where(Task.id.in_(task_ids)))


def _drop_jobs(session: Session, job_ids: list[int]) -> None:
    """Delete jobs with their tasks, people, tags and client checklist; documents and requests stay unlinked."""
    if not job_ids:
        return
    _drop_tasks(session, _with_subtasks(session, list(session.exec(select(Task.id).where(Task.job_id.in_(job_ids))))))
    for model in (Document, ApprovalRequest, SignatureRequest, Proposal, Organizer):
        session.execute(update(model).where(model.job_id.in_(job_ids)).values(job_id=None))
    # Conversations about the job stay with the account, with the client tasks asked in them.
    session.execute(update(ChatThread).where(ChatThread.job_id.in_(job_ids)).values(job_id=None))
    session.execute(update(ClientTask).where(ClientTask.job_id.in_(job_ids), ClientTask.message_id.is_not(None))
                    .values(job_id=None))
    session.execute(delete(ClientTask).where(ClientTask.job_id.in_(job_ids)))
    session.execute(delete(JobAssignee).where(JobAssignee.job_id.in_(job_ids)))
    session.execute(delete(JobTag).where(JobTag.job_id.in_(job_ids)))
    drop_values(session, "job", job_ids)
    # Delayed actions and reminders of a deleted job have nothing left to act on.
    session.execute(update(Due).where(Due.job_id.in_(job_ids), Due.status == "pending").values(status="dropped"))
    session.execute(delete(Job).where(Job.id.in_(job_ids)))


# --- accounts -------------------------------------------------------------------------------------


def _account_records(session: Session, account_id: int) -> list[str]:
    """The records that keep an account (documents in its trash too: staff can still restore them)."""
    records = []
    shown = _count(session, Document, Document.account_id == account_id, Document.deleted_at.is_(None))
    trashed = _count(session, Document, Document.account_id == account_id, Document.deleted_at.is_not(None))
    if shown:
        records.append(counted(ngettext("{n} document", "{n} documents", shown), shown))
    if trashed:
        records.append(counted(ngettext("{n} document in the trash", "{n} documents in the trash", trashed), trashed))
    if n := _count(session, SignatureRequest, SignatureRequest.account_id == account_id):
        records.append(counted(ngettext("{n} signature request", "{n} signature requests", n), n))
    if n := _count(session, Proposal, Proposal.account_id == account_id):
        records.append(counted(ngettext("{n} proposal", "{n} proposals", n), n))
    if n := _count(session, Organizer, Organizer.account_id == account_id):
        records.append(counted(ngettext("{n} organizer", "{n} organizers", n), n))
    if n := _count(session, ApprovalRequest, ApprovalRequest.account_id == account_id):
        records.append(counted(ngettext("{n} approval request", "{n} approval requests", n), n))
    return records


def account_removal(session: Session, actor: Actor, account_id: int) -> Removal:
    """What deleting the account would take with it (owner and admins)."""
    require_admin(actor)
    account = get_account(session, actor, account_id)
    removal = Removal(account.name)
    records = _account_records(session, account.id)
    if records:
        removal.blocked = _("\u201c{name}\u201d holds {records}: the firm keeps those records, so the account cannot "
                            "be deleted. If it is a duplicate, merge it into the other account.").format(
            name=account.name, records=joined(records))
        return removal
    jobs = _count(session, Job, Job.account_id == account.id)
    tasks = _count(session, Task, Task.account_id == account.id)
    folders = _count(session, Folder, Folder.account_id == account.id)
    removal.goes = [counted(text, n) for text, n in (
        (ngettext("{n} job", "{n} jobs", jobs), jobs), (ngettext("{n} task", "{n} tasks", tasks), tasks),
        (ngettext("{n} empty folder", "{n} empty folders", folders), folders)) if n]
    contacts = _count(session, AccountContact, AccountContact.account_id == account.id)
    if contacts:
        removal.stays.append(counted(ngettext("Its {n} contact stays, no longer linked to it.",
                                              "Its {n} contacts stay, no longer linked to it.", contacts), contacts))
    return removal


def delete_account(session: Session, actor: Actor, account_id: int) -> str:
    """Delete an account and what belongs only to it (owner and admins); returns its name."""
    removal = account_removal(session, actor, account_id)
    if removal.blocked:
        raise Conflict(removal.blocked)
    took = in_english(account_removal, session, actor, account_id).goes
    _drop_jobs(session, list(session.exec(select(Job.id).where(Job.account_id == account_id))))
    _drop_tasks(session, _with_subtasks(session, list(session.exec(select(Task.id).where(Task.account_id == account_id)))))
    session.execute(delete(ClientTask).where(ClientTask.account_id == account_id))
    threads = select(ChatThread.id).where(ChatThread.account_id == account_id)
    session.execute(delete(ChatRead).where(ChatRead.thread_id.in_(threads)))
    session.execute(delete(ChatMessage).where(ChatMessage.account_id == account_id))
    session.execute(delete(ChatThread).where(ChatThread.account_id == account_id))
    session.execute(update(Folder).where(Folder.account_id == account_id).values(parent_id=None))
    session.execute(delete(Folder).where(Folder.account_id == account_id))
    # Its contacts lose an account: changed, as the REST API shows them.
    touch(session, Contact, session.exec(select(AccountContact.contact_id)
                                         .where(AccountContact.account_id == account_id)).all())
    for model in (AccountContact, AccountTag, AccountTeam, RecurringInvoice):
        session.execute(delete(model).where(model.account_id == account_id))
    session.execute(update(PortalSession).where(PortalSession.current_account_id == account_id)
                    .values(current_account_id=None))
    drop_values(session, "account", [account_id])
    session.execute(delete(Account).where(Account.id == account_id))
    audit.record(session, actor, "delete", "account", account_id, f'Deleted account "{removal.name}"',
                 entity_label=removal.name, took=took)
    session.expire_all()
    return removal.name


# --- contacts -------------------------------------------------------------------------------------


def _contact_signed(session: Session, contact_id: int) -> bool:
    return bool(_count(session, Signer, Signer.contact_id == contact_id)
                or _count(session, SigningConsent, SigningConsent.contact_id == contact_id)
                or _count(session, SigningEvent, SigningEvent.contact_id == contact_id)
                or _count(session, Proposal, Proposal.signed_by_contact_id == contact_id)
                or _count(session, Organizer, Organizer.submitted_by_contact_id == contact_id)
                or _count(session, ApprovalRequest, ApprovalRequest.decided_by_contact_id == contact_id))


def contact_removal(session: Session, actor: Actor, contact_id: int) -> Removal:
    """What deleting the contact would take with it (owner and admins)."""
    require_admin(actor)
    contact = contact_visible(session, actor, contact_id)
    removal = Removal(contact_name(contact))
    if _contact_signed(session, contact.id):
        removal.blocked = _("{name} signed, was asked to sign or approved documents; those records name them and "
                            "the firm keeps them, so the contact cannot be deleted. Unlink them from the account "
                            "instead, or merge them into the other contact if they are a duplicate.").format(
            name=removal.name)
        return removal
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact.id)).first()
    if login is not None:
        removal.goes.append(_("their portal login ({email})").format(email=login.email))
    links = _count(session, AccountContact, AccountContact.contact_id == contact.id)
    if links:
        removal.goes.append(counted(ngettext("their link to {n} account", "their links to {n} accounts", links),
                                        links))
    uploads = _count(session, Document, Document.uploaded_by_contact_id == contact.id)
    if uploads:
        removal.stays.append(counted(ngettext("The {n} document they uploaded stays.",
                                              "The {n} documents they uploaded stay.", uploads), uploads))
    return removal


def delete_contact(session: Session, actor: Actor, contact_id: int) -> str:
    """Delete a contact with their portal login and links (owner and admins); returns their name."""
    removal = contact_removal(session, actor, contact_id)
    if removal.blocked:
        raise Conflict(removal.blocked)
    took = in_english(contact_removal, session, actor, contact_id).goes
    session.execute(update(Document).where(Document.uploaded_by_contact_id == contact_id)
                    .values(uploaded_by_contact_id=None))
    session.execute(update(ClientTask).where(ClientTask.done_by_contact_id == contact_id)
                    .values(done_by_contact_id=None))
    # Their messages stay, signed with the name they had.
    session.execute(update(ChatMessage).where(ChatMessage.author_contact_id == contact_id)
                    .values(author_contact_id=None))
    session.execute(delete(ChatRead).where(ChatRead.contact_id == contact_id))
    for model in (DocumentView, PortalToken, PortalSession, PortalLogin, ContactTag, AccountContact):
        session.execute(delete(model).where(model.contact_id == contact_id))
    drop_values(session, "contact", [contact_id])
    session.execute(delete(Contact).where(Contact.id == contact_id))
    audit.record(session, actor, "delete", "contact", contact_id, f"Deleted contact {removal.name}",
                 entity_label=removal.name, took=took)
    session.expire_all()
    return removal.name


# --- jobs and tasks -------------------------------------------------------------------------------


def job_removal(session: Session, actor: Actor, job_id: int) -> Removal:
    """What deleting the job would take with it (staff who may see the job)."""
    job = get_job(session, actor, job_id)
    removal = Removal(job.name)
    tasks = len(_with_subtasks(session, list(session.exec(select(Task.id).where(Task.job_id == job.id)))))
    checklist = _count(session, ClientTask, ClientTask.job_id == job.id)
    removal.goes = [counted(text, n) for text, n in (
        (ngettext("{n} task", "{n} tasks", tasks), tasks),
        (ngettext("{n} client task", "{n} client tasks", checklist), checklist)) if n]
    kept = sum(_count(session, m, m.job_id == job.id) for m in (Document, SignatureRequest, Proposal, Organizer))
    if kept:
        removal.stays.append(counted(ngettext("Its {n} document or request stays with the account.",
                                              "Its {n} documents and requests stay with the account.", kept), kept))
    return removal


def delete_job(session: Session, actor: Actor, job_id: int) -> tuple[str, int]:
    """Delete a job with its tasks and client checklist; returns its name and its account's id."""
    removal = job_removal(session, actor, job_id)
    took = in_english(job_removal, session, actor, job_id).goes
    account_id = get_job(session, actor, job_id).account_id
    account = session.get(Account, account_id)
    _drop_jobs(session, [job_id])
    audit.record(session, actor, "delete", "job", job_id, f'Deleted job "{removal.name}" of "{account.name}"',
                 entity_label=removal.name, account_id=account_id, took=took)
    session.expire_all()
    return removal.name, account_id


def task_removal(session: Session, actor: Actor, task_id: int) -> Removal:
    """What deleting the task would take with it (staff who may see the task)."""
    task = get_task(session, actor, task_id)
    removal = Removal(task.title)
    subtasks = len(_with_subtasks(session, [task.id])) - 1
    comments = _count(session, TaskComment, TaskComment.task_id == task.id)
    removal.goes = [counted(text, n) for text, n in (
        (ngettext("{n} subtask", "{n} subtasks", subtasks), subtasks),
        (ngettext("{n} comment", "{n} comments", comments), comments)) if n]
    return removal


def delete_task(session: Session, actor: Actor, task_id: int) -> str:
    """Delete a task with its subtasks and comments; returns its title."""
    removal = task_removal(session, actor, task_id)
    took = in_english(task_removal, session, actor, task_id).goes
    account_id = get_task(session, actor, task_id).account_id
    _drop_tasks(session, _with_subtasks(session, [task_id]))
    audit.record(session, actor, "delete", "task", task_id, f'Deleted task "{removal.name}"',
                 entity_label=removal.name, account_id=account_id, took=took)
    session.expire_all()
    return removal.name

