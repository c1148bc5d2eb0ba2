"""A submitted organizer, the firm's side after submission: staff mark each answer reviewed (or all at once), export
its answers as CSV or file them again as a PDF in the account's documents (WeasyPrint, the firm's header; the worker
files one on each submission), and reopen it; the client may ask the firm to reopen it (the account's team is told in
Inbox+)."""
from __future__ import annotations

import copy
import csv
import io
import itertools
from dataclasses import dataclass

import jinja2
from sqlmodel import Session, select

from practice import config, i18n
from practice.i18n import N_, _
from practice.models import Account, Document, Event, Organizer, OrganizerAnswerReview, OrganizerStatus, utcnow
from practice.services import audit, inbox
from practice.services.actor import SYSTEM, Actor, ContactActor, recorded_actor
from practice.services.documents import html_pdf, storage
from practice.services.errors import Conflict, NotFound
from practice.services.firm import get_firm
from practice.services.formatting import format_datetime
from practice.services.organizers.filling import mine
from practice.services.organizers.sent import (AnswerLine, answer_lines, differs, lines_of, name_for,
                                                organizer_for_staff)
from practice.services.organizers.structure import FirmCatalog

MAX_REASON = 500
SUBMITTED = "organizer_submitted"  # the event `filling.submit` emits; the worker files the answers' PDF on it
_pdf_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(config.ROOT / "templates" / "pdf")), autoescape=True,
                              undefined=jinja2.StrictUndefined)
_pdf_env.globals["_"] = lambda message, **values: _(message).format(**values) if values else _(message)


def _submitted(organizer: Organizer) -> None:
    if organizer.status != OrganizerStatus.submitted:
        raise Conflict(_("The client has not submitted this organizer yet: its answers may still change."))


@dataclass
class Review:
    """An organizer's answers as staff review them: each question's line says whether its answer is marked reviewed,
    and how many of the questions the client saw are ("12 of 31 reviewed")."""
    lines: list[AnswerLine]
    reviewed: int
    total: int


def _marks(session: Session, organizer: Organizer) -> dict[str, OrganizerAnswerReview]:
    """The marks that stand: each on an answer the organizer still holds as it was when marked."""
    answers = organizer.answers or {}
    rows = session.exec(select(OrganizerAnswerReview).where(OrganizerAnswerReview.organizer_id == organizer.id))
    return {r.question_key: r for r in rows if not differs(answers.get(r.question_key), (r.answer or {}).get("value"))}


def _settle(session: Session, organizer: Organizer, actor: Actor, reviewed: int, total: int) -> None:
    """The organizer counts as reviewed once every answer the client gave is (and no longer when one is unmarked)."""
    done = total > 0 and reviewed >= total
    if done and organizer.reviewed_at is None:
        organizer.reviewed_at, organizer.reviewed_by_label = utcnow(), actor.name
    elif not done and organizer.reviewed_at is not None:
        organizer.reviewed_at, organizer.reviewed_by_label = None, ""
    session.add(organizer)


def review_lines(session: Session, actor: Actor, organizer_id: int, *, firm_catalog: FirmCatalog) -> Review:
    """The questions the client saw with their answers, what changed since last year and which answers staff have
    marked reviewed, by whom and when (staff who may see the account)."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    lines = lines_of(session, organizer, firm_catalog=firm_catalog)
    marks = _marks(session, organizer)
    timezone = get_firm(session).timezone
    for line in lines:
        mark = marks.get(line.key) if line.key else None
        if mark is not None:
            line.reviewed = _("Reviewed by {name}, {when}").format(name=mark.reviewed_by_label or _("the firm"),
                                                                   when=format_datetime(mark.reviewed_at, timezone))
    keys = [line.key for line in lines if line.key]
    return Review(lines, sum(key in marks for key in keys), len(keys))


def _mark(session: Session, actor: Actor, organizer: Organizer, key: str,
          existing: OrganizerAnswerReview | None) -> OrganizerAnswerReview:
    row = existing or OrganizerAnswerReview(organizer_id=organizer.id, question_key=key)
    row.answer = {"value": copy.deepcopy((organizer.answers or {}).get(key))}
    row.reviewed_by_member_id, row.reviewed_by_label, row.reviewed_at = actor.member_id, actor.name, utcnow()
    session.add(row)
    return row


def mark_answer(session: Session, actor: Actor, organizer_id: int, key: str, reviewed: bool = True, *,
                firm_catalog: FirmCatalog) -> Review:
    """Mark one answer of a submitted organizer reviewed (or take the mark off): staff who may see the account, who
    and when kept, an audit row. Marking an answer already marked changes nothing."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    _submitted(organizer)
    labels = {line.key: line.label for line in lines_of(session, organizer, firm_catalog=firm_catalog) if line.key}
    if key not in labels:
        raise NotFound(_("That question is not among the ones the client answered; reload the page."))
    marks = _marks(session, organizer)
    row = session.exec(select(OrganizerAnswerReview).where(OrganizerAnswerReview.organizer_id == organizer.id,
                                                           OrganizerAnswerReview.question_key == key)).first()
    if reviewed and key not in marks:
        marks[key] = _mark(session, actor, organizer, key, row)
        audit.record(session, actor, "organizer_review", "account", organizer.account_id,
                     f'Marked the answer to "{labels[key]}" reviewed on organizer "{organizer.name}"',
                     organizer_id=organizer.id, question_key=key)
    elif not reviewed and row is not None:
        session.delete(row)
        marks.pop(key, None)
        audit.record(session, actor, "organizer_review", "account", organizer.account_id,
                     f'Took the review mark off the answer to "{labels[key]}" on organizer "{organizer.name}"',
                     organizer_id=organizer.id, question_key=key)
    session.flush()
    _settle(session, organizer, actor, sum(k in marks for k in labels), len(labels))
    return review_lines(session, actor, organizer.id, firm_catalog=firm_catalog)


def mark_reviewed(session: Session, actor: Actor, organizer_id: int, *, firm_catalog: FirmCatalog) -> Organizer:
    """Mark every answer the client gave reviewed at once ("Mark all reviewed": staff who may see the account; one
    audit row). Nothing changes when every one already is."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    _submitted(organizer)
    keys = [line.key for line in lines_of(session, organizer, firm_catalog=firm_catalog) if line.key]
    marks = _marks(session, organizer)
    todo = [key for key in keys if key not in marks]
    if not todo and organizer.reviewed_at is not None:
        return organizer
    rows = {r.question_key: r for r in session.exec(select(OrganizerAnswerReview).where(
        OrganizerAnswerReview.organizer_id == organizer.id, OrganizerAnswerReview.question_key.in_(todo or [""])))}
    for key in todo:
        _mark(session, actor, organizer, key, rows.get(key))
    session.flush()
    _settle(session, organizer, actor, len(keys), len(keys))
    audit.record(session, actor, "organizer_review", "account", organizer.account_id,
                 f'Marked organizer "{organizer.name}" reviewed', organizer_id=organizer.id, answers=len(todo))
    return organizer


def review_notes(session: Session, actor: Actor, organizer_id: int) -> tuple[str, str, str]:
    """What staff read above the answers: who marked them reviewed, the client's request to reopen, and the name of
    the answers' PDF filed on submission ("" each when none)."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    reviewed = (_("Reviewed by {name}.").format(name=organizer.reviewed_by_label or _("the firm"))
                if organizer.reviewed_at else "")
    asked = ""
    if organizer.reopen_requested_at is not None and organizer.status == OrganizerStatus.submitted:
        asked = (_("The client asked to reopen it: “{reason}”").format(reason=organizer.reopen_reason)
                 if organizer.reopen_reason else _("The client asked to reopen it."))
    filed = session.get(Document, organizer.answers_document_id) if organizer.answers_document_id else None
    return reviewed, asked, (filed.name if filed is not None and filed.deleted_at is None else "")


def _file_names(session: Session, lines: list[AnswerLine]) -> dict[int, str]:
    ids = {i for line in lines for i in line.document_ids}
    if not ids:
        return {}
    return dict(session.exec(select(Document.id, Document.name).where(Document.id.in_(ids))).all())


def _answer_text(line: AnswerLine, names: dict[int, str]) -> str:
    if line.document_ids:
        return "\n".join(names.get(i, _("(a removed file)")) for i in line.document_ids)
    return line.answer


def answers_csv(session: Session, actor: Actor, organizer_id: int, *, firm_catalog: FirmCatalog) -> tuple[str, str]:
    """The answers the client gave to the questions they saw, one row each (a group's entries as rows of their own;
    a file question lists its files' names): (file name, CSV text)."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    lines = answer_lines(session, actor, organizer.id, firm_catalog=firm_catalog)
    names = _file_names(session, lines)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Section"), _("Question"), _("Answer")])
    for line in lines:
        writer.writerow([line.section, ("  " if line.indent else "") + line.label, _answer_text(line, names)])
    audit.record(session, actor, "organizer_export", "account", organizer.account_id,
                 f'Exported the answers of organizer "{organizer.name}" as CSV', organizer_id=organizer.id)
    return storage.clean_filename(f"{organizer.name} - answers.csv"), out.getvalue()


def answers_html(session: Session, organizer: Organizer, lines: list[AnswerLine]) -> str:
    firm = get_firm(session)
    account = session.get(Account, organizer.account_id)
    names = _file_names(session, lines)
    # In the reader's words: "Dec 5, 2026, 1:43 AM" / "5 déc. 2026 à 01:43", on the firm's clock.
    moment = format_datetime(organizer.submitted_at, firm.timezone) if organizer.submitted_at else ""
    submitted = _("Submitted on {date}").format(date=f"{moment} ({firm.timezone})") if moment else ""
    sections = [(section, [{"label": line.label, "answer": _answer_text(line, names), "indent": line.indent}
                           for line in group]) for section, group in itertools.groupby(lines, key=lambda x: x.section)]
    return _pdf_env.get_template("organizer_answers.html").render(
        firm_name=firm.name, account_name=account.name if account else "",
        name=name_for(organizer, i18n.current_locale()), submitted=submitted,
        sections=sections, lang=i18n.current_locale())


def _file(session: Session, organizer: Organizer, *, firm_catalog: FirmCatalog, member_id: int | None,
          label: str) -> Document:
    """Lay the answers out as a PDF in the language the client answered in and file it in the account's documents,
    internal to the firm."""
    with i18n.using_locale(organizer.language or i18n.current_locale()):  # in the language the client answered in
        lines = lines_of(session, organizer, firm_catalog=firm_catalog, language=organizer.language)
        html = answers_html(session, organizer, lines)
        pdf = html_pdf.render_pdf(html)
        name = storage.clean_filename(_("{name} - answers {date}").format(
            name=organizer.name, date=f"{utcnow():%Y-%m-%d}") + ".pdf")
    stored = storage.store(pdf, name)
    doc = Document(account_id=organizer.account_id, job_id=organizer.job_id, name=name, stored_key=stored.key,
                   size=stored.size, content_type="application/pdf", uploaded_by_member_id=member_id,
                   uploaded_by_label=label, shared=False)
    session.add(doc)
    session.flush()
    return doc


def file_answers_pdf(session: Session, actor: Actor, organizer_id: int, *, firm_catalog: FirmCatalog) -> Document:
    """File the submitted answers as a PDF in the account's documents again (internal to the firm), for staff who
    removed the one filed on submission or want a fresh copy; returns it."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    _submitted(organizer)
    doc = _file(session, organizer, firm_catalog=firm_catalog, member_id=actor.member_id, label=actor.name)
    audit.record(session, actor, "organizer_pdf", "account", organizer.account_id,
                 f'Filed the answers of organizer "{organizer.name}" as "{doc.name}"', organizer_id=organizer.id,
                 document_id=doc.id)
    return doc


def file_on_submission(session: Session, ev: Event, *, firm_catalog: FirmCatalog) -> Document | None:
    """The worker's side of `organizer_submitted`: file the answers' PDF in the account's documents, once per
    submission (submitting clears the organizer's filed PDF; a replayed event finds it set and files nothing). An
    organizer reopened before its event was handled files nothing: its next submission does."""
    organizer_id = int((ev.payload or {}).get("organizer_id") or 0)
    organizer = session.get(Organizer, organizer_id) if organizer_id else None
    if organizer is None or organizer.status != OrganizerStatus.submitted or organizer.answers_document_id is not None:
        return None
    doc = _file(session, organizer, firm_catalog=firm_catalog, member_id=None, label=get_firm(session).name)
    organizer.answers_document_id = doc.id
    session.add(organizer)
    audit.record(session, SYSTEM, "organizer_pdf", "account", organizer.account_id,
                 f'Filed the submitted answers of organizer "{organizer.name}" as "{doc.name}"',
                 organizer_id=organizer.id, document_id=doc.id)
    return doc


def ask_to_reopen(session: Session, who: ContactActor, organizer_id, reason: str = "") -> Organizer:
    """The client asks the firm to reopen a submitted organizer (to change an answer); the account's team is told."""
    organizer = mine(session, who, organizer_id)
    if organizer.status != OrganizerStatus.submitted:
        raise Conflict(_("This organizer is open: you can change your answers yourself."))
    reason = " ".join(str(reason or "").split())[:MAX_REASON]
    organizer.reopen_requested_at, organizer.reopen_reason = utcnow(), reason
    session.add(organizer)
    actor = recorded_actor(who)
    why = f": {reason}" if reason else ""
    audit.record(session, actor, "organizer_reopen_request", "account", organizer.account_id,
                 f'{who.name} asked to reopen organizer "{organizer.name}"{why}', organizer_id=organizer.id)
    account = session.get(Account, organizer.account_id)
    inbox.notify_client_activity(session, account_id=organizer.account_id, job_id=organizer.job_id,
                                 text=inbox.said(N_('{who} asked to reopen organizer "{name}": {reason}') if reason else
                                                 N_('{who} asked to reopen organizer "{name}"'),
                                                 who=inbox.client_label(who.name, account.name if account else ""),
                                                 name=organizer.name, reason=reason))
    return organizer
