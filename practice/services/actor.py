"""Who is asking: a staff `Actor` or a client `ContactActor`; every service call takes one and checks what it may do."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CompoundSelect, exists, func, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from practice.i18n import _
from practice.models import Account, AccountContact, AccountTeam, Contact, Firm, Job, JobAssignee, Role, TeamMember
from practice.services.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Actor:
    member_id: int | None
    name: str
    role: Role
    can_view_all_accounts: bool = False
    # The language the member reads the app in (theirs, or the firm's default when they chose none).
    language: str = "en"
    # The billing rights an employee may be given (owners and admins have them all).
    can_manage_billing: bool = False
    can_see_billing: bool = False
    # Set when the member acts through a REST API token (`api_tokens.use_token`): which one, by id and by its name
    # and prefix, so the audit rows of its writes say so.
    api_token_id: int | None = None
    api_token_label: str = ""
    # The time rights an employee may be given (owners and admins have both).
    can_track_time: bool = False
    can_edit_others_time: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.owner, Role.admin)

    @property
    def manages_billing(self) -> bool:
        """May write invoices, send them, record payments and credits, void."""
        return self.is_admin or self.can_manage_billing

    @property
    def sees_billing(self) -> bool:
        """May read invoices, payments and balances (of the accounts the actor sees)."""
        return self.manages_billing or self.can_see_billing

    @property
    def tracks_time(self) -> bool:
        """May run a timer and write down their own time."""
        return self.is_admin or self.can_track_time

    @property
    def edits_others_time(self) -> bool:
        """May see, add, change and delete the time of other members (of the accounts the actor sees)."""
        return self.is_admin or self.can_edit_others_time

    @property
    def reads_time(self) -> bool:
        """May open the Time page: tracks time, edits others' time, or sees billing (work in progress)."""
        return self.tracks_time or self.edits_others_time or self.sees_billing

    @property
    def sees_all_accounts(self) -> bool:
        return self.is_admin or self.can_view_all_accounts

    @classmethod
    def of(cls, member: TeamMember, firm_language: str = "en") -> "Actor":
        """The actor of a member; `firm_language` is the firm's default, for a member who chose no language."""
        return cls(member.id, member.name, Role(member.role), member.can_view_all_accounts,
                   member.language or firm_language, bool(member.can_manage_billing), bool(member.can_see_billing),
                   can_track_time=bool(member.can_track_time), can_edit_others_time=bool(member.can_edit_others_time))


# The worker and setup scripts act as this actor; the audit log names it.
SYSTEM = Actor(member_id=None, name="Automation", role=Role.owner)


def shown_actor(label: str | None) -> str:
    """Who did it, as an audit row or a saved version shows it: a person's name as kept, the automations (kept as
    SYSTEM's name, or no name) in the reader's language."""
    return _("Automation") if not label or label == SYSTEM.name else label


def require_staff(actor) -> Actor:
    """The actor, if it is a member of the firm's team; a portal contact (or anything else) is refused."""
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can do that."))
    return actor


def require_admin(actor: Actor) -> None:
    if not require_staff(actor).is_admin:
        raise PermissionDenied(_("Only the owner or an admin can do that."))


def require_owner(actor: Actor) -> None:
    if require_staff(actor).role != Role.owner:
        raise PermissionDenied(_("Only the firm's owner can do that."))


def account_visible(actor: Actor, account_id_col) -> ColumnElement[bool] | None:
    """SQL condition limiting rows to accounts the actor may see (None: no limit), correlated per row.

    For one row (a check by id) and for pages walked in an index's order up to a LIMIT (the API's lists by id, the
    newest invoices or events): PostgreSQL runs it as a set hashed once and stops at the page's end. A statement that
    reads every matching row (a count, a sum, a sort no index gives) takes `visible_account_ids`: there PostgreSQL
    estimates this form at millions, which switches its JIT compiler on (0.3-2.4 s per statement at 50,000 jobs)."""
    if require_staff(actor).sees_all_accounts:
        return None
    on_team = exists().where(AccountTeam.account_id == account_id_col, AccountTeam.member_id == actor.member_id)
    # An alias, not Job itself: when the outer query is over Job (board, bulk move), an unaliased
    # inner Job would shadow it and make the condition `job.account_id = job.account_id`, true for all.
    assigned_job = aliased(Job)
    assigned = exists(
        select(JobAssignee.job_id)
        .join(assigned_job, assigned_job.id == JobAssignee.job_id)
        .where(assigned_job.account_id == account_id_col, JobAssignee.member_id == actor.member_id)
    )
    return or_(on_team, assigned)


def visible_account_ids(actor: Actor, account_id_col) -> ColumnElement[bool] | None:
    """The rule of `account_visible` as `account_id_col IN (the member's accounts)`, the set computed once per
    statement: for statements that read every matching row (the Accounts, Contacts, Tasks, Time and chat lists, the
    pipeline's counts, the job picker, what waits on the client, sums), where the correlated form probes the team and
    the jobs' assignees once per row on SQLite and is costed into the JIT compiler on PostgreSQL (None: no limit)."""
    if require_staff(actor).sees_all_accounts:
        return None
    return account_id_col.in_(member_account_ids(actor.member_id))


def member_account_ids(member_id) -> CompoundSelect:
    """Ids of the accounts a member works on (on the team, or assigned to one of its jobs) as one
    uncorrelated subquery: the rule of `account_visible`, computed once per statement instead of
    once per row, for queries that check tens of thousands of rows (the board's counts).
    `member_id` may be a bind parameter."""
    assigned_job = aliased(Job)
    return union(
        select(AccountTeam.account_id).where(AccountTeam.member_id == member_id),
        select(assigned_job.account_id).join(JobAssignee, JobAssignee.job_id == assigned_job.id)
        .where(JobAssignee.member_id == member_id),
    )


@dataclass(frozen=True)
class ContactActor:
    """A client contact signed in to the portal or the drive: who, the accounts it belongs to (in the
    portal's order), and the one it is looking at. Services check the links again on every call."""

    contact_id: int
    name: str
    account_ids: tuple[int, ...] = ()
    current_account_id: int | None = None
    # The language the contact reads the portal and its emails in (theirs, or the firm's default).
    language: str = "en"

    def __post_init__(self) -> None:
        object.__setattr__(self, "account_ids", tuple(self.account_ids))

    # The audit log and events read these from any actor; a contact is no team member.
    @property
    def member_id(self) -> None:
        return None

    @property
    def label(self) -> str:
        return f"{self.name} (client)"

    def limited_to(self, account_id: int | None) -> "ContactActor":
        """The same contact acting on one of its accounts only (on none if it is not linked to it)."""
        if account_id is None:
            return self
        ids = (account_id,) if account_id in self.account_ids else ()
        return ContactActor(self.contact_id, self.name, ids, self.current_account_id, self.language)


def client_actor(name: str) -> Actor:
    """The actor the audit log and events record for a client contact named `name`."""
    return Actor(None, f"{name} (client)", Role.employee)


def recorded_actor(who: Actor | ContactActor) -> Actor:
    """The actor the audit log and events record for `who` (a contact is named "Name (client)")."""
    return client_actor(who.name) if isinstance(who, ContactActor) else who


def contact_name(contact: Contact) -> str:
    """How a contact is named to people: "First Last", else the email."""
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email or "Client"


def linked_account_ids(session: Session, contact_id: int) -> list[int]:
    """The open (not archived) accounts a contact belongs to, by name: what its portal and drive logins see."""
    return list(session.scalars(select(AccountContact.account_id).join(Account, Account.id == AccountContact.account_id)
                                .where(AccountContact.contact_id == contact_id, Account.archived == False)  # noqa: E712
                                .order_by(func.lower(Account.name), Account.id)))


def contact_actor(session: Session, contact_id: int) -> ContactActor:
    """The ContactActor of a contact with every account it belongs to."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_("That contact does not exist."))
    ids = session.scalars(select(AccountContact.account_id).where(AccountContact.contact_id == contact_id))
    # (services/firm.py's language_for, which this leaf module cannot import)
    language = contact.language or session.scalars(select(Firm.language).order_by(Firm.id)).first() or "en"
    return ContactActor(contact_id=contact.id, name=contact_name(contact), account_ids=tuple(ids), language=language)
