"""What each portal page shows, read in one transaction of a few statements: who is visiting (the session, the
login, the contact, its accounts and the firm, in one statement), then the page's own data in at most three.

A page view writes nothing: the session's last activity is written at most once a minute (`Visit.touch_due`,
then `note_activity` in a write transaction of its own). The contact and the accounts it may see are resolved
once, by `visit`, in the same read transaction as the page's queries, so those queries trust them instead of
checking the links again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Callable

from sqlalchemy import (Integer, String, and_, bindparam, case, cast, func, literal, null, or_, true, union_all,
                        update)
from sqlmodel import Session, select

from practice import i18n
from practice.models import (Account, AccountContact, ApprovalRequest, ApprovalStatus, ClientTask, Contact, Document,
                             DocumentStatus, DocumentView, Firm, Folder, Invoice, InvoiceStatus, Job, Organizer, OrganizerStatus, PortalLogin, PortalSession, PortalStatus,
                             Proposal, ProposalStatus, SignatureRequest, SignatureRequestStatus, Signer, SignerStatus,
                             utcnow)
from practice.services import one_time_links
from practice.services.access.auth import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
from practice.services.actor import ContactActor
from practice.services.documents.folders import FolderNode, tree_of
from practice.services.documents.locks import Lock, closed_lock
from practice.services.documents.sharing import hidden_among, shown_condition_sql
from practice.services.errors import PermissionDenied
from practice.services.portal.client_tasks import ClientTaskView, PortalJob
from practice.i18n import _

# How stale the session's recorded activity may get before a page view writes it again (the idle timeout is hours).
TOUCH_EVERY = dt.timedelta(minutes=1)
LOOKS_LIMIT = 20
REQUESTS_LIMIT = 200
DEFAULT_FIRM = "My Firm"


@dataclass
class Visit:
    """Who is on the portal: the contact (as an actor), the header's accounts and firm, and whether the session's
    activity is due to be written."""

    actor: ContactActor
    email: str
    accounts: list[tuple[int, str]]
    firm_name: str
    timezone: str
    touch_due: bool
    session_id: int = 0


def session_alive(created_at: dt.datetime, last_seen_at: dt.datetime, ended_at, now: dt.datetime) -> bool:
    """Whether a portal session still lets its contact in: not ended, nor timed out (absolute or idle)."""
    return not ended_at and now - created_at <= ABSOLUTE_TIMEOUT and now - last_seen_at <= IDLE_TIMEOUT


# The statements are built once, with parameters: building a SQLAlchemy statement costs more CPU than SQLite takes
# to run it, and the portal runs them on every page view.
@cache
def _visit_statement():
    return (select(PortalSession.id, PortalSession.created_at, PortalSession.last_seen_at, PortalSession.ended_at,
                   PortalSession.current_account_id, PortalLogin.status, PortalLogin.email, Contact.id,
                   Contact.first_name, Contact.last_name, Contact.email, Account.id, Account.name, Firm.name,
                   Firm.timezone, Contact.language, Firm.language)
            .join(PortalLogin, PortalLogin.contact_id == PortalSession.contact_id)
            .join(Contact, Contact.id == PortalSession.contact_id)
            .outerjoin(AccountContact, AccountContact.contact_id == Contact.id)
            .outerjoin(Account, and_(Account.id == AccountContact.account_id, Account.archived == False))  # noqa: E712
            .outerjoin(Firm, true())
            .where(PortalSession.id_hash == bindparam("sid_hash"))
            .order_by(Firm.id))


def visit(session: Session, sid: str | None, *, now: dt.datetime | None = None) -> Visit | None:
    """The contact behind a portal session id with its open accounts (by name) and the firm, in one statement;
    None when the session is unknown, ended or timed out, or the login is not active."""
    if not sid:
        return None
    now = now or utcnow()
    rows = _rows(session, _visit_statement(), {"sid_hash": one_time_links.digest(sid)}).all()
    if not rows:
        return None
    first = rows[0]
    sid_row, created, seen, ended, current, status, login_email, contact_id, first_name, last_name, contact_email = \
        first[:11]
    if PortalStatus(status) != PortalStatus.active or not session_alive(created, seen, ended, now):
        return None
    accounts = sorted({(r[11], r[12]) for r in rows if r[11] is not None},
                      key=lambda a: (a[1].lower(), a[0]))
    ids = tuple(a for a, _ in accounts)
    name = f"{first_name} {last_name}".strip() or contact_email or "Client"
    language = i18n.supported(first[15]) or i18n.supported(first[16]) or i18n.SOURCE
    actor = ContactActor(contact_id, name, ids, current if current in ids else (ids[0] if ids else None), language)
    return Visit(actor=actor, email=login_email, accounts=accounts, firm_name=first[13] or DEFAULT_FIRM,
                 timezone=first[14] or Firm.model_fields["timezone"].default, touch_due=now - seen >= TOUCH_EVERY,
                 session_id=sid_row)


def note_activity(session: Session, sid: str, *, now: dt.datetime | None = None) -> None:
    """Record activity on the session (the idle timeout counts from it), unless it was recorded under a minute ago:
    one conditional UPDATE, in the caller's write transaction."""
    now = now or utcnow()
    session.execute(update(PortalSession).where(PortalSession.id_hash == one_time_links.digest(sid),
                                                PortalSession.ended_at.is_(None),
                                                PortalSession.last_seen_at <= now - TOUCH_EVERY)
                    .values(last_seen_at=now))


def _account(actor: ContactActor) -> int:
    if not isinstance(actor, ContactActor) or actor.current_account_id not in actor.account_ids:
        raise PermissionDenied(_("That account is not one of yours."))
    return actor.current_account_id


def _rows(session: Session, statement, params: dict):
    """A built statement's rows, run on the session's connection: its rows are plain columns, and the ORM's
    result handling cost a third of each portal read's time (issue 12)."""
    return session.connection().execute(statement, params)


# --- the pages' data ---------------------------------------------------------------------------------------------


@cache
def _task_statement(open_only: bool):
    """The account's active jobs, each with its client tasks, and the tasks asked in a conversation about no job
    (their own due date, no job columns), open ones only when asked: one statement, ordered by `_task_order`."""
    account_id = bindparam("account_id")
    task_on = and_(ClientTask.job_id == Job.id, ClientTask.account_id == account_id)
    jobless = and_(ClientTask.account_id == account_id, ClientTask.job_id.is_(None))
    if open_only:
        task_on = and_(task_on, ClientTask.done_at.is_(None))
        jobless = and_(jobless, ClientTask.done_at.is_(None))
    on_jobs = (select(Job.id, Job.name, Job.due_date, ClientTask.id, ClientTask.title, ClientTask.description,
                      ClientTask.done_at, Contact.first_name, Contact.last_name, Contact.email, ClientTask.position)
               .outerjoin(ClientTask, task_on).outerjoin(Contact, Contact.id == ClientTask.done_by_contact_id)
               .where(Job.account_id == account_id, Job.archived == False))  # noqa: E712
    asked = (select(cast(null(), Integer), cast(null(), String), ClientTask.due_date, ClientTask.id, ClientTask.title,
                    ClientTask.description, ClientTask.done_at, Contact.first_name, Contact.last_name, Contact.email,
                    ClientTask.position)
             .select_from(ClientTask).outerjoin(Contact, Contact.id == ClientTask.done_by_contact_id).where(jobless))
    return union_all(on_jobs, asked)


def _task_order(row) -> tuple:
    """Jobs soonest due first (undated last), each job's open tasks before its done ones, in the firm's order; then
    the tasks about no job, soonest due first."""
    job_id, _, due, task_id, *_, done_at, _first, _last, _email, position = row
    return (job_id is None, due is None, due or dt.date.min, job_id or 0, done_at is not None,
            position or 0, task_id or 0)


def _task_rows(session: Session, account_id: int, *, open_only: bool):
    return sorted(_rows(session, _task_statement(open_only), {"account_id": account_id}).all(), key=_task_order)


def _tasks_and_jobs(rows) -> tuple[list[ClientTaskView], list[PortalJob]]:
    """The tasks (open ones first, then done ones, each group in the rows' order) and the jobs of `rows`."""
    jobs: dict[int, PortalJob] = {}
    tasks = []
    for job_id, job_name, due, task_id, title, description, done_at, first, last, email, _pos in rows:
        if job_id is not None:
            job = jobs.setdefault(job_id, PortalJob(job_id, job_name, due, 0))
            job.open_tasks += task_id is not None and done_at is None
        if task_id is None:
            continue
        done_by = (f"{first or ''} {last or ''}".strip() or email or "") if done_at else ""
        tasks.append(ClientTaskView(task_id, title, description, job_id or 0, job_name or "", due, done_at, done_by))
    tasks.sort(key=lambda t: t.done_at is not None)
    return tasks, list(jobs.values())


def tasks_page(session: Session, actor: ContactActor) -> list[ClientTaskView]:
    """The checklist of the contact's current account, its jobs' tasks and those asked about no job: one statement."""
    return _tasks_and_jobs(_task_rows(session, _account(actor), open_only=False))[0]


@dataclass
class LookItem:
    """A document the firm shared that the contact has not opened yet."""

    id: int
    name: str
    uploaded_at: dt.datetime


@dataclass
class AskItem:
    """A document the contact is asked to approve."""

    id: int
    document_id: int
    document_name: str
    job_name: str
    requested_at: dt.datetime


@dataclass
class OfferItem:
    """A proposal waiting for the contact's signature."""

    id: int
    name: str
    total_cents: int
    sent_at: dt.datetime
    # Signed, waiting for its invoice to be paid (pay at signing): the client finishes it by paying.
    to_pay: bool = False


def _name_read(model):
    """The name of a sent organizer or proposal as the reader sees it: its French name for a French reader (the
    bound "language"), when the template had one, else its name."""
    french = and_(bindparam("language", type_=String) == "fr", func.trim(model.name_fr) != "")
    return case((french, model.name_fr), else_=model.name)


@cache
def _things_statement():
    """New shared documents, pending approvals and open proposals of an account."""
    account_id, contact_id = bindparam("account_id"), bindparam("contact_id")
    seen = select(DocumentView.document_id).where(DocumentView.contact_id == contact_id)
    # Typed NULLs: PostgreSQL gives an untyped NULL the type text, which a UNION cannot match with an integer.
    no_text, no_number = cast(null(), String), cast(null(), Integer)
    looks = (select(literal("look").label("kind"), Document.id.label("id"), Document.name.label("name"),
                    Document.uploaded_at.label("at"), Document.id.label("document_id"), no_text.label("job"),
                    no_number.label("total"))
             .where(Document.account_id == account_id, Document.deleted_at.is_(None),
                    Document.status == DocumentStatus.ok, Document.uploaded_by_member_id.is_not(None),
                    Document.id.not_in(seen), shown_condition_sql(account_id),
                    # Locked until an invoice is paid: new from the firm once it opens (Documents lists it before).
                    or_(Document.locked_by_invoice_id.is_(None), Document.locked_by_invoice_id.in_(
                        select(Invoice.id).where(Invoice.account_id == account_id,
                                                 Invoice.status == InvoiceStatus.paid))))
             .order_by(Document.id.desc()).limit(LOOKS_LIMIT).subquery())
    asks = (select(literal("ask"), ApprovalRequest.id, Document.name, ApprovalRequest.created_at,
                   ApprovalRequest.document_id, Job.name, no_number)
            .join(Document, Document.id == ApprovalRequest.document_id)
            .outerjoin(Job, Job.id == ApprovalRequest.job_id)
            .where(ApprovalRequest.account_id == account_id, ApprovalRequest.status == ApprovalStatus.pending,
                   Document.deleted_at.is_(None)))
    # A signed proposal still waiting for its payment carries "pay" where an approval carries its job.
    offers = select(literal("offer"), Proposal.id, _name_read(Proposal), Proposal.sent_at, no_number,
                    case((Proposal.signed_at.is_not(None), literal("pay")), else_=no_text), Proposal.total_cents).where(Proposal.account_id == account_id,
                                                Proposal.status == ProposalStatus.sent)
    # An organizer still to fill in carries its status where an approval carries its job.
    fill = select(literal("fill"), Organizer.id, _name_read(Organizer), Organizer.sent_at, no_number, cast(Organizer.status, String),
                  no_number).where(Organizer.account_id == account_id, Organizer.status != OrganizerStatus.submitted)
    return union_all(select(looks), asks, offers, fill)


def _things_to_look_at(session: Session, actor: ContactActor, account_id: int):
    """New shared documents, pending approvals, open proposals and organizers to fill of the account: one
    statement."""
    return _rows(session, _things_statement(), {"account_id": account_id, "contact_id": actor.contact_id,
                                                "language": actor.language}).all()


@dataclass
class SigningItem:
    """A signature request the contact is among the signers of, as its portal lists it."""

    id: int
    title: str
    status: str
    document_id: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    signed_count: int = 0
    signer_count: int = 0
    waiting_for: list[str] = field(default_factory=list)
    my_turn: bool = False


@cache
def _signing_statement():
    mine = (select(Signer.request_id).join(SignatureRequest, SignatureRequest.id == Signer.request_id)
            .where(Signer.contact_id == bindparam("contact_id"), SignatureRequest.account_id == bindparam("account_id"),
                   SignatureRequest.status != SignatureRequestStatus.draft)
            .order_by(Signer.request_id.desc()).limit(REQUESTS_LIMIT))
    return (select(SignatureRequest.id, SignatureRequest.title, SignatureRequest.status, SignatureRequest.document_id,
                   SignatureRequest.created_at, SignatureRequest.sent_at, Signer.contact_id, Signer.name,
                   Signer.status)
            .join(Signer, Signer.request_id == SignatureRequest.id)
            .where(SignatureRequest.id.in_(mine.scalar_subquery()))
            .order_by(SignatureRequest.id.desc(), Signer.position, Signer.id))


def _signing(session: Session, actor: ContactActor, account_id: int) -> list[SigningItem]:
    """The requests (not drafts) of the account this contact signs, with all their signers: one statement.
    Those awaiting the contact first, then those still open, newest first."""
    rows = _rows(session, _signing_statement(), {"account_id": account_id, "contact_id": actor.contact_id}).all()
    items: dict[int, SigningItem] = {}
    for req_id, title, status, document_id, created_at, sent_at, contact_id, name, signer_status in rows:
        status = SignatureRequestStatus(status)
        item = items.setdefault(req_id, SigningItem(req_id, title, status.value, document_id, created_at, sent_at))
        item.signer_count += 1
        item.signed_count += SignerStatus(signer_status) == SignerStatus.signed
        if status == SignatureRequestStatus.sent and SignerStatus(signer_status) == SignerStatus.pending:
            item.waiting_for.append(name)
            item.my_turn = item.my_turn or contact_id == actor.contact_id
    return sorted(items.values(), key=lambda v: (not v.my_turn, v.status != "sent", -v.id))


@dataclass
class FillItem:
    """An organizer the client has still to fill in and submit."""
    id: int
    name: str
    status: str
    at: dt.datetime


@dataclass
class HomePage:
    tasks: list[ClientTaskView]
    jobs: list[PortalJob]
    looks: list[LookItem]
    asks: list[AskItem]
    offers: list[OfferItem]
    requests: list[SigningItem]
    fill: list[FillItem] = field(default_factory=list)


def home_page(session: Session, actor: ContactActor) -> HomePage:
    """Everything the portal's home lists for the contact's current account: four statements."""
    account_id = _account(actor)
    tasks, jobs = _tasks_and_jobs(_task_rows(session, account_id, open_only=True))
    looks, asks, offers, fill = [], [], [], []
    for kind, item_id, name, at, document_id, job, total in _things_to_look_at(session, actor, account_id):
        if kind == "fill":
            fill.append(FillItem(item_id, name, OrganizerStatus(job).value, at))
        elif kind == "look":
            looks.append(LookItem(item_id, name, at))
        elif kind == "ask":
            asks.append(AskItem(item_id, document_id, name, job or "", at))
        else:
            offers.append(OfferItem(item_id, name, total or 0, at, job == "pay"))
    looks.sort(key=lambda d: -d.id)
    asks.sort(key=lambda a: -a.id)
    offers.sort(key=lambda p: -p.id)
    fill.sort(key=lambda o: -o.id)
    return HomePage(tasks, jobs, looks, asks, offers, _signing(session, actor, account_id), fill)


@dataclass
class DocumentItem:
    id: int
    name: str
    folder: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    # Locked until an invoice is paid: listed, but it opens once that invoice is paid.
    lock: Lock | None = None


@dataclass
class DocumentsPage:
    folders: list[FolderNode]
    documents: list[DocumentItem]


@cache
def _folders_statement():
    return select(Folder.id, Folder.parent_id, Folder.name, Folder.shared).where(
        Folder.account_id == bindparam("account_id"))


@cache
def _documents_statement():
    """The documents a client sees in an account, newest first (`hidden`: the folders it does not see)."""
    shown = and_(Document.shared == True,  # noqa: E712
                 or_(Document.folder_id.is_(None), Document.folder_id.not_in(bindparam("hidden", expanding=True))))
    return (select(Document.id, Document.name, Document.folder_id, Document.size, Document.uploaded_by_label,
                   Document.uploaded_at, Invoice.id, Invoice.number, Invoice.status)
            .outerjoin(Invoice, Invoice.id == Document.locked_by_invoice_id)
            .where(Document.account_id == bindparam("account_id"), Document.deleted_at.is_(None),
                   Document.status == DocumentStatus.ok, shown)
            .order_by(Document.id.desc()).limit(bindparam("limit")))


def documents_page(session: Session, actor: ContactActor, *, limit: int = 500) -> DocumentsPage:
    """The folders and documents the contact sees in its current account (newest first): two statements."""
    account_id = _account(actor)
    rows = _rows(session, _folders_statement(), {"account_id": account_id}).all()
    hidden = hidden_among([(fid, pid, shared) for fid, pid, _, shared in rows])
    tree = tree_of([(fid, pid, name, shared) for fid, pid, name, shared in rows if fid not in hidden], hidden)
    paths = {f.id: f.path for f in tree}
    docs = _rows(session, _documents_statement(), {"account_id": account_id, "hidden": sorted(hidden),
                                                    "limit": limit}).all()
    return DocumentsPage(tree, [DocumentItem(d_id, name, paths.get(folder_id, ""), size, by, at,
                                             closed_lock(invoice_id, number, status) if invoice_id else None)
                                for d_id, name, folder_id, size, by, at, invoice_id, number, status in docs])


PageData = Callable[[Session, ContactActor], object]


def open_page(session: Session, sid: str | None, page: PageData | None = None):
    """(the visit, the page's data) in the caller's read transaction; (None, None) when nobody is logged in. A
    contact with no account yet gets no data (None)."""
    who = visit(session, sid)
    if who is None:
        return None, None
    if page is None or who.actor.current_account_id is None:
        return who, None
    return who, page(session, who.actor)
