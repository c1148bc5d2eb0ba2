"""The rules language's syntax tree: small frozen dataclasses that keep where they were written.

Every node has a ``span`` (line and column, 1-based, end column exclusive) that is left out of
equality, so two parses of differently laid-out texts with the same meaning compare equal
(the formatter's round-trip test relies on this).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Optional, Union


@dataclass(frozen=True)
class Span:
    """Where a piece of a rule was written: 1-based line and column; the end column is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def merge(self, other: "Span") -> "Span":
        """The smallest span covering both."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1])


NO_SPAN = Span(1, 1, 1, 1)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ------------------------------------------------------------------ values


@dataclass(frozen=True)
class Field:
    """A fact's field, like ``job.due_date`` (written in any case, kept in lower case)."""

    entity: str
    name: str
    span: Span = _span()

    @property
    def path(self) -> str:
        return f"{self.entity}.{self.name}"


@dataclass(frozen=True)
class Text:
    """Text in double quotes (the value without quotes, escapes resolved)."""

    value: str
    span: Span = _span()


@dataclass(frozen=True)
class Number:
    """A number such as ``1000`` or ``1000.50`` (never negative)."""

    value: Decimal
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True)
class DateLiteral:
    """A date written ``2027-04-15``; ``value`` is None when the date does not exist."""

    value: Optional[date]
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True)
class Today:
    span: Span = _span()


@dataclass(frozen=True)
class Now:
    span: Span = _span()


@dataclass(frozen=True)
class YesNo:
    value: bool
    span: Span = _span()


UNITS = ("minute", "hour", "day", "business day", "week", "month", "year")


@dataclass(frozen=True)
class Duration:
    """``3 days``; ``unit`` is one of UNITS."""

    amount: Decimal
    unit: str
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True)
class Shifted:
    """A date moved by a duration: ``today + 3 days``, ``job.due_date - 1 week``."""

    base: "Expr"
    sign: int  # +1 or -1
    duration: Duration
    span: Span = _span()


Expr = Union[Field, Text, Number, DateLiteral, Today, Now, YesNo, Shifted]

# ------------------------------------------------------------------ conditions

# Operators of Compare, in their canonical written form.
COMPARE_OPS = (
    "is", "is not", "<", "<=", ">", ">=", "contains", "does not contain", "starts with",
    "is before", "is after",
)


@dataclass(frozen=True)
class Compare:
    """``left OP right`` for the two-sided tests (``is``, ``<``, ``contains``, ``is before``...)."""

    left: Expr
    op: str
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class OneOf:
    """``x is one of ("A", "B")`` (``negated`` for ``is not one of``)."""

    left: Expr
    values: tuple
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Empty:
    """``x is empty`` / ``x is not empty``."""

    subject: Expr
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Within:
    """``x is within 7 days`` (between now and 7 days from now)."""

    subject: Expr
    duration: Duration
    span: Span = _span()


@dataclass(frozen=True)
class Ago:
    """``x is more than 3 days ago`` (``more`` True) / ``x is less than 2 weeks ago``."""

    subject: Expr
    duration: Duration
    more: bool
    span: Span = _span()


@dataclass(frozen=True)
class HasTag:
    """``account has tag "VIP"`` / ``account does not have tag "VIP"``."""

    entity: str
    tag: Text
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class And:
    parts: tuple
    span: Span = _span()


@dataclass(frozen=True)
class Or:
    parts: tuple
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    part: "Condition"
    span: Span = _span()


@dataclass(frozen=True)
class Group:
    """A condition the writer put in parentheses (kept so the formatter writes them back)."""

    inner: "Condition"
    span: Span = _span()


Test = Union[Compare, OneOf, Empty, Within, Ago, HasTag]
Condition = Union[Test, And, Or, Not, Group]

# ------------------------------------------------------------------ triggers

# Event trigger kinds written without names (the event names the app sends, see README).
SIMPLE_EVENTS = {
    "stage_items_completed": "stage items are completed",
    "organizer_submitted": "organizer is submitted",
    "proposal_signed": "proposal is signed",
    "invoice_paid": "invoice is paid",
    "document_approved": "document is approved",
    "document_rejected": "document is rejected",
    "document_uploaded": "document is uploaded",
    "signature_completed": "signature is completed",
    "client_request_completed": "client request is completed",
    "client_tasks_completed": "client tasks are completed",
    "message_received": "message is received",
}


@dataclass(frozen=True)
class StageTrigger:
    """``when job enters stage "S" [in pipeline "P"]`` (``leaves`` False) or ``leaves``."""

    leaves: bool
    stage: Text
    pipeline: Optional[Text] = None
    span: Span = _span()

    @property
    def event(self) -> str:
        return "job_left_stage" if self.leaves else "job_entered_stage"


@dataclass(frozen=True)
class JobCreated:
    pipeline: Optional[Text] = None
    span: Span = _span()

    event = "job_created"


@dataclass(frozen=True)
class EventTrigger:
    """One of SIMPLE_EVENTS, like ``when invoice is paid``."""

    kind: str
    span: Span = _span()

    @property
    def event(self) -> str:
        return self.kind


@dataclass(frozen=True)
class TagTrigger:
    """``when tag "T" is added to account`` / ``is removed from job``."""

    tag: Text
    added: bool
    target: str
    span: Span = _span()

    @property
    def event(self) -> str:
        return "tag_added" if self.added else "tag_removed"


DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)


@dataclass(frozen=True)
class Schedule:
    """``every ...``.

    kind is one of: day, weekday, week (weekday + interval weeks), month (day or last),
    quarter (day or last), year (month + day). ``day`` None with kind month/quarter means
    the last day. ``weekday`` is 0 for Monday.
    """

    kind: str
    interval: int = 1
    weekday: Optional[int] = None
    day: Optional[int] = None
    month: Optional[int] = None
    at: Optional[time] = None
    # ``every monday`` and ``every week on monday`` mean the same; remember which was written.
    short_form: bool = field(default=False, compare=False)
    span: Span = _span()
    # Spans of the numbers written, for error carets.
    day_span: Span = _span()
    at_span: Span = _span()
    interval_span: Span = _span()
    at_text: str = field(default="", compare=False)
    # The numbers as written (the formatter keeps what the checker will complain about).
    day_text: str = field(default="", compare=False)
    interval_text: str = field(default="", compare=False)

    event = "schedule"


@dataclass(frozen=True)
class ForEach:
    """``for each account|job|contact where CONDITION``."""

    entity: str
    condition: Condition
    span: Span = _span()


Trigger = Union[StageTrigger, JobCreated, EventTrigger, TagTrigger, Schedule]

# ------------------------------------------------------------------ actions


@dataclass(frozen=True)
class Entity:
    """A bare ``account`` / ``job`` / ``contact`` used as a recipient or target."""

    name: str
    span: Span = _span()


Recipient = Union[Entity, Field, Text]
Assignee = Union[Field, Text]


@dataclass(frozen=True)
class Reminders:
    """``with reminders every N days [up to M times]`` (times defaults to 1)."""

    every: Duration
    times: Optional[Number] = None
    span: Span = _span()


@dataclass(frozen=True)
class Due:
    """``due in DURATION`` (``duration`` set) or ``due on DATE`` (``date`` set)."""

    duration: Optional[Duration] = None
    date: Optional[Expr] = None
    span: Span = _span()


@dataclass(frozen=True)
class Send:
    """``send email|message|organizer|proposal|invoice|client request "TEMPLATE" to RECIPIENT``."""

    kind: str
    template: Text
    to: Recipient
    reminders: Optional[Reminders] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class RequestSignature:
    template: Text
    source: Recipient
    reminders: Optional[Reminders] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class RequestApproval:
    folder: Text
    source: Recipient
    reminders: Optional[Reminders] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class CreateTask:
    title: Text
    assignee: Optional[Assignee] = None
    due: Optional[Due] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class CreateJob:
    name: Text
    pipeline: Text
    for_account: bool = False
    due: Optional[Due] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class ChangeTags:
    """``add tag "A", "B" to account`` (``add`` True) / ``remove tag ... from job``."""

    add: bool
    tags: tuple
    target: Entity
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class ApplyFolderTemplate:
    template: Text
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class MoveJob:
    """``move job to stage "S"`` or, with ``stage`` None, ``move job to next stage``."""

    stage: Optional[Text] = None
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class AssignJob:
    assignee: Assignee
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class ArchiveJob:
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class Notify:
    assignee: Assignee
    text: Text
    delay: Optional[Duration] = None
    span: Span = _span()


@dataclass(frozen=True)
class SendWebhook:
    """``send webhook "https://..."``: the rule's event, signed, POSTed to the address (the app delivers it)."""

    url: Text
    delay: Optional[Duration] = None
    span: Span = _span()


Action = Union[
    Send, RequestSignature, RequestApproval, CreateTask, CreateJob, ChangeTags,
    ApplyFolderTemplate, MoveJob, AssignJob, ArchiveJob, Notify, SendWebhook,
]

# ------------------------------------------------------------------ rules


@dataclass(frozen=True)
class Rule:
    name: Text
    trigger: Trigger
    for_each: Optional[ForEach]
    condition: Optional[Condition]
    actions: tuple
    span: Span = _span()
    # Spans of the clause keywords, for the formatter's comment placement.
    then_span: Span = _span()
    end_span: Span = _span()
    if_span: Span = _span()


@dataclass(frozen=True)
class Comment:
    text: str
    line: int
    column: int
    # True when code comes before it on its line.
    trailing: bool


@dataclass(frozen=True)
class RuleSet:
    rules: tuple
    comments: tuple = field(default=(), compare=False)
