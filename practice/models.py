"""The firm's data: one SQLModel table per thing staff and clients work with.

Datetimes are timezone-aware UTC (stored as UTC, read back aware); money is integer cents.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Optional

from sqlalchemy import (JSON, Column, DateTime, ForeignKey, Index, Integer, Text, TypeDecorator, UniqueConstraint, event,
                        text)
from sqlalchemy import update as sa_update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

# The largest id a database row can have on both engines (a larger number makes the database raise instead of
# finding nothing): SQLite's INTEGER holds 64 bits, PostgreSQL's 32.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware (SQLite forgets the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is needed")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def stored_moment(value: dt.datetime | None) -> str | None:
    """An aware datetime as UTCDateTime stores it in SQLite (what SQLAlchemy's DateTime writes: UTC, microseconds)."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def loaded_moment(value: str | None) -> dt.datetime | None:
    """A moment stored by UTCDateTime, read from SQLite's text as the model reads it: aware, in UTC."""
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)


def when(nullable: bool = False, index: bool = False, default=True) -> Any:
    kwargs: dict[str, Any] = {}
    if default and not nullable:
        kwargs["default_factory"] = utcnow
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kwargs)


def changed() -> Any:
    """When the row was last written: set on insert and by every UPDATE of it (ORM or `update(...)`), indexed, so the
    REST API's `updated_since` finds what changed (see also `_touch_owners` below, for the rows' links)."""
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True, default=utcnow,
                                                          onupdate=utcnow, info={"one_value_per_insert": True}))


class Role(str, Enum):
    owner = "owner"
    admin = "admin"
    employee = "employee"


class AccountType(str, Enum):
    individual = "Individual"
    family = "Family"
    company = "Company"
    nonprofit = "Nonprofit"
    trust = "Trust"


class Priority(str, Enum):
    low = "Low"
    medium = "Medium"
    high = "High"


class TaskStatus(str, Enum):
    planned = "planned"
    in_progress = "in_progress"
    waiting_for_client = "waiting_for_client"
    completed = "completed"
    cancelled = "cancelled"


class EventStatus(str, Enum):
    pending = "pending"
    handled = "handled"
    failed = "failed"


class Firm(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    timezone: str = "America/New_York"
    # The language of people who chose none (team members and contacts): "en" or "fr".
    language: str = "en"
    # Minutes a client-visible chat message waits before its email notice (unread then: the notice goes).
    chat_notice_delay_minutes: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    # How clients pay (bank details, where to mail a check), printed on every invoice and shown in the portal.
    payment_instructions: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # A timer running longer than this asks, when stopped, whether to count all of it (0: never asks).
    timer_idle_limit_minutes: int = Field(default=240, sa_column_kwargs={"server_default": "240"})
    created_at: dt.datetime = when()


class TeamMember(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    email: str = Field(sa_column_kwargs={"unique": True})
    role: Role = Role.employee
    password_hash: str = ""
    active: bool = True
    # Access right: an employee without it sees only the accounts it works on.
    can_view_all_accounts: bool = False
    # Billing rights (owners and admins have both whatever these say): record and send invoices and payments;
    # see invoices, payments and balances.
    can_manage_billing: bool = False
    can_see_billing: bool = False
    # Time rights (owners and admins have both whatever these say): track one's own time; see and change others'.
    can_track_time: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    can_edit_others_time: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # What an hour of the member's time is billed at when its service has no rate (cents).
    hourly_rate_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The language the member reads the app in; "" follows the firm's default.
    language: str = ""
    created_at: dt.datetime = when()


class StaffToken(SQLModel, table=True):
    """A team member's one-time link (password reset); only the SHA-256 of the token is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str  # reset
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    member_id: int = Field(foreign_key="teammember.id", index=True)
    created_at: dt.datetime = when()
    expires_at: dt.datetime = when()
    used_at: Optional[dt.datetime] = when(nullable=True)


class ApiToken(SQLModel, table=True):
    """A team member's personal access token for the REST API (`/api/v1`): it acts as that member, within its scope
    ("read", or "write" which reads too). Only the SHA-256 of the secret is kept; `prefix` is its first characters,
    for the member to tell tokens apart. A revoked token is kept (with when) so the list and the audit log read right."""

    id: Optional[int] = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="teammember.id", index=True)
    name: str
    scope: str = "read"
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    prefix: str = ""
    created_at: dt.datetime = when()
    last_used_at: Optional[dt.datetime] = when(nullable=True)
    revoked_at: Optional[dt.datetime] = when(nullable=True)


class ApiCall(SQLModel, table=True):
    """A REST API call of the last minute, counted against its key's limit ("token:<id>", "address:<ip>") by every
    web process alike (`services/access/rate_limits.py`; in Redis instead when REDIS_URL is set). `at` is the wall
    clock's seconds; rows older than the window are deleted as calls come."""

    __table_args__ = (Index("ix_apicall_key_at", "key", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str
    at: float = Field(index=True)


class LoginSession(SQLModel, table=True):
    """A staff login; the browser holds a random id, the database only its SHA-256."""

    id: Optional[int] = Field(default=None, primary_key=True)
    id_hash: str = Field(index=True, sa_column_kwargs={"unique": True})
    member_id: int = Field(foreign_key="teammember.id", index=True)
    created_at: dt.datetime = when()
    last_seen_at: dt.datetime = when()
    ended_at: Optional[dt.datetime] = when(nullable=True)


class Account(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    type: AccountType = AccountType.individual
    notes: str = ""
    archived: bool = False
    created_at: dt.datetime = when()
    updated_at: dt.datetime = changed()


class AccountTeam(SQLModel, table=True):
    """Team members who work on an account (what an employee without 'view all' may see)."""

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    member_id: int = Field(foreign_key="teammember.id", primary_key=True, index=True)


class Contact(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    first_name: str = ""
    last_name: str = ""
    email: str = Field(default="", index=True)
    # Further addresses and numbers, one per line.
    other_emails: str = ""
    phone: str = ""
    other_phones: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    # The language of the portal, the emails and the PDFs made for this contact; "" follows the firm's default.
    language: str = ""
    created_at: dt.datetime = when()
    updated_at: dt.datetime = changed()


class AccountContact(SQLModel, table=True):
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, index=True)
    # The invoice email goes to the account's contacts marked so (to its portal contacts when none is).
    receives_invoices: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class Tag(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    color: str = "#6b7280"


class AccountTag(SQLModel, table=True):
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class ContactTag(SQLModel, table=True):
    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class JobTag(SQLModel, table=True):
    # (tag_id, job_id) covers "jobs with this tag" without touching the table (board filter).
    __table_args__ = (Index("ix_jobtag_tag_job", "tag_id", "job_id"),)

    job_id: int = Field(foreign_key="job.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True)


class TaskTag(SQLModel, table=True):
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class Service(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    description: str = ""
    rate_cents: int = 0


class Pipeline(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    created_at: dt.datetime = when()


class Stage(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True)
    name: str
    position: int = 0


class Job(SQLModel, table=True):
    __table_args__ = (
        # The board reads each stage's first cards by this index (never the whole pipeline).
        # account_id last: the board's visibility check reads it from the index, not the table.
        Index("ix_job_board", "pipeline_id", "archived", "stage_id", "due_date", "id", "account_id"),
        Index("ix_job_account", "account_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    pipeline_id: int = Field(foreign_key="pipeline.id")
    stage_id: int = Field(foreign_key="stage.id")
    name: str
    priority: Priority = Priority.medium
    start_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None
    archived: bool = False
    created_at: dt.datetime = when()
    entered_stage_at: dt.datetime = when()
    # Bumped on every change: lets a stale screen's write be noticed.
    version: int = 1
    updated_at: dt.datetime = changed()


class JobAssignee(SQLModel, table=True):
    # (member_id, job_id) covers "jobs of this member" without touching the table (board filter).
    __table_args__ = (Index("ix_jobassignee_member_job", "member_id", "job_id"),)

    job_id: int = Field(foreign_key="job.id", primary_key=True)
    member_id: int = Field(foreign_key="teammember.id", primary_key=True)


class Task(SQLModel, table=True):
    __table_args__ = (Index("ix_task_assignee_status", "assignee_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    description: str = ""
    assignee_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    account_id: Optional[int] = Field(default=None, foreign_key="account.id", index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="task.id", index=True)
    status: TaskStatus = TaskStatus.planned
    due_date: Optional[dt.date] = None
    created_at: dt.datetime = when()
    completed_at: Optional[dt.datetime] = when(nullable=True)
    updated_at: dt.datetime = changed()


class TaskComment(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    author_id: int = Field(foreign_key="teammember.id")
    body: str
    created_at: dt.datetime = when()


class Event(SQLModel, table=True):
    """Outbox row written in the same transaction as the change it describes."""

    __table_args__ = (Index("ix_event_status", "status", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    job_id: Optional[int] = Field(default=None, index=True)
    account_id: Optional[int] = None
    actor_id: Optional[int] = None
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: EventStatus = EventStatus.pending
    attempts: int = 0
    lease_until: Optional[dt.datetime] = when(nullable=True)
    created_at: dt.datetime = when()
    # When it was handled, or set aside as failed.
    handled_at: Optional[dt.datetime] = when(nullable=True)
    # The last failed try in a sentence (what the owners and admins read about an event set aside).
    last_error: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # An event set aside that an owner or admin dismissed: kept, with who and when.
    dismissed_at: Optional[dt.datetime] = when(nullable=True)
    dismissed_by: Optional[int] = None


class AuditLog(SQLModel, table=True):
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = when(index=True)
    actor_id: Optional[int] = None
    actor_label: str = ""
    action: str
    entity: str
    entity_id: Optional[int] = None
    # The thing's name when the row was written (a thing deleted later keeps it), and the account it concerns.
    entity_label: str = ""
    account_id: Optional[int] = Field(default=None, index=True)
    summary: str = ""
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # A write made through the REST API: the token it came through (its id, and its name and prefix as they were,
    # never its secret); None and "" for writes made in the app or by the automations.
    api_token_id: Optional[int] = Field(default=None, index=True)
    api_token_label: str = Field(default="", sa_column_kwargs={"server_default": ""})


# --- automations, email, Inbox+ -------------------------------------------------------------


class MailSettings(SQLModel, table=True):
    """How the firm sends email (one row). The SMTP password never leaves the server."""

    id: Optional[int] = Field(default=None, primary_key=True)
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password: str = ""
    from_address: str = ""
    from_name: str = ""


class EmailTemplate(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    subject: str
    body: str
    # The French version, for contacts who read French (empty: everyone gets the text above).
    subject_fr: str = ""
    body_fr: str = ""
    updated_at: dt.datetime = when()


class MailStatus(str, Enum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutgoingMail(SQLModel, table=True):
    """The outgoing mail queue; `key` makes an automation's email exactly-once."""

    __table_args__ = (Index("ix_mail_due", "status", "next_attempt_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    to_address: str
    subject: str
    body: str
    status: MailStatus = MailStatus.queued
    attempts: int = 0
    next_attempt_at: dt.datetime = when()
    lease_until: Optional[dt.datetime] = when(nullable=True)
    last_error: str = ""
    # Why the last attempt failed, kept as its English template and values (rules.kept) so that each reader reads it
    # in their language (outbox.error_of); None for rows written before, which show last_error as written.
    last_error_words: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    account_id: Optional[int] = None
    job_id: Optional[int] = Field(default=None, index=True)
    run_id: Optional[int] = None
    # The Message-ID every attempt carries (set before the first): a receiver can drop a resend.
    message_id: str = ""
    # The team member who sent it by hand (told in Inbox+ with the owners and admins if it fails for good).
    sender_id: Optional[int] = None
    created_at: dt.datetime = when()
    sent_at: Optional[dt.datetime] = when(nullable=True)


class WebhookSettings(SQLModel, table=True):
    """The firm's webhook rules (one row): whether subscriptions may point at private addresses (this network,
    this machine), and the last event the fan-out has read."""

    id: Optional[int] = Field(default=None, primary_key=True)
    allow_private_addresses: bool = False
    last_event_id: int = 0


class WebhookSubscription(SQLModel, table=True):
    """An address that hears about the firm's events of the chosen kinds, each delivery signed with `secret`
    (Standard Webhooks, "whsec_" + base64). Set aside (enabled False, `disabled_reason`) after repeated failures."""

    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="teammember.id", index=True)
    url: str
    kinds: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str
    enabled: bool = True
    # Deliveries in a row that failed for good; reset by a success.
    failures: int = 0
    disabled_reason: str = ""
    # Only events after this one are sent (the newest event when the subscription was made or turned on).
    after_event_id: int = 0
    # Made for the rules' `send webhook "URL"` (one per address): hears no events of its own (`kinds` empty); the
    # rules' actions add its deliveries. Shown, with its secret and log, on the webhooks page like any other.
    from_rules: bool = False
    created_at: dt.datetime = when()


class DeliveryStatus(str, Enum):
    queued = "queued"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription, or one rule action's `send webhook`. `key` is the webhook-id every attempt
    and every replay carries, so the receiver can drop a copy it already has; it is unique, and made of the
    subscription and the event (msg_S_E) or of the rule action's idempotency key, so nothing is added twice."""

    __table_args__ = (Index("ix_webhookdelivery_due", "status", "next_attempt_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhooksubscription.id", index=True)
    event_id: int
    key: str = Field(sa_column_kwargs={"unique": True})
    kind: str
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: DeliveryStatus = DeliveryStatus.queued
    attempts: int = 0
    next_attempt_at: dt.datetime = when()
    lease_until: Optional[dt.datetime] = when(nullable=True)
    # The receiver's last answer: its HTTP status code (None: no answer) and a sentence.
    last_code: Optional[int] = None
    last_answer: str = ""
    created_at: dt.datetime = when()
    delivered_at: Optional[dt.datetime] = when(nullable=True)


class RuleSet(SQLModel, table=True):
    """One saved version of the firm's rules text."""

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
    author_id: Optional[int] = None
    author_label: str = ""
    note: str = ""
    created_at: dt.datetime = when()


class RunStatus(str, Enum):
    done = "done"            # fired, every action ran (or was skipped with a reason)
    not_fired = "not_fired"  # the trigger matched but the conditions did not hold
    skipped = "skipped"      # could not run (e.g. something it needs is not linked)
    failed = "failed"        # an action failed; later actions did not run
    waiting = "waiting"      # fired; some actions are delayed


class RuleRun(SQLModel, table=True):
    """The run log: one row per rule considered for an event, with the why."""

    __table_args__ = (UniqueConstraint("event_id", "rule_name", name="uq_run_event_rule"),
                      Index("ix_run_job", "job_id", "id"))

    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: Optional[int] = Field(default=None, index=True)
    schedule_key: Optional[str] = None
    rule_name: str
    ruleset_id: Optional[int] = None
    trigger: str = ""
    job_id: Optional[int] = None
    account_id: Optional[int] = None
    status: RunStatus = RunStatus.done
    reason: str = ""
    # The reason kept for telling it in each reader's language (rules.kept: its English template and values);
    # None for a reason that is plain text.
    reason_words: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    conditions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    actions: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    depth: int = 0
    created_at: dt.datetime = when()
    finished_at: Optional[dt.datetime] = when(nullable=True)


class ActionEffect(SQLModel, table=True):
    """Proof that an action's effect happened: its key (rule × trigger × action) is unique."""

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(sa_column_kwargs={"unique": True})
    run_id: Optional[int] = None
    outcome: str = ""
    created_at: dt.datetime = when()


class Due(SQLModel, table=True):
    """Work that comes due later: delayed actions and reminders (checked by the sweep)."""

    __table_args__ = (Index("ix_due_when", "status", "due_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str  # delayed_action | reminder
    key: str = Field(sa_column_kwargs={"unique": True})
    due_at: dt.datetime = when()
    status: str = "pending"  # pending | done | dropped
    run_id: Optional[int] = None
    job_id: Optional[int] = None
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = when()


class ScheduleState(SQLModel, table=True):
    """When each schedule rule last ran (catch up once, never twice)."""

    rule_name: str = Field(primary_key=True)
    anchor_at: dt.datetime = when()
    last_run_at: Optional[dt.datetime] = when(nullable=True)


class Notification(SQLModel, table=True):
    """Inbox+: one notification for one team member."""

    __table_args__ = (Index("ix_note_member", "member_id", "archived", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="teammember.id")
    kind: str = "notify"
    text: str
    # The text kept for telling it in the member's language whenever it is read (rules.kept: its English template
    # and values); None for text written by a person or a rule (an automation's `notify "..."`).
    text_words: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    link: str = ""
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    read_at: Optional[dt.datetime] = when(nullable=True)
    archived: bool = False
    created_at: dt.datetime = when()


class NotificationPreference(SQLModel, table=True):
    member_id: int = Field(foreign_key="teammember.id", primary_key=True)
    kind: str = Field(primary_key=True)
    enabled: bool = True


# --- client portal ----------------------------------------------------------------------------


class PortalStatus(str, Enum):
    invited = "invited"
    active = "active"
    revoked = "revoked"


class PortalLogin(SQLModel, table=True):
    """A contact's portal login (one per contact); the email is the contact's at invitation time."""

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", sa_column_kwargs={"unique": True})
    email: str = Field(index=True)
    password_hash: str = ""
    status: PortalStatus = PortalStatus.invited
    invited_at: dt.datetime = when()
    activated_at: Optional[dt.datetime] = when(nullable=True)
    revoked_at: Optional[dt.datetime] = when(nullable=True)
    last_login_at: Optional[dt.datetime] = when(nullable=True)


class PortalToken(SQLModel, table=True):
    """A one-time link (activation or password reset); only the SHA-256 of the token is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str  # activation | reset
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    contact_id: int = Field(foreign_key="contact.id", index=True)
    created_at: dt.datetime = when()
    expires_at: dt.datetime = when()
    used_at: Optional[dt.datetime] = when(nullable=True)


class PortalSession(SQLModel, table=True):
    """A contact's login; the browser holds a random id, the database only its SHA-256."""

    id: Optional[int] = Field(default=None, primary_key=True)
    id_hash: str = Field(sa_column_kwargs={"unique": True})
    contact_id: int = Field(foreign_key="contact.id", index=True)
    created_at: dt.datetime = when()
    last_seen_at: dt.datetime = when()
    ended_at: Optional[dt.datetime] = when(nullable=True)
    current_account_id: Optional[int] = None


class ClientTask(SQLModel, table=True):
    """A checklist item for the client on a job ("Upload your W-2"), ticked off in the portal."""

    __table_args__ = (Index("ix_clienttask_job", "job_id", "position"),
                      Index("ix_clienttask_account", "account_id", "done_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    # None for a task asked in a chat thread tied to no job.
    job_id: Optional[int] = Field(default=None, foreign_key="job.id")
    title: str
    description: str = ""
    done_at: Optional[dt.datetime] = when(nullable=True)
    done_by_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    created_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    created_at: dt.datetime = when()
    position: int = 0
    # The chat message that asked for it (None: added to the job's checklist directly).
    message_id: Optional[int] = Field(default=None, foreign_key="chatmessage.id", index=True)
    due_date: Optional[dt.date] = None


# --- chats between the firm and an account's contacts ----------------------------------------


class ChatThread(SQLModel, table=True):
    """A conversation between the firm and an account's portal contacts, optionally about one job."""

    __table_args__ = (Index("ix_chatthread_account", "account_id", "last_message_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    subject: str
    created_at: dt.datetime = when()
    created_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    # The newest client-visible message (what the client's list is ordered by) and the newest of all (staff).
    last_message_at: dt.datetime = when()
    archived_at: Optional[dt.datetime] = when(nullable=True)


class ChatMessage(SQLModel, table=True):
    """One message of a thread, by a team member, a contact or a rule; an internal note is staff-only."""

    __table_args__ = (Index("ix_chatmessage_thread", "thread_id", "id"),
                      Index("ix_chatmessage_notice", "notice_due_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="chatthread.id")
    account_id: int = Field(foreign_key="account.id", index=True)
    author_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    author_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    # Who wrote it, as shown (kept when the person is removed): "Ann Lee", "Dana (client)", 'Automation "X"'.
    author_name: str = ""
    text: str
    internal: bool = False
    created_at: dt.datetime = when()
    edited_at: Optional[dt.datetime] = when(nullable=True)
    # A staff message to the client: when its email notice is due, and when that was decided (sent or not).
    notice_due_at: Optional[dt.datetime] = when(nullable=True)
    notice_done_at: Optional[dt.datetime] = when(nullable=True)


class ChatAttachment(SQLModel, table=True):
    """A file sent with a message: a document of the account (shared with the client for a message to the client,
    internal for a note), listed in the thread as a link."""

    message_id: int = Field(foreign_key="chatmessage.id", primary_key=True)
    document_id: int = Field(foreign_key="document.id", primary_key=True, index=True)
    position: int = 0


class ChatStagedFile(SQLModel, table=True):
    """A file chosen for a chat message not sent yet: its bytes are on disk, no document holds them. Sending the
    message or removing the file drops the row; the worker's sweep deletes rows a day old with their bytes (kept when a
    document holds the same bytes). Plain ids, no foreign keys: a removed account's rows are swept like any other."""

    id: int | None = Field(default=None, primary_key=True)
    stored_key: str = Field(index=True)
    thread_id: int = Field(index=True)
    member_id: int | None = None
    contact_id: int | None = None
    staged_at: dt.datetime = when(index=True)


class MessageTemplate(SQLModel, table=True):
    """A chat message rules send (`send message "NAME" to account`): the conversation's subject and the text,
    with placeholders; a French version for contacts who read French."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    subject: str
    body: str
    subject_fr: str = ""
    body_fr: str = ""
    updated_at: dt.datetime = when()


class ChatRead(SQLModel, table=True):
    """How far one person (a member or a contact) has read a thread, and when."""

    # NULLs are distinct in a unique index: a contact's row never collides in the members' index, and back.
    __table_args__ = (Index("uq_chatread_member", "thread_id", "member_id", unique=True),
                      Index("uq_chatread_contact", "thread_id", "contact_id", unique=True))

    id: Optional[int] = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="chatthread.id")
    member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    last_read_message_id: int = 0
    read_at: dt.datetime = when()


# --- client requests: a list of items a client or a third party provides through a link --------------


class ClientRequestTemplate(SQLModel, table=True):
    """A request the firm sends again and again ("Mortgage broker's documents"): its title, message and items,
    each {"kind": "file" | "text" | "yes_no", "label": ..., "note": ...}."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    title: str
    message: str = ""
    items: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = when()
    updated_at: dt.datetime = when()


class ClientRequestStatus(str, Enum):
    open = "open"
    completed = "completed"
    revoked = "revoked"


class ClientRequest(SQLModel, table=True):
    """Items asked of a contact or of any email address (a broker, a former accountant), answered through a link
    scoped to this request alone. The link's token is made from `link_nonce` with the data folder's secret (so a
    reminder can send the same link again); the database keeps only its SHA-256. The email code a new device
    must enter is kept hashed, its tries counted."""

    __table_args__ = (Index("ix_clientrequest_job", "job_id", "created_at"),
                      Index("ix_clientrequest_account", "account_id", "created_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id")
    template_id: Optional[int] = Field(default=None, foreign_key="clientrequesttemplate.id")
    title: str
    message: str = ""
    # Who answers: a contact of the account (contact_id) or anyone at an address (contact_id None).
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    recipient_name: str = ""
    recipient_email: str
    status: ClientRequestStatus = ClientRequestStatus.open
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    link_nonce: str = ""
    created_at: dt.datetime = when()
    sent_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    sent_by_label: str = ""
    completed_at: Optional[dt.datetime] = when(nullable=True)
    revoked_at: Optional[dt.datetime] = when(nullable=True)
    revoked_by_label: str = ""
    last_opened_at: Optional[dt.datetime] = when(nullable=True)
    # A rule's action key: the same action run again finds this request instead of sending a second.
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    code_hash: str = ""
    code_sent_at: Optional[dt.datetime] = when(nullable=True)
    code_expires_at: Optional[dt.datetime] = when(nullable=True)
    code_attempts: int = 0


class ClientRequestItem(SQLModel, table=True):
    """One thing asked: a file upload, a short answer or a yes/no, with a note; its answer as given."""

    __table_args__ = (Index("ix_clientrequestitem_request", "request_id", "position"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="clientrequest.id")
    position: int = 0
    kind: str = "file"  # file | text | yes_no
    label: str
    note: str = ""
    answer_text: str = ""
    answer_yes: Optional[bool] = None
    # The account's documents uploaded for this item (through the documents' checked upload).
    document_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_at: Optional[dt.datetime] = when(nullable=True)


class ClientRequestDevice(SQLModel, table=True):
    """A browser that proved the recipient's email address with a code: only the SHA-256 of its device id."""

    __table_args__ = (Index("uq_clientrequestdevice", "request_id", "device_hash", unique=True),)

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="clientrequest.id")
    device_hash: str
    verified_at: dt.datetime = when()


# --- login safety: two-factor sign-in, pending logins, throttling ---------------------------


class SecuritySettings(SQLModel, table=True):
    """The firm's login rules (one row)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    require_two_factor: bool = False


class StaffTwoFactor(SQLModel, table=True):
    """A member's authenticator (TOTP) secret; on once `enabled_at` is set. Never leaves the server
    except while the member is setting it up."""

    member_id: int = Field(foreign_key="teammember.id", primary_key=True)
    secret: str
    enabled_at: Optional[dt.datetime] = when(nullable=True)
    # The newest 30-second step whose code was accepted: a code is never accepted twice.
    last_step: int = 0
    # SHA-256 of each unused recovery code (they are random, so a plain digest is enough).
    recovery_hashes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = when()


class PendingLogin(SQLModel, table=True):
    """A password step that still needs its two-factor code; the browser's state keeps a random id,
    the database its SHA-256."""

    id: Optional[int] = Field(default=None, primary_key=True)
    id_hash: str = Field(sa_column_kwargs={"unique": True})
    member_id: int = Field(foreign_key="teammember.id", index=True)
    principal: str = ""
    attempts: int = 0
    created_at: dt.datetime = when()
    expires_at: dt.datetime = when()
    used_at: Optional[dt.datetime] = when(nullable=True)


class SessionHandoff(SQLModel, table=True):
    """A login about to become the browser's HttpOnly session cookie: the page is given a one-time token, which the
    backend's /session/start trades for the cookie. Only the token's SHA-256 is kept; `session_row_id` is the
    LoginSession (kind "staff") or PortalSession (kind "portal") it opens."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column_kwargs={"unique": True})
    kind: str = "staff"
    session_row_id: int
    next_path: str = "/"
    created_at: dt.datetime = when()
    expires_at: dt.datetime = when(index=True)
    used_at: Optional[dt.datetime] = when(nullable=True)


class LoginAttempt(SQLModel, table=True):
    """Failed logins counted per key ("staff:<email>", "contact:<email>", "ip:<address>", "device:<id>" for a
    browser that logged in before): what slows down and then locks repeated guessing. A success clears the
    principal's (or device's) row. The row "attack:logins" tracks the current attack (see login_safety)."""

    key: str = Field(primary_key=True)
    failures: int = 0
    last_failed_at: Optional[dt.datetime] = when(nullable=True)
    blocked_until: Optional[dt.datetime] = when(nullable=True)
    locked: bool = False


# --- documents ----------------------------------------------------------------------------------


class DocumentStatus(str, Enum):
    ok = "ok"
    refused = "refused"  # kept as a record of the attempt; its content was not stored


class Folder(SQLModel, table=True):
    """A folder in an account's documents; `parent_id` None is a top-level folder."""

    __table_args__ = (Index("ix_folder_account_parent", "account_id", "parent_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    parent_id: Optional[int] = Field(default=None, foreign_key="folder.id")
    name: str
    # Shown in the client's portal and drive (with every folder above it shared), or internal to the firm.
    shared: bool = True
    created_at: dt.datetime = when()


class Document(SQLModel, table=True):
    """One uploaded file: the user's name and who/when here, the bytes on disk under `stored_key`."""

    __table_args__ = (Index("ix_document_account_folder", "account_id", "folder_id", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    folder_id: Optional[int] = Field(default=None, foreign_key="folder.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    # The name the uploader chose; shown and offered on download, never used as a path.
    name: str
    # Content address (SHA-256 of the bytes): the file's name on disk. Empty for a refused upload.
    stored_key: str = Field(default="", index=True)
    size: int = 0
    content_type: str = ""
    pages: Optional[int] = None
    status: DocumentStatus = DocumentStatus.ok
    refusal: str = ""
    uploaded_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    uploaded_by_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    uploaded_by_label: str = ""
    uploaded_at: dt.datetime = when()
    # Shown to the account's contacts (when its folder is shared too), or internal to the firm.
    shared: bool = True
    # In the trash since `deleted_at` (staff may restore it from there), deleted by whom as shown.
    deleted_at: Optional[dt.datetime] = when(nullable=True)
    deleted_by_label: str = ""
    updated_at: dt.datetime = changed()
    # Locked until this invoice (of the same account) is paid: the client sees it listed but cannot open it
    # (services/documents/locks.py). `use_alter`: invoices point back at documents (their PDFs).
    locked_by_invoice_id: Optional[int] = Field(default=None, sa_column=Column(
        Integer, ForeignKey("invoice.id", use_alter=True, name="fk_document_locked_by_invoice_id_invoice"),
        nullable=True, index=True))


class FolderTemplate(SQLModel, table=True):
    """A default folder structure (TaxDome's folder templates), applied by hand or by a rule."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    created_at: dt.datetime = when()


class FolderTemplateItem(SQLModel, table=True):
    """One folder of a template as a path, e.g. "2026/Tax returns"."""

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="foldertemplate.id", index=True)
    path: str
    position: int = 0
    # Whether the folder it makes is shared with the client (the folder's default for uploads).
    shared: bool = True


# --- approvals ----------------------------------------------------------------------------------


class ApprovalStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ApprovalRequest(SQLModel, table=True):
    """Staff asking the client to approve one document; the client approves, or rejects with a reason."""

    __table_args__ = (Index("ix_approvalrequest_account_status", "account_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    requested_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    # Who asked, as shown (a member's name, or an automation's).
    requested_by_label: str = ""
    status: ApprovalStatus = ApprovalStatus.pending
    reason: str = ""
    decided_by_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    decided_at: Optional[dt.datetime] = when(nullable=True)
    created_at: dt.datetime = when()


class DocumentView(SQLModel, table=True):
    """When a client contact first opened a document (the portal lists unopened ones as "to look at")."""

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    viewed_at: dt.datetime = when()


# --- signatures ---------------------------------------------------------------------------------


class FirmCertificate(SQLModel, table=True):
    """A certificate the firm seals signed files with; the newest active one is used.

    The private key is kept encrypted (PKCS#8 PEM, with the data folder's secret as passphrase).
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = "generated"  # generated | uploaded
    subject: str = ""
    issuer: str = ""
    fingerprint_sha256: str = Field(default="", index=True)
    not_before: Optional[dt.datetime] = when(nullable=True)
    not_after: Optional[dt.datetime] = when(nullable=True)
    cert_pem: str = ""
    # Intermediate certificates of an uploaded PKCS#12, PEM, in order (leaf excluded).
    chain_pem: str = ""
    key_pem_encrypted: str = ""
    active: bool = True
    created_at: dt.datetime = when()


class SigningSettings(SQLModel, table=True):
    """The firm's signing choices (one row): timestamp server, consent text, step names clients see."""

    id: Optional[int] = Field(default=None, primary_key=True)
    # RFC 3161 timestamp server; empty means no timestamp (nothing leaves the machine).
    tsa_url: str = ""
    # The electronic records and signatures disclosure; empty means the shipped default.
    disclosure_text: str = ""
    # Its French version, for clients who read French (empty: the text above, or the shipped default in French).
    disclosure_text_fr: str = ""
    # Names of the proposal steps as the client sees them, e.g. {"read": "Read", "choose": ..., "sign": ...}.
    proposal_steps: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = when()


class BackupSettings(SQLModel, table=True):
    """The firm's daily backup (one row, the owner's to change): where, how many to keep, and how the last went."""

    id: Optional[int] = Field(default=None, primary_key=True)
    enabled: bool = False
    # An absolute folder on the server, outside the data folder (ideally another disk).
    folder: str = ""
    keep: int = 7
    last_at: Optional[dt.datetime] = when(nullable=True)
    last_ok: bool = True
    last_result: str = ""


class DocumentTemplate(SQLModel, table=True):
    """A Jinja2 HTML document rendered to PDF (WeasyPrint); may carry its own signature fields."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    body: str = ""
    # The French version, for accounts whose contacts read French (empty: the text above).
    body_fr: str = ""
    updated_at: dt.datetime = when()


class SignatureRequestStatus(str, Enum):
    draft = "draft"  # fields being placed; signers not told yet
    sent = "sent"
    completed = "completed"
    declined = "declined"
    cancelled = "cancelled"


class SignatureRequest(SQLModel, table=True):
    """Staff asking one or more contacts of an account to sign one PDF (optionally in order)."""

    __table_args__ = (Index("ix_signaturerequest_account_status", "account_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    title: str
    message: str = ""
    # The PDF to sign (kept unchanged) and, once everyone signed, the sealed result.
    document_id: int = Field(foreign_key="document.id", index=True)
    signed_document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    template_name: str = ""
    in_order: bool = False
    require_email_code: bool = False
    status: SignatureRequestStatus = SignatureRequestStatus.draft
    original_sha256: str = ""
    stamped_sha256: str = ""
    final_sha256: str = ""
    requested_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    requested_by_label: str = ""
    # The automation's idempotency key when a rule made it (a retried run makes no second request).
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    created_at: dt.datetime = when()
    sent_at: Optional[dt.datetime] = when(nullable=True)
    completed_at: Optional[dt.datetime] = when(nullable=True)


class SignerStatus(str, Enum):
    waiting = "waiting"  # an earlier signer goes first
    pending = "pending"  # may sign now
    signed = "signed"
    declined = "declined"


class Signer(SQLModel, table=True):
    """One contact's part in a signature request, with everything the audit page reports."""

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="signaturerequest.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    position: int = 0
    status: SignerStatus = SignerStatus.waiting
    # This signer also proves the email address with a one-time code (chosen per signer when the request
    # is made; the request's require_email_code is the default for every signer).
    require_email_code: bool = False
    name: str = ""
    email: str = ""
    viewed_at: Optional[dt.datetime] = when(nullable=True)
    consented_at: Optional[dt.datetime] = when(nullable=True)
    signed_at: Optional[dt.datetime] = when(nullable=True)
    declined_at: Optional[dt.datetime] = when(nullable=True)
    decline_reason: str = ""
    # Where the signing happened (the request that signed).
    ip_address: str = ""
    user_agent: str = ""
    login: str = ""  # the portal login's email
    identity_check: str = ""  # e.g. "portal password" or "portal password + code sent by email"
    identity_result: str = ""
    signature_kind: str = ""  # drawn | typed
    # Drawn: {"strokes": [[[x, y], ...], ...]} in 0..1 of the pad; typed: {"text": "Jane Doe"}.
    signature: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    initials: str = ""
    # One-time email code: only its hash; attempts are counted.
    code_hash: str = ""
    code_sent_at: Optional[dt.datetime] = when(nullable=True)
    code_expires_at: Optional[dt.datetime] = when(nullable=True)
    code_attempts: int = 0
    code_verified_at: Optional[dt.datetime] = when(nullable=True)


class SignatureField(SQLModel, table=True):
    """A place on a page a signer fills: position and size are fractions (0..1) of the page, top-left origin."""

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="signaturerequest.id", index=True)
    signer_id: int = Field(foreign_key="signer.id", index=True)
    kind: str = "signature"  # signature | initials | date | text
    page: int = 0  # 0-based
    x: float = 0.0
    y: float = 0.0
    width: float = 0.25
    height: float = 0.05
    label: str = ""
    required: bool = True
    value: str = ""


class SigningConsent(SQLModel, table=True):
    """A contact's consent to sign and receive records electronically, with the exact text shown."""

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    disclosure_text: str
    disclosure_sha256: str
    consented_at: dt.datetime = when()
    ip_address: str = ""
    user_agent: str = ""
    withdrawn_at: Optional[dt.datetime] = when(nullable=True)


class SigningEvent(SQLModel, table=True):
    """One line of a signing audit trail (sent, viewed, consented, code sent/checked, signed, declined, sealed...)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: Optional[int] = Field(default=None, foreign_key="signaturerequest.id", index=True)
    proposal_id: Optional[int] = Field(default=None, foreign_key="proposal.id", index=True)
    signer_id: Optional[int] = Field(default=None, foreign_key="signer.id")
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    kind: str
    detail: str = ""
    ip_address: str = ""
    user_agent: str = ""
    at: dt.datetime = when()


# --- proposals ----------------------------------------------------------------------------------


class ProposalTemplate(SQLModel, table=True):
    """A proposal / engagement letter: introduction, services from the catalog, terms (Jinja2 placeholders)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    # The name a contact who reads French sees (empty: the name above).
    name_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    introduction: str = ""
    terms: str = ""
    # The French version of the texts, for clients who read French (empty: the texts above).
    introduction_fr: str = ""
    terms_fr: str = ""
    updated_at: dt.datetime = when()
    # The client pays the first invoice (the chosen lines) by card when signing; copied onto each sent proposal.
    require_payment: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class ProposalTemplateLine(SQLModel, table=True):
    """One service offered by a proposal template; optional lines are the client's choice."""

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="proposaltemplate.id", index=True)
    service_id: Optional[int] = Field(default=None, foreign_key="service.id")
    name: str
    description: str = ""
    quantity: int = 1
    price_cents: int = 0
    optional: bool = False
    position: int = 0


class QuestionKind(str, Enum):
    """What an organizer question asks for (the client's input and the type its show-if conditions read)."""

    short_text = "short_text"
    long_text = "long_text"
    number = "number"
    money = "money"
    date = "date"
    yes_no = "yes_no"
    one_of = "one_of"
    several_of = "several_of"
    file = "file"
    group = "group"  # a repeated group ("each dependent"): its sub-questions are asked once per entry


class OrganizerTemplate(SQLModel, table=True):
    """An organizer the firm sends clients to fill: sections of questions, in order."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    # The name a contact who reads French sees (empty: the name above).
    name_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    updated_at: dt.datetime = when()


class OrganizerSection(SQLModel, table=True):
    """One page of an organizer as the client sees it (the portal shows one section at a time)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="organizertemplate.id", index=True)
    title: str
    # The title a contact who reads French sees (empty: the title above).
    title_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    position: int = 0


class OrganizerQuestion(SQLModel, table=True):
    """One question of an organizer; a repeated group's sub-questions point at the group (`parent_id`).

    `show_if` is a condition in the rules language over earlier answers (`answer.<key>`) and the account's and
    contact's fields; `field_target` ("account.filing_status") and the tags are applied when the client submits."""

    __table_args__ = (UniqueConstraint("template_id", "key", name="uq_organizerquestion_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="organizertemplate.id", index=True)
    section_id: int = Field(foreign_key="organizersection.id", index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="organizerquestion.id", index=True)
    key: str
    label: str
    help: str = ""
    kind: QuestionKind = QuestionKind.short_text
    required: bool = False
    options: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The French version a contact who reads French sees (each empty one: the text above). `options_fr` holds the
    # French label of each choice, in the order of `options`; the answer kept is always the choice of `options`, so
    # conditions (`answer.<key>`) and field targets read the same value in both languages.
    label_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    help_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    options_fr: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    show_if: str = ""
    field_target: str = ""
    tags_add: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags_remove: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class OrganizerStatus(str, Enum):
    sent = "sent"  # waiting for the client's first answer
    in_progress = "in_progress"
    submitted = "submitted"
    reopened = "reopened"  # the firm opened a submitted one again: the client may change answers and submit again


class Organizer(SQLModel, table=True):
    """An organizer sent to an account: the client's answers to one template, kept as they type.

    `answers` maps a question's key to its answer: text, a number, cents for money, "2027-04-15" for a date, true or
    false, a choice or a list of choices, a list of the account's document ids for a file question, and for a repeated
    group a list of entries (each a dict of its sub-questions' answers). `key` is a rule action's idempotency key."""

    __table_args__ = (Index("ix_organizer_account_template", "account_id", "template_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="organizertemplate.id")
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    name: str
    # The template's French name when it was sent (empty: the name), what a contact who reads French sees.
    name_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    status: OrganizerStatus = OrganizerStatus.sent
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Last year's answers (the account's previous submitted organizer of this template), shown as suggestions.
    previous_id: Optional[int] = Field(default=None, foreign_key="organizer.id")
    sent_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    sent_by_label: str = ""
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    sent_at: dt.datetime = when()
    updated_at: dt.datetime = when()
    submitted_at: Optional[dt.datetime] = when(nullable=True)
    submitted_by_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    reopened_at: Optional[dt.datetime] = when(nullable=True)
    # Staff read the submitted answers (cleared when the client submits again).
    reviewed_at: Optional[dt.datetime] = when(nullable=True)
    reviewed_by_label: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The client asked the firm to reopen the submitted organizer, and why (cleared when it is reopened).
    reopen_requested_at: Optional[dt.datetime] = when(nullable=True)
    reopen_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The language the client submitted the answers in ("fr", "en"): the answers' PDF is made in it.
    language: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The answers' PDF the worker filed in the account's documents for the latest submission (cleared on each
    # submission, so a resubmission files a new one and a replayed event files nothing twice).
    answers_document_id: Optional[int] = Field(default=None, foreign_key="document.id")


class OrganizerAnswerReview(SQLModel, table=True):
    """Staff read one answer of a submitted organizer: who and when, and the answer as it was then (`answer`:
    {"value": ...}). A mark stands while the organizer holds that answer; the client changing it after a reopening
    clears the mark when they submit again."""

    __table_args__ = (UniqueConstraint("organizer_id", "question_key", name="uq_organizeranswerreview_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    question_key: str
    answer: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reviewed_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    reviewed_by_label: str = ""
    reviewed_at: dt.datetime = when()


class ProposalStatus(str, Enum):
    sent = "sent"
    signed = "signed"
    declined = "declined"
    cancelled = "cancelled"


class Proposal(SQLModel, table=True):
    """A proposal sent to an account: a frozen copy of its template, then the client's choices and signature."""

    __table_args__ = (Index("ix_proposal_account_status", "account_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    template_id: Optional[int] = Field(default=None, foreign_key="proposaltemplate.id")
    name: str
    # The template's French name when it was sent (empty: the name), what a contact who reads French sees.
    name_fr: str = Field(default="", sa_column_kwargs={"server_default": ""})
    introduction: str = ""  # rendered
    terms: str = ""  # rendered
    status: ProposalStatus = ProposalStatus.sent
    total_cents: int = 0
    requested_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    requested_by_label: str = ""
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    sent_at: dt.datetime = when()
    viewed_at: Optional[dt.datetime] = when(nullable=True)
    signed_at: Optional[dt.datetime] = when(nullable=True)
    signed_by_contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    signer_name: str = ""
    signature_kind: str = ""
    signature: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip_address: str = ""
    user_agent: str = ""
    declined_at: Optional[dt.datetime] = when(nullable=True)
    decline_reason: str = ""
    # The sealed PDF in the account's documents, once signed.
    document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    final_sha256: str = ""
    # Pay at signing: the signature is kept (signed_at) and the first invoice issued; the proposal stays `sent`
    # ("signed, awaiting payment") and counts as signed once that invoice is paid.
    require_payment: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    invoice_id: Optional[int] = Field(default=None, foreign_key="invoice.id", index=True)


class ProposalLine(SQLModel, table=True):
    """One service line of a sent proposal; `chosen` is the client's pick for optional lines."""

    id: Optional[int] = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    service_id: Optional[int] = Field(default=None, foreign_key="service.id")
    name: str
    description: str = ""
    quantity: int = 1
    price_cents: int = 0
    optional: bool = False
    chosen: bool = True
    position: int = 0


# --- billing (issue 17) --------------------------------------------------------------------------------------


class InvoiceStatus(str, Enum):
    draft = "draft"
    sent = "sent"
    partly_paid = "partly_paid"
    paid = "paid"
    void = "void"


class Invoice(SQLModel, table=True):
    """An invoice to an account. A draft has no number; issuing it (sending) gives it the firm's next number in the
    same transaction, and from then on its lines are frozen. Amounts are integer cents, kept with the lines'
    totals so an account's balance (what it owes) is one sum: total - paid - credited of invoices sent or partly
    paid. Voiding keeps the number (numbers are never reused nor skipped)."""

    __table_args__ = (Index("ix_invoice_account_status", "account_id", "status"),
                      Index("ix_invoice_status", "status", "id"))

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    number: Optional[int] = Field(default=None, sa_column_kwargs={"unique": True})
    status: InvoiceStatus = InvoiceStatus.draft
    issue_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None
    notes: str = ""
    terms: str = ""
    subtotal_cents: int = 0   # quantity x rate, before discounts
    discount_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0      # subtotal - discount - whole_discount + tax + whole_tax
    # A discount on the whole invoice, before tax: a percentage (basis points) or an amount, at most one of them;
    # `whole_discount_cents` is what it comes to, the sum of its lines' shares (InvoiceLine.whole_discount_cents).
    whole_discount_bp: int = 0
    whole_discount_fixed_cents: int = 0
    whole_discount_cents: int = 0
    # A tax on the whole invoice (basis points), after all discounts, on every line without a tax rate of its own;
    # `whole_tax_cents` is what it comes to, the sum of its lines' shares (InvoiceLine.whole_tax_cents). `tax_cents`
    # is the lines' own taxes.
    whole_tax_bp: int = 0
    whole_tax_cents: int = 0
    paid_cents: int = 0       # payments received, less what was refunded of them
    credited_cents: int = 0   # credits written off the invoice
    created_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    created_at: dt.datetime = when()
    sent_at: Optional[dt.datetime] = when(nullable=True)
    voided_at: Optional[dt.datetime] = when(nullable=True)
    void_reason: str = ""
    # The PDF filed in the account's documents when it was issued, and its VOID copy once voided.
    pdf_document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    void_document_id: Optional[int] = Field(default=None, foreign_key="document.id")
    # The job it bills, when a rule sent it for one (`send invoice "T" to account`): while it is unpaid, the job's
    # stage is not complete (stage items). `key` is the rule action's idempotency key: a replayed event finds it.
    job_id: Optional[int] = Field(default=None, foreign_key="job.id", index=True)
    key: Optional[str] = Field(default=None, sa_column_kwargs={"unique": True})
    template_id: Optional[int] = Field(default=None, foreign_key="invoicetemplate.id")
    # When it first became fully paid and `invoice_paid` fired: once per invoice, even when a payment recorded by
    # mistake is removed and recorded again.
    paid_at: Optional[dt.datetime] = when(nullable=True)


class InvoiceLine(SQLModel, table=True):
    """One line of an invoice: a service from the catalog or typed; quantity in hundredths (1.5 hours = 150),
    discount and tax rates in basis points (8.25% = 825); its amounts are worked out when saved."""

    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    service_id: Optional[int] = Field(default=None, foreign_key="service.id")
    name: str
    description: str = ""
    quantity_hundredths: int = 100
    rate_cents: int = 0
    discount_bp: int = 0
    tax_bp: int = 0
    amount_cents: int = 0     # quantity x rate
    discount_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0      # amount - discount - whole_discount + tax + whole_tax
    position: int = 0
    whole_discount_cents: int = 0  # this line's share of the invoice's whole discount (taxed after it)
    whole_tax_cents: int = 0  # this line's share of the invoice's whole tax (only a line with no tax rate of its own)


class InvoiceTemplate(SQLModel, table=True):
    """A named invoice the firm sends again and again (`send invoice "T" to account`): its lines (from the services
    catalog or typed, as the invoice editor reads them: service_id, name, description, quantity, rate_cents,
    discount, tax), the tax on the whole invoice (basis points, as Invoice.whole_tax_bp), notes, terms and how many
    days after issue it is due."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    lines: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = ""
    terms: str = ""
    due_days: int = 30
    whole_tax_bp: int = 0
    updated_at: dt.datetime = when()


class RecurringInvoice(SQLModel, table=True):
    """A series of invoices an account gets every month, quarter or year (monthly bookkeeping, quarterly payroll):
    its lines (as an invoice template keeps them), notes, terms, days until due, the first period's date and an
    optional last date. `next_period` is the next period's date still to be issued (None once the series ended);
    each period's invoice carries the key `recurring|<series id>|<period date>`, so it is made once. Invoices it
    issued stay when the series is deleted."""

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str
    lines: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = ""
    terms: str = ""
    due_days: int = 30
    interval: str = "monthly"  # monthly, quarterly, yearly
    whole_tax_bp: int = 0  # the tax on the whole invoice each period's invoice carries (as Invoice.whole_tax_bp)
    start_date: dt.date
    end_date: Optional[dt.date] = None
    send_automatically: bool = True
    paused: bool = False
    next_period: Optional[dt.date] = Field(default=None, index=True)
    created_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    created_at: dt.datetime = when()
    updated_at: dt.datetime = when()
    # Automatic card payment, given by a client contact in the portal: the provider's customer and card ids (never the
    # card itself), how the card is named to people ("Visa •••• 4242"), who agreed, when, and the words they agreed to.
    # Empty `card_method_id`: no automatic payment (never given, or withdrawn or turned off since).
    card_customer_id: str = ""
    card_method_id: str = ""
    card_label: str = ""
    card_consent_contact_id: Optional[int] = None
    card_consent_by: str = ""
    card_consent_at: Optional[dt.datetime] = when(nullable=True)
    card_consent_text: str = ""


class InvoiceCounter(SQLModel, table=True):
    """The firm's invoice numbering: the last number issued. Read and raised in the write transaction that issues an
    invoice (writers are serialized: BEGIN IMMEDIATE on SQLite, the advisory write lock on PostgreSQL), so numbers
    are consecutive and never given twice; a rolled-back issue gives its number back with it."""

    firm_id: int = Field(foreign_key="firm.id", primary_key=True)
    last_number: int = 0


class PaymentMethod(str, Enum):
    check = "check"
    bank_transfer = "bank_transfer"
    cash = "cash"
    credit = "credit"  # a credit written off the invoice by the firm, not money received
    card = "card"      # paid online by the client, through the firm's payment provider (services/payments)


class Payment(SQLModel, table=True):
    """Money received against an invoice (recorded by staff, or paid online by card), or a credit the firm gives on
    it. An online payment carries the provider's id of it (`provider_payment_id`, unique): a webhook delivered
    again finds it and records nothing."""

    __table_args__ = (Index("ix_payment_account", "account_id", "received_on"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    amount_cents: int
    method: PaymentMethod = PaymentMethod.check
    reference: str = ""       # check number, transfer reference, or the credit's reason
    received_on: dt.date
    recorded_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    recorded_by_label: str = ""
    created_at: dt.datetime = when()
    provider_payment_id: Optional[str] = Field(default=None, unique=True, index=True)
    # A credit applied from the account's credit note (method credit); removing the row gives the credit back.
    credit_note_id: Optional[int] = Field(default=None, foreign_key="creditnote.id", index=True)


class Refund(SQLModel, table=True):
    """Money given back from a recorded payment, all or part of it (never more than the payment less its earlier
    refunds). A card payment's refund went through the payment provider (`provider_refund_id`); a check, transfer
    or cash refund is recorded as staff made it. The invoice's paid amount is its payments less its refunds."""

    id: Optional[int] = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    amount_cents: int
    reason: str = ""
    refunded_on: dt.date
    provider_refund_id: Optional[str] = Field(default=None, unique=True)
    recorded_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    recorded_by_label: str = ""
    created_at: dt.datetime = when()


class CreditNote(SQLModel, table=True):
    """A credit the firm gives an account (an amount and its reason), applied to its open invoices like a payment
    (Payment rows with `credit_note_id`) or kept as the account's credit. `applied_cents` is kept in step with those
    rows, so an account's unapplied credit is one sum: amount - applied."""

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount_cents: int
    applied_cents: int = 0
    reason: str = ""
    issued_on: dt.date
    created_by_member_id: Optional[int] = Field(default=None, foreign_key="teammember.id")
    recorded_by_label: str = ""
    created_at: dt.datetime = when()


class PaymentSettings(SQLModel, table=True):
    """The firm's online card payments (one row): the provider and its keys. The secret key and the webhook signing
    secret never leave the server (pages see only whether they are saved); `checked_at` is when the keys last
    answered a test call."""

    id: Optional[int] = Field(default=None, primary_key=True)
    provider: str = "stripe"
    secret_key: str = ""
    publishable_key: str = ""
    webhook_secret: str = ""
    currency: str = "usd"
    checked_at: Optional[dt.datetime] = when(nullable=True)


class TimeEntry(SQLModel, table=True):
    """Time a member spent for an account (on one of its jobs or tasks, or not): a timer (started_at, and ended_at
    once stopped) or typed afterwards (a day and a duration). `minutes` is the duration once known. A member has at
    most one running timer: the partial unique index says so to the database, whatever the code does. An entry
    billed on an invoice is locked: `invoice_id` (and its line) are set, and `rate_cents` keeps the hourly rate it
    was billed at; until then its rate comes from its service, or else from the member."""

    __table_args__ = (
        Index("uq_timeentry_running", "member_id", unique=True,
              sqlite_where=text("started_at IS NOT NULL AND ended_at IS NULL"),
              postgresql_where=text("started_at IS NOT NULL AND ended_at IS NULL")),
        Index("ix_timeentry_account_invoice", "account_id", "invoice_id"),
        Index("ix_timeentry_member_day", "member_id", "work_date"),
        Index("ix_timeentry_job", "job_id"),
        Index("ix_timeentry_invoice", "invoice_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="teammember.id")
    account_id: int = Field(foreign_key="account.id")
    job_id: Optional[int] = Field(default=None, foreign_key="job.id")
    task_id: Optional[int] = Field(default=None, foreign_key="task.id")
    work_date: dt.date
    started_at: Optional[dt.datetime] = when(nullable=True)
    ended_at: Optional[dt.datetime] = when(nullable=True)
    minutes: int = 0
    service_id: Optional[int] = Field(default=None, foreign_key="service.id")
    billable: bool = True
    note: str = ""
    rate_cents: Optional[int] = None      # the hourly rate it was billed at (set when billed)
    invoice_id: Optional[int] = Field(default=None, foreign_key="invoice.id")
    invoice_line_id: Optional[int] = Field(default=None, foreign_key="invoiceline.id")
    created_at: dt.datetime = when()
    updated_at: dt.datetime = changed()


# --- the firm's own fields (issue 15) ------------------------------------------------------------------


class CustomField(SQLModel, table=True):
    """A field the firm adds to accounts, contacts or jobs. Rules read it by `key` (job.filing_status), which never
    changes; people read its `label`, which may."""

    __table_args__ = (UniqueConstraint("entity", "key", name="uq_customfield_entity_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    entity: str  # account, contact or job
    key: str
    label: str
    # text, number, money, date, yesno, choice (one of a list), email, phone, url
    type: str = "text"
    options: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    created_at: dt.datetime = when()


class CustomValue(SQLModel, table=True):
    """One field's value on one account, contact or job (the field's entity says which), kept as its canonical text:
    numbers and money as plain decimals (1234.5), dates as 2027-04-15, yes/no as yes or no."""

    # ix_customvalue_field_value: a filter of the accounts list or the board reads the items holding a value from
    # this index alone (a range of it), never the table.
    __table_args__ = (Index("ix_customvalue_item", "item_id", "field_id"),
                      Index("ix_customvalue_field_value", "field_id", "value", "item_id"))

    field_id: int = Field(foreign_key="customfield.id", primary_key=True)
    item_id: int = Field(primary_key=True)
    value: str


class ViewColumns(SQLModel, table=True):
    """The custom fields a team member shows as columns of a list (view: "accounts" or "board"), in their order."""

    member_id: int = Field(foreign_key="teammember.id", primary_key=True)
    view: str = Field(primary_key=True)
    field_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --- the board's counts, kept by the database ---------------------------------------------------------
# The board shows each stage's number of jobs; counting them on every load reads the whole pipeline
# (50,000 jobs: 10-40 ms, and an employee without "view all" also checks each job's account). These
# tables hold the counts and who may see which account, and SQLite triggers (below) keep them right
# on every insert, update and delete of jobs, assignees and account teams, whichever code path writes.


class StageCount(SQLModel, table=True):
    """Jobs not archived in each stage."""

    stage_id: int = Field(primary_key=True)
    n: int = 0


class AccountStageCount(SQLModel, table=True):
    """Jobs not archived per account and stage (what a member's counts gain when it starts seeing the account)."""

    account_id: int = Field(primary_key=True)
    stage_id: int = Field(primary_key=True)
    n: int = 0


class AccountViewer(SQLModel, table=True):
    """Why a member may see an account even without "view all": `reasons` = on its team (1) + its jobs the
    member is assigned to. Seen while reasons > 0: the rule of `actor.account_visible`, kept as a table."""

    # (member_id, account_id): "the accounts this member sees" for a board filtered by assignee or tag.
    __table_args__ = (Index("ix_accountviewer_member", "member_id", "account_id", "reasons"),)

    account_id: int = Field(primary_key=True)
    member_id: int = Field(primary_key=True)
    reasons: int = 0


class MemberStageCount(SQLModel, table=True):
    """Jobs not archived in each stage whose account the member may see (by team or assignment)."""

    member_id: int = Field(primary_key=True)
    stage_id: int = Field(primary_key=True)
    n: int = 0


class FieldStageCount(SQLModel, table=True):
    """Jobs not archived in each stage holding a value of a field that filters by "is" (a list's choice, yes/no), their
    own or their account's: the board filtered by "Return type is 1040" or "Filing status is MFJ" reads these instead
    of counting the jobs (kept from `BoardFieldEntry` by triggers)."""

    field_id: int = Field(primary_key=True)
    value: str = Field(primary_key=True)
    stage_id: int = Field(primary_key=True)
    n: int = 0


class AccountFieldStageCount(SQLModel, table=True):
    """The same per account (what a member's counts gain when it starts seeing the account)."""

    account_id: int = Field(primary_key=True)
    field_id: int = Field(primary_key=True)
    value: str = Field(primary_key=True)
    stage_id: int = Field(primary_key=True)
    n: int = 0


class MemberFieldStageCount(SQLModel, table=True):
    """The same over the accounts the member may see by team or assignment (an employee without "view all")."""

    member_id: int = Field(primary_key=True)
    field_id: int = Field(primary_key=True)
    value: str = Field(primary_key=True)
    stage_id: int = Field(primary_key=True)
    n: int = 0


def _upsert(table: str, keys: str, values: str, amount: str, where: str = "true", source: str = "") -> str:
    """INSERT ... SELECT that adds `amount` to the row's n (or reasons) when the row exists."""
    column = "reasons" if table == "accountviewer" else "n"
    return (f"INSERT INTO {table}({keys}, {column}) SELECT {values}, {amount} {source} WHERE {where} "
            f"ON CONFLICT({keys}) DO UPDATE SET {column} = {column} + excluded.{column};")


def _job_counts(row: str, sign: int) -> str:
    """Statements adding (+1) or removing (-1) one job row (`NEW` or `OLD`) from every count."""
    live = f"{row}.archived = 0"
    return " ".join([
        _upsert("stagecount", "stage_id", f"{row}.stage_id", str(sign), live),
        _upsert("accountstagecount", "account_id, stage_id", f"{row}.account_id, {row}.stage_id", str(sign), live),
        _upsert("memberstagecount", "member_id, stage_id", f"member_id, {row}.stage_id", str(sign),
                f"{live} AND account_id = {row}.account_id AND reasons > 0", "FROM accountviewer"),
    ])


def _viewer_reason(account: str, member: str, sign: int, where: str = "true", source: str = "") -> str:
    return _upsert("accountviewer", "account_id, member_id", f"{account}, {member}", str(sign), where, source)


def _job_account_of(row: str) -> str:
    return f"(SELECT account_id FROM job WHERE id = {row}.job_id)"


BOARD_COUNT_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS job_counted AFTER INSERT ON job BEGIN {_job_counts('NEW', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS job_uncounted AFTER DELETE ON job BEGIN {_job_counts('OLD', -1)} END",
    # A job's move, archiving or new account: out with the old row, in with the new. Between the two, its
    # assignees' reasons move from the old account to the new one (a merge of accounts).
    "CREATE TRIGGER IF NOT EXISTS job_recounted AFTER UPDATE OF stage_id, archived, account_id ON job "
    "WHEN OLD.stage_id IS NOT NEW.stage_id OR OLD.archived IS NOT NEW.archived "
    "OR OLD.account_id IS NOT NEW.account_id BEGIN "
    + _job_counts("OLD", -1)
    + _viewer_reason("OLD.account_id", "member_id", -1, "OLD.account_id IS NOT NEW.account_id AND job_id = NEW.id",
                     "FROM jobassignee")
    + _viewer_reason("NEW.account_id", "member_id", 1, "OLD.account_id IS NOT NEW.account_id AND job_id = NEW.id",
                     "FROM jobassignee")
    + _job_counts("NEW", 1) + " END",
    f"CREATE TRIGGER IF NOT EXISTS assignee_sees AFTER INSERT ON jobassignee BEGIN "
    f"{_viewer_reason(_job_account_of('NEW'), 'NEW.member_id', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS assignee_unsees AFTER DELETE ON jobassignee BEGIN "
    f"{_viewer_reason(_job_account_of('OLD'), 'OLD.member_id', -1)} END",
    f"CREATE TRIGGER IF NOT EXISTS assignee_changed AFTER UPDATE ON jobassignee BEGIN "
    f"{_viewer_reason(_job_account_of('OLD'), 'OLD.member_id', -1)} "
    f"{_viewer_reason(_job_account_of('NEW'), 'NEW.member_id', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS team_sees AFTER INSERT ON accountteam BEGIN "
    f"{_viewer_reason('NEW.account_id', 'NEW.member_id', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS team_unsees AFTER DELETE ON accountteam BEGIN "
    f"{_viewer_reason('OLD.account_id', 'OLD.member_id', -1)} END",
    f"CREATE TRIGGER IF NOT EXISTS team_changed AFTER UPDATE ON accountteam BEGIN "
    f"{_viewer_reason('OLD.account_id', 'OLD.member_id', -1)} {_viewer_reason('NEW.account_id', 'NEW.member_id', 1)} END",
    # When a member starts (or stops) seeing an account, its counts gain (or lose) the account's jobs.
    "CREATE TRIGGER IF NOT EXISTS viewer_added AFTER INSERT ON accountviewer WHEN NEW.reasons > 0 BEGIN "
    + _upsert("memberstagecount", "member_id, stage_id", "NEW.member_id, stage_id", "n",
              "account_id = NEW.account_id AND n <> 0", "FROM accountstagecount") + " END",
    "CREATE TRIGGER IF NOT EXISTS viewer_flipped AFTER UPDATE OF reasons ON accountviewer "
    "WHEN (OLD.reasons > 0) <> (NEW.reasons > 0) BEGIN "
    + _upsert("memberstagecount", "member_id, stage_id", "NEW.member_id, stage_id",
              "CASE WHEN NEW.reasons > 0 THEN n ELSE -n END", "account_id = NEW.account_id AND n <> 0",
              "FROM accountstagecount") + " END",
]

# The counts computed from scratch (a migration's backfill, and the tests' check of the triggers).
BOARD_COUNT_REBUILD = [
    "DELETE FROM stagecount", "DELETE FROM accountstagecount", "DELETE FROM accountviewer",
    "DELETE FROM memberstagecount",
    "INSERT INTO stagecount(stage_id, n) SELECT stage_id, count(*) FROM job WHERE archived = 0 GROUP BY stage_id",
    "INSERT INTO accountstagecount(account_id, stage_id, n) SELECT account_id, stage_id, count(*) FROM job "
    "WHERE archived = 0 GROUP BY account_id, stage_id",
    "INSERT INTO accountviewer(account_id, member_id, reasons) SELECT account_id, member_id, count(*) FROM "
    "(SELECT account_id, member_id FROM accountteam UNION ALL SELECT job.account_id, jobassignee.member_id "
    "FROM jobassignee JOIN job ON job.id = jobassignee.job_id) GROUP BY account_id, member_id",
    "INSERT INTO memberstagecount(member_id, stage_id, n) SELECT v.member_id, c.stage_id, sum(c.n) "
    "FROM accountviewer v JOIN accountstagecount c ON c.account_id = v.account_id WHERE v.reasons > 0 "
    "GROUP BY v.member_id, c.stage_id",
]


# The board filtered by a field's value ("is": a list's choice, yes/no), a job field's or its cards' accounts': a board
# index per value (`BoardFieldEntry`: the jobs not archived holding it, in each stage in the board's order) and the same
# counts per field value. Triggers keep the entries on a value set, changed or cleared, a job added, moved, given a due
# date, archived, moved to another account (a merge) or deleted, and a field deleted or its type or entity changed (its
# entries made again); triggers on the entries keep the counts, and those on who sees an account keep the members'.
_FILTERED = "f.type IN ('choice', 'yesno')"
_FIELD_KEYS = {"fieldstagecount": "field_id, value, stage_id", "accountfieldstagecount": "account_id, field_id, value, stage_id",
               "memberfieldstagecount": "member_id, field_id, value, stage_id"}
_ENTRY = "INSERT INTO boardfieldentry(field_id, value, stage_id, due_date, job_id, account_id) "


class BoardFieldEntry(SQLModel, table=True):
    """A job not archived holding a value of a field the board filters by "is" (a list's choice, yes/no), its own
    (a job field) or its account's (an account field): the board filtered by "Return type is 1040" reads each stage's
    first cards from `ix_boardfieldentry_board` in the board's order (due date, no date first, then id), 50 rows like
    the plain board, instead of walking the stage and probing each job for the value."""

    __table_args__ = (Index("ix_boardfieldentry_board", "field_id", "value", "stage_id", "due_date", "job_id",
                            "account_id"),)

    job_id: int = Field(primary_key=True)
    field_id: int = Field(primary_key=True)
    value: str
    stage_id: int
    due_date: Optional[dt.date] = None
    account_id: int


def _job_entries(row: str) -> str:
    """The entries of one job row (`NEW`): each filtered value of its own fields and of its account's."""
    return (f"{_ENTRY}SELECT cv.field_id, cv.value, {row}.stage_id, {row}.due_date, {row}.id, {row}.account_id "
            "FROM customfield f JOIN customvalue cv ON cv.field_id = f.id AND cv.item_id = "
            f"CASE f.entity WHEN 'job' THEN {row}.id ELSE {row}.account_id END "
            f"WHERE {row}.archived = 0 AND f.entity IN ('job', 'account') AND {_FILTERED};")


def _value_entries(row: str) -> str:
    """The entries of one value row (`NEW`): its job's, or each job of its account's, when the field is filtered."""
    def of(entity: str, job: str) -> str:
        return (f"{_ENTRY}SELECT {row}.field_id, {row}.value, job.stage_id, job.due_date, job.id, job.account_id "
                f"FROM job WHERE job.{job} = {row}.item_id AND job.archived = 0 AND EXISTS (SELECT 1 FROM customfield f "
                f"WHERE f.id = {row}.field_id AND f.entity = '{entity}' AND {_FILTERED});")
    return of("job", "id") + " " + of("account", "account_id")


def _value_unentries(row: str) -> str:
    """Remove the entries of one value row (`OLD`)."""
    def entity(name: str) -> str:
        return f"EXISTS (SELECT 1 FROM customfield f WHERE f.id = {row}.field_id AND f.entity = '{name}')"
    return (f"DELETE FROM boardfieldentry WHERE field_id = {row}.field_id AND job_id = {row}.item_id AND "
            f"{entity('job')}; DELETE FROM boardfieldentry WHERE field_id = {row}.field_id AND job_id IN "
            f"(SELECT id FROM job WHERE account_id = {row}.item_id) AND {entity('account')};")


def _entry_counts(row: str, sign: int) -> str:
    """Statements adding (+1) or removing (-1) one entry row (`NEW` or `OLD`) from the field counts."""
    return " ".join([
        _upsert("fieldstagecount", _FIELD_KEYS["fieldstagecount"], f"{row}.field_id, {row}.value, {row}.stage_id",
                str(sign)),
        _upsert("accountfieldstagecount", _FIELD_KEYS["accountfieldstagecount"],
                f"{row}.account_id, {row}.field_id, {row}.value, {row}.stage_id", str(sign)),
        _upsert("memberfieldstagecount", _FIELD_KEYS["memberfieldstagecount"],
                f"member_id, {row}.field_id, {row}.value, {row}.stage_id", str(sign),
                f"account_id = {row}.account_id AND reasons > 0", "FROM accountviewer"),
    ])


def _all_entries(only: str = "") -> str:
    """The entries computed from scratch (of every filtered field, or of one: `only` is its id's expression)."""
    one = f" AND f.id = {only}" if only else ""

    def of(entity: str, job: str) -> str:
        return ("SELECT cv.field_id, cv.value, job.stage_id, job.due_date, job.id, job.account_id FROM customfield f "
                f"JOIN customvalue cv ON cv.field_id = f.id JOIN job ON job.{job} = cv.item_id "
                f"WHERE f.entity = '{entity}' AND {_FILTERED} AND job.archived = 0{one}")
    return _ENTRY + of("job", "id") + " UNION ALL " + of("account", "account_id")


def _field_rebuild() -> list[str]:
    """The entries and the field counts computed from scratch."""
    return [
        "DELETE FROM boardfieldentry", *(f"DELETE FROM {table}" for table in _FIELD_KEYS), _all_entries(),
        "INSERT INTO fieldstagecount(field_id, value, stage_id, n) SELECT field_id, value, stage_id, count(*) "
        "FROM boardfieldentry GROUP BY field_id, value, stage_id",
        "INSERT INTO accountfieldstagecount(account_id, field_id, value, stage_id, n) SELECT account_id, field_id, value, "
        "stage_id, count(*) FROM boardfieldentry GROUP BY account_id, field_id, value, stage_id",
        "INSERT INTO memberfieldstagecount(member_id, field_id, value, stage_id, n) SELECT v.member_id, c.field_id, "
        "c.value, c.stage_id, sum(c.n) FROM accountviewer v JOIN accountfieldstagecount c ON c.account_id = v.account_id "
        "WHERE v.reasons > 0 GROUP BY v.member_id, c.field_id, c.value, c.stage_id",
    ]


def _viewer_field_counts(amount: str) -> str:
    return _upsert("memberfieldstagecount", _FIELD_KEYS["memberfieldstagecount"],
                   "NEW.member_id, field_id, value, stage_id", amount, "account_id = NEW.account_id AND n <> 0",
                   "FROM accountfieldstagecount")


def _forget_field(field: str) -> str:
    """A field's entries removed (their counts with them), then its count rows (left at 0)."""
    return (f"DELETE FROM boardfieldentry WHERE field_id = {field}; "
            + " ".join(f"DELETE FROM {table} WHERE field_id = {field};" for table in _FIELD_KEYS))


FIELD_COUNT_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS entry_counted AFTER INSERT ON boardfieldentry BEGIN {_entry_counts('NEW', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS entry_uncounted AFTER DELETE ON boardfieldentry BEGIN {_entry_counts('OLD', -1)} END",
    f"CREATE TRIGGER IF NOT EXISTS job_entered AFTER INSERT ON job BEGIN {_job_entries('NEW')} END",
    "CREATE TRIGGER IF NOT EXISTS job_unentered AFTER DELETE ON job BEGIN "
    "DELETE FROM boardfieldentry WHERE job_id = OLD.id; END",
    # Whichever of job_recounted and this runs first, a member who starts or stops seeing an account meanwhile ends
    # with the right counts (it gains or loses the account's counts as they are at that moment).
    "CREATE TRIGGER IF NOT EXISTS job_reentered AFTER UPDATE OF stage_id, due_date, archived, account_id ON job "
    "WHEN OLD.stage_id IS NOT NEW.stage_id OR OLD.due_date IS NOT NEW.due_date OR OLD.archived IS NOT NEW.archived "
    "OR OLD.account_id IS NOT NEW.account_id BEGIN DELETE FROM boardfieldentry WHERE job_id = OLD.id; "
    f"{_job_entries('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS value_entered AFTER INSERT ON customvalue BEGIN {_value_entries('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS value_unentered AFTER DELETE ON customvalue BEGIN {_value_unentries('OLD')} END",
    "CREATE TRIGGER IF NOT EXISTS value_reentered AFTER UPDATE ON customvalue WHEN OLD.value IS NOT NEW.value "
    "OR OLD.item_id IS NOT NEW.item_id OR OLD.field_id IS NOT NEW.field_id BEGIN "
    f"{_value_unentries('OLD')} {_value_entries('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS field_unentered AFTER DELETE ON customfield BEGIN {_forget_field('OLD.id')} END",
    "CREATE TRIGGER IF NOT EXISTS field_reentered AFTER UPDATE OF type, entity ON customfield "
    f"WHEN OLD.type IS NOT NEW.type OR OLD.entity IS NOT NEW.entity BEGIN {_forget_field('NEW.id')} "
    f"{_all_entries('NEW.id')}; END",
    "CREATE TRIGGER IF NOT EXISTS viewer_fields_added AFTER INSERT ON accountviewer WHEN NEW.reasons > 0 BEGIN "
    + _viewer_field_counts("n") + " END",
    "CREATE TRIGGER IF NOT EXISTS viewer_fields_flipped AFTER UPDATE OF reasons ON accountviewer "
    "WHEN (OLD.reasons > 0) <> (NEW.reasons > 0) BEGIN "
    + _viewer_field_counts("CASE WHEN NEW.reasons > 0 THEN n ELSE -n END") + " END",
]
FIELD_COUNT_TRIGGER_NAMES = ("entry_counted", "entry_uncounted", "job_entered", "job_unentered", "job_reentered",
                             "value_entered", "value_unentered", "value_reentered", "field_unentered",
                             "field_reentered", "viewer_fields_added", "viewer_fields_flipped")
# The triggers that kept the job fields' counts before the entries did (migration d5b7e9f1a3c6), dropped with them.
OLD_FIELD_COUNT_TRIGGER_NAMES = ("job_fields_counted", "job_fields_uncounted", "job_fields_recounted", "value_counted",
                                 "value_uncounted", "value_recounted", "field_uncounted", "field_recounted")


# The values a board card shows in its columns (the member's chosen fields): the cards' statement reads them from the
# rows it already reads, the job's and its account's, rather than probing `customvalue` once per card and field (two
# columns on 500 cards: 4 ms of an employee's 15 ms board). Each row keeps its own fields' values (a job its job fields',
# an account its account fields') as a JSON object {field id: value as kept}; a job moved to another account or a merge
# needs nothing. Not mapped: the ORM never reads or writes them, SQLite triggers keep them on a value set, changed,
# moved or cleared and a field added, deleted or given another entity; NULL when the row has none. Other databases
# never read them (PostgreSQL reads `customvalue`).
Job.__table__.append_column(Column("field_values", Text, nullable=True))
Account.__table__.append_column(Column("field_values", Text, nullable=True))
SHOWN_ENTITIES = ("job", "account")


def _values_of(entity: str, item: str) -> str:
    """The JSON object of one row's values (NULL when it has none)."""
    return ("(SELECT nullif(json_group_object(cv.field_id, cv.value), '{}') FROM customvalue cv JOIN customfield f ON "
            f"f.id = cv.field_id WHERE cv.item_id = {item} AND f.entity = '{entity}')")


def _refresh(entity: str, where: str) -> str:
    return f"UPDATE {entity} SET field_values = {_values_of(entity, entity + '.id')} WHERE {where};"


def _value_shown(row: str) -> str:
    """The values of the row that one value row (`NEW` or `OLD`) belongs to, made again."""
    return " ".join(_refresh(entity, f"id = {row}.item_id AND EXISTS (SELECT 1 FROM customfield f WHERE "
                                     f"f.id = {row}.field_id AND f.entity = '{entity}')") for entity in SHOWN_ENTITIES)


def _field_shown(row: str) -> str:
    """The values of every row holding a value of one field (`NEW` or `OLD`), of either entity, made again."""
    return " ".join(_refresh(entity, f"id IN (SELECT item_id FROM customvalue WHERE field_id = {row}.id)")
                    for entity in SHOWN_ENTITIES)


def _row_shown(entity: str) -> str:
    """A new job or account: its values, if some were left under its id (normally none)."""
    return _refresh(entity, "id = NEW.id AND EXISTS (SELECT 1 FROM customvalue WHERE item_id = NEW.id)")


VALUE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS value_shown AFTER INSERT ON customvalue BEGIN {_value_shown('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS value_unshown AFTER DELETE ON customvalue BEGIN {_value_shown('OLD')} END",
    "CREATE TRIGGER IF NOT EXISTS value_reshown AFTER UPDATE ON customvalue WHEN OLD.value IS NOT NEW.value "
    f"OR OLD.item_id IS NOT NEW.item_id OR OLD.field_id IS NOT NEW.field_id BEGIN {_value_shown('OLD')} "
    f"{_value_shown('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS field_shown AFTER INSERT ON customfield BEGIN {_field_shown('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS field_unshown AFTER DELETE ON customfield BEGIN {_field_shown('OLD')} END",
    "CREATE TRIGGER IF NOT EXISTS field_reshown AFTER UPDATE OF entity ON customfield WHEN OLD.entity IS NOT NEW.entity "
    f"BEGIN {_field_shown('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS job_shown AFTER INSERT ON job BEGIN {_row_shown('job')} END",
    f"CREATE TRIGGER IF NOT EXISTS account_shown AFTER INSERT ON account BEGIN {_row_shown('account')} END",
]
VALUE_TRIGGER_NAMES = ("value_shown", "value_unshown", "value_reshown", "field_shown", "field_unshown", "field_reshown",
                       "job_shown", "account_shown")
# Made from scratch (a migration's backfill, a bulk load, the tests' check of the triggers).
VALUE_REBUILD = [statement for entity in SHOWN_ENTITIES for statement in (
    f"UPDATE {entity} SET field_values = NULL WHERE field_values IS NOT NULL",
    _refresh(entity, f"id IN (SELECT cv.item_id FROM customvalue cv JOIN customfield f ON f.id = cv.field_id "
                     f"AND f.entity = '{entity}')").rstrip(";"))]

BOARD_COUNT_TRIGGER_NAMES = ("job_counted", "job_uncounted", "job_recounted", "assignee_sees", "assignee_unsees",
                             "assignee_changed", "team_sees", "team_unsees", "team_changed", "viewer_added",
                             "viewer_flipped")


def drop_board_counts(connection) -> None:
    """Remove the triggers, before a bulk load (then `install_board_counts` in the same transaction)."""
    if connection.dialect.name != "sqlite":
        return
    for name in BOARD_COUNT_TRIGGER_NAMES + FIELD_COUNT_TRIGGER_NAMES + OLD_FIELD_COUNT_TRIGGER_NAMES + VALUE_TRIGGER_NAMES:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def install_board_counts(connection, fields: bool = True, values: bool = True) -> None:
    """Fill the count tables from the data, then add the triggers that keep them (SQLite only); without `fields`, not
    the field counts (the migrations that came before their tables), without `values` not the cards' values kept on
    the jobs and accounts (those before their columns)."""
    if connection.dialect.name != "sqlite":
        return
    drop_board_counts(connection)
    more = (_field_rebuild() + FIELD_COUNT_TRIGGERS) if fields else []
    more += (VALUE_REBUILD + VALUE_TRIGGERS) if fields and values else []
    for statement in BOARD_COUNT_REBUILD + BOARD_COUNT_TRIGGERS + more:
        connection.exec_driver_sql(statement)


@event.listens_for(SQLModel.metadata, "after_create")
def _board_counts_on_create(_metadata, connection, **_kw) -> None:
    # Databases made from the models (the tests) get the triggers a migration gives the others.
    install_board_counts(connection)


def touch(session, model, ids) -> None:
    """Mark rows changed (their `updated_at` now) when what changed is kept elsewhere: a contact's accounts, a job's
    assignees (for deletes of those links made with `delete(...)`, which no flush sees)."""
    ids = [i for i in ids if i is not None]
    if ids:
        session.execute(sa_update(model).where(model.id.in_(ids)).values(updated_at=utcnow()))


@event.listens_for(Session, "before_flush")
def _touch_owners(session, _context, _instances) -> None:
    """A contact's accounts and a job's assignees are rows of their own: adding or removing one changes the contact
    (or job) as the REST API shows it, so its `updated_at` moves too."""
    now = None
    for row in (*session.new, *session.deleted):
        owner = (Contact, row.contact_id) if isinstance(row, AccountContact) else \
            (Job, row.job_id) if isinstance(row, JobAssignee) else None
        if owner is None:
            continue
        thing = session.get(*owner)
        if thing is not None and thing not in session.deleted:
            now = now or utcnow()
            thing.updated_at = now

