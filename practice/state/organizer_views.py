"""View records of sent organizers for the portal (the client's list and the questions of one section as they fill
it) and for staff (the account's and job's lists, the answers): plain dataclasses built from the services' data."""
from __future__ import annotations

import dataclasses

from practice import routes
from practice.i18n import _
from practice.models import Document, QuestionKind as K
from practice.services.formatting import format_date, format_money
from practice.services.organizers import answering
from practice.services.organizers.filling import Filling


@dataclasses.dataclass
class OrganizerItem:
    """One organizer in a list: the client's portal or an account's or job's page."""
    id: int = 0
    name: str = ""
    status: str = ""
    status_text: str = ""
    progress: str = ""
    href: str = ""
    job: str = ""
    sent: str = ""


def organizer_items(rows, *, staff: bool = False, timezone: str | None = None) -> list[OrganizerItem]:
    return [OrganizerItem(id=r.id, name=r.name, status=r.status, status_text=r.status_text,
                          progress=_("{answered} of {total} answered").format(answered=r.answered, total=r.total),
                          href="" if staff else routes.portal_organizer_url(r.id), job=getattr(r, "job_name", ""),
                          sent=format_date(r.sent_at, timezone) if staff else "")
            for r in rows]


@dataclasses.dataclass
class FileItem:
    id: int = 0
    name: str = ""
    href: str = ""


@dataclasses.dataclass
class PartItem:
    """One sub-question of a repeated group's entry."""
    key: str = ""
    label: str = ""
    kind: str = ""
    value: str = ""
    required: bool = False


@dataclasses.dataclass
class EntryItem:
    index: int = 0
    title: str = ""
    parts: list[PartItem] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ChoiceItem:
    """One choice of a list question: the value kept, and the words the client reads (French for a French reader
    when the firm wrote them)."""
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class QuestionItem:
    """One visible question of the section the client is on, with its answer as the inputs show it."""
    key: str = ""
    label: str = ""
    help: str = ""
    kind: str = ""
    required: bool = False
    value: str = ""
    options: list[ChoiceItem] = dataclasses.field(default_factory=list)
    chosen: list[str] = dataclasses.field(default_factory=list)
    files: list[FileItem] = dataclasses.field(default_factory=list)
    rows: list[EntryItem] = dataclasses.field(default_factory=list)
    suggestion: str = ""  # last year's answer, when it differs
    suggestion_value: str = ""


def input_text(question: answering.Question, value) -> str:
    """An answer as its input shows it: money in dollars, yes/no as "yes"/"no", a date as 2027-04-15."""
    if value is None:
        return ""
    if question.kind == K.money and isinstance(value, int):
        return f"{value / 100:.2f}"
    if question.kind == K.yes_no:
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, dict)):
        return ""
    return str(value)


def _shown(question: answering.Question, value) -> str:
    if question.kind == K.money and isinstance(value, int):
        return format_money(value)
    if question.kind == K.yes_no and isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(question.label_of(v) for v in value)
    if question.kind == K.one_of:
        return question.label_of(value)
    return input_text(question, value)


def _entries(question: answering.Question, value) -> list[EntryItem]:
    out = []
    for n, entry in enumerate(value if isinstance(value, list) else []):
        entry = entry if isinstance(entry, dict) else {}
        out.append(EntryItem(index=n, title=_("{what} {n}").format(what=question.label, n=n + 1), parts=[
            PartItem(key=c.key, label=c.label, kind=c.kind.value, value=input_text(c, entry.get(c.key)),
                     required=c.required) for c in question.children]))
    return out


def question_items(filling: Filling, shown: list[answering.Question], helps: dict[str, str],
                   documents: dict[int, Document]) -> list[QuestionItem]:
    """The visible questions of one section as the portal's inputs read them."""
    out = []
    for q in shown:
        value, before = filling.answers.get(q.key), filling.previous.get(q.key)
        same = before is None or before == value or q.kind in (K.file, K.group)
        out.append(QuestionItem(
            key=q.key, label=q.label, help=helps.get(q.key, ""), kind=q.kind.value, required=q.required,
            value=input_text(q, value), options=[ChoiceItem(o, q.label_of(o)) for o in q.options],
            chosen=[str(v) for v in value] if isinstance(value, list) and q.kind == K.several_of else [],
            files=[FileItem(id=d, name=documents[d].name, href=routes.file_url(d))
                   for d in (value if q.kind == K.file and isinstance(value, list) else []) if d in documents],
            rows=_entries(q, value) if q.kind == K.group else [],
            suggestion="" if same else _shown(q, before), suggestion_value="" if same else input_text(q, before)))
    return out
