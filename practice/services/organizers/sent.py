"""Organizers sent to accounts, the staff side: send one (from the account or job page, or a rule's
`send organizer "T" to account`), pre-filled with the account's last submitted answers to the same template; the
lists of an account's or job's organizers with their status and progress; one organizer's answers to read; reopen a
submitted one; what rules read of it and its reminders."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from practice import config, routes
from practice.i18n import N_, _
from rules import Words
from practice.models import (Account, Job, Organizer, OrganizerAnswerReview, OrganizerStatus, OrganizerTemplate,
                             QuestionKind, utcnow)
from practice.services import audit, reminders
from practice.services.actor import Actor, require_staff
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import get_firm, language_for, version_for
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.organizers import answer_values, answering, structure
from practice.services.organizers.structure import FirmCatalog
from practice.services.organizers.templates import template_by_name
from practice.services.proposals.sending import portal_recipients
from practice.services.work.accounts import get_account
from practice.services.work.facts import facts_for
from practice.services.work.jobs import get_job

REMINDER_KIND = "organizer"
STATUS_WORDS = {"sent": N_("Not started"), "in_progress": N_("In progress"), "submitted": N_("Submitted"),
                "reopened": N_("Reopened")}


def organizer_url(organizer_id: int) -> str:
    """The portal page of an organizer (absolute: it goes in emails)."""
    return f"{config.base_url()}{routes.portal_organizer_url(organizer_id)}"


def name_for(organizer: Organizer, language: str) -> str:
    """The organizer's name as a reader of `language` sees it: its French name for a French reader, when the
    template had one when it was sent, else its name."""
    return version_for(language, organizer.name, organizer.name_fr)


def _resolve_template(session: Session, template: int | str) -> OrganizerTemplate:
    found = session.get(OrganizerTemplate, template) if isinstance(template, int) else template_by_name(session,
                                                                                                         template)
    if found is None:
        raise NotFound(_('There is no organizer template "{name}".').format(name=template) if isinstance(template, str)
                       else _("That organizer template no longer exists."))
    return found


def previous_submitted(session: Session, account_id: int, template_id: int) -> Organizer | None:
    """The account's latest submitted organizer of this template: last year's answers."""
    return session.exec(select(Organizer).where(
        Organizer.account_id == account_id, Organizer.template_id == template_id,
        Organizer.status == OrganizerStatus.submitted).order_by(Organizer.submitted_at.desc(), Organizer.id.desc())
    ).first()


def carried_answers(session: Session, template: OrganizerTemplate, previous: Organizer | None) -> dict:
    """Last year's answers to the questions the template still asks (files are this year's to upload again)."""
    if previous is None:
        return {}
    kinds = {q.key: q.kind for q in structure.layout(session, template).in_order()}
    return {key: value for key, value in (previous.answers or {}).items()
            if key in kinds and kinds[key] != QuestionKind.file}


def email_contacts(session: Session, organizer: Organizer, template: str, key: str, **extra) -> list[str]:
    """Email the account's portal contacts about the organizer, each in their language; returns the addresses."""
    firm = get_firm(session).name
    sent = []
    for contact in portal_recipients(session, organizer.account_id):
        language = language_for(session, contact.language)
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm,
                   "organizer": name_for(organizer, language), "link": organizer_url(organizer.id), **extra}
        subject, body = render_system_email(template, context, language)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                       key=f"{key}|{contact.email.lower()}", account_id=organizer.account_id, job_id=organizer.job_id,
                       sender_id=organizer.sent_by_member_id)
        sent.append(contact.email)
    if sent:
        session.info["practice_mail"] = True
    return sent


def _checked(session: Session, account: Account, template: OrganizerTemplate, job_id: int | None) -> None:
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound(_("That job does not exist for this account."))
    if not structure.layout(session, template).in_order():
        raise InvalidInput(_('The organizer template "{name}" has no questions yet; add some first.')
                           .format(name=template.name))
    if not portal_recipients(session, account.id):
        raise InvalidInput(_('No contact of "{account}" can log in to the client portal yet, so the organizer was not '
                             "sent. Give a contact portal access first.").format(account=account.name))


def send_organizer(session: Session, actor: Actor, account_id: int, template: int | str, *, job_id: int | None = None,
                   key: str | None = None, remind_every: dt.timedelta | None = None,
                   remind_times: int = 0) -> Organizer:
    """Send the template (by id or name) to the account: its portal contacts get an email with the link, and the
    answers start from the account's last submitted organizer of the same template. With a key (a rule's action), a
    second call returns the first organizer."""
    require_staff(actor)
    if key:
        existing = session.exec(select(Organizer).where(Organizer.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    found = _resolve_template(session, template)
    _checked(session, account, found, job_id)
    previous = previous_submitted(session, account.id, found.id)
    organizer = Organizer(template_id=found.id, account_id=account.id, job_id=job_id, name=found.name,
                          name_fr=found.name_fr or "",
                          answers=carried_answers(session, found, previous),
                          previous_id=previous.id if previous else None, sent_by_member_id=actor.member_id,
                          sent_by_label=actor.name, key=key)
    session.add(organizer)
    session.flush()
    filled = " with last year's answers filled in" if previous else ""
    audit.record(session, actor, "organizer_send", "account", account.id,
                 f'Sent organizer "{organizer.name}"{filled}', organizer_id=organizer.id)
    email_contacts(session, organizer, "organizer_sent", key=f"{key or 'organizer'}|{organizer.id}|sent")
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=organizer.id, every=remind_every, times=remind_times,
                           key=f"{key or 'organizer'}|{organizer.id}|reminders", job_id=job_id)
    return organizer


def organizer_for_staff(session: Session, actor: Actor, organizer_id) -> Organizer:
    """The organizer, for staff who may see its account (another's is reported missing)."""
    require_staff(actor)
    organizer = session.get(Organizer, organizer_id) if isinstance(organizer_id, int) else None
    if organizer is None:
        raise NotFound(_("That organizer no longer exists."))
    get_account(session, actor, organizer.account_id)
    return organizer


def reopen(session: Session, actor: Actor, organizer_id: int) -> Organizer:
    """Open a submitted organizer again so the client can change answers and submit again (staff)."""
    organizer = organizer_for_staff(session, actor, organizer_id)
    if organizer.status != OrganizerStatus.submitted:
        raise Conflict(_("Only a submitted organizer can be reopened; this one is still with the client."))
    organizer.status, organizer.reopened_at, organizer.updated_at = OrganizerStatus.reopened, utcnow(), utcnow()
    organizer.reopen_requested_at, organizer.reopen_reason, organizer.reviewed_at = None, "", None
    session.add(organizer)
    audit.record(session, actor, "organizer_reopen", "account", organizer.account_id,
                 f'Reopened organizer "{organizer.name}"', organizer_id=organizer.id)
    email_contacts(session, organizer, "organizer_sent", key=f"organizer|{organizer.id}|reopened|{utcnow().isoformat()}")
    return organizer


# --- what staff read ----------------------------------------------------------------------------------------------


@dataclass
class OrganizerRow:
    """One organizer in an account's or job's list."""
    id: int
    name: str
    status: str
    status_text: str
    answered: int
    total: int
    job_name: str
    sent_at: dt.datetime
    submitted_at: dt.datetime | None


def outside_facts(session: Session, organizer: Organizer, contact_id: int | None = None) -> dict:
    """The account's and contact's fields a show-if condition reads."""
    facts = facts_for(session, account_id=organizer.account_id, contact_id=contact_id)
    return {"account": facts.get("account") or {}, "contact": facts.get("contact") or {}}


def form_and_outside(session: Session, organizer: Organizer, firm_catalog: FirmCatalog,
                     contact_id: int | None = None, language: str = "") -> tuple[answering.Form, dict]:
    """The organizer's form (in `language`: the French version of its texts for "fr") and the facts its
    conditions read."""
    template = structure.get_template_row(session, organizer.template_id)
    return (structure.form_of(session, template, firm_catalog(session), language),
            outside_facts(session, organizer, contact_id))


def _rows(session: Session, condition, firm_catalog: FirmCatalog) -> list[OrganizerRow]:
    found = list(session.exec(select(Organizer).where(condition).order_by(Organizer.sent_at.desc(),
                                                                          Organizer.id.desc()).limit(200)))
    jobs = {j.id: j.name for j in session.exec(select(Job).where(Job.id.in_({o.job_id for o in found} or {-1})))}
    forms: dict[int, answering.Form] = {}
    out = []
    for o in found:
        if o.template_id not in forms:
            forms[o.template_id] = form_and_outside(session, o, firm_catalog)[0]
        done = answering.progress(forms[o.template_id], o.answers or {}, outside_facts(session, o))
        status = OrganizerStatus(o.status).value
        out.append(OrganizerRow(o.id, o.name, status, _(STATUS_WORDS[status]), done.answered, done.total,
                                jobs.get(o.job_id, ""), o.sent_at, o.submitted_at))
    return out


def list_for_account(session: Session, actor: Actor, account_id: int, *, firm_catalog: FirmCatalog
                     ) -> list[OrganizerRow]:
    """The account's organizers, newest first (staff who may see the account)."""
    require_staff(actor)
    get_account(session, actor, account_id)
    return _rows(session, Organizer.account_id == account_id, firm_catalog)


def list_for_job(session: Session, actor: Actor, job_id: int, *, firm_catalog: FirmCatalog) -> list[OrganizerRow]:
    """The job's organizers, newest first (staff who may see the job)."""
    require_staff(actor)
    get_job(session, actor, job_id)
    return _rows(session, Organizer.job_id == job_id, firm_catalog)


@dataclass
class AnswerLine:
    """One visible question and its answer as staff read it; a group's entries as lines of their own."""
    label: str
    answer: str
    section: str
    indent: bool = False
    document_ids: tuple[int, ...] = ()
    last_year: str = ""  # the answer on the account's previous organizer of this template, when it differs
    changed: bool = False  # the answer differs from last year's (new, changed or cleared)
    key: str = ""  # the question's key on a question's own line ("" on a group's entry lines)
    reviewed: str = ""  # "Reviewed by Bob Stone, Dec 5, 2026, 4:55 AM" while staff's mark on the answer stands


def _entry_lines(question: answering.Question, value, section: str) -> list[AnswerLine]:
    lines = []
    for n, entry in enumerate(value if isinstance(value, list) else [], start=1):
        parts = [f"{c.label}: {answer_values.shown(c, (entry or {}).get(c.key))}" for c in question.children]
        lines.append(AnswerLine(_("Entry {n}").format(n=n), "; ".join(parts), section, indent=True))
    return lines


def answer_lines(session: Session, actor: Actor, organizer_id: int, *, firm_catalog: FirmCatalog,
                 language: str = "") -> list[AnswerLine]:
    """The questions the client saw, in order, with their answers (staff who may see the account); with `language`
    "fr", the questions and choices in the words of the organizer's French version."""
    return lines_of(session, organizer_for_staff(session, actor, organizer_id), firm_catalog=firm_catalog,
                    language=language)


def lines_of(session: Session, organizer: Organizer, *, firm_catalog: FirmCatalog, language: str = ""
             ) -> list[AnswerLine]:
    """`answer_lines` for an organizer already checked (or read by the worker, which files its PDF)."""
    form, outside = form_and_outside(session, organizer, firm_catalog, organizer.submitted_by_contact_id, language)
    answers = organizer.answers or {}
    previous = session.get(Organizer, organizer.previous_id) if organizer.previous_id else None
    before = (previous.answers or {}) if previous is not None else None
    lines = []
    for q in answering.visible_questions(form, answers, outside):
        section = form.sections[q.section] if q.section < len(form.sections) else ""
        value = answers.get(q.key)
        at = len(lines)
        if q.kind == QuestionKind.group:
            lines.append(AnswerLine(q.label, str(len(value) if isinstance(value, list) else 0), section, key=q.key))
            lines.extend(_entry_lines(q, value, section))
        elif q.kind == QuestionKind.file:
            ids = tuple(int(i) for i in (value or []) if isinstance(i, int))
            lines.append(AnswerLine(q.label, str(len(ids)), section, document_ids=ids, key=q.key))
        else:
            lines.append(AnswerLine(q.label, answer_values.shown(q, value), section, key=q.key))
        if before is not None and q.kind != QuestionKind.file and differs(value, before.get(q.key)):
            # Files are each year's own; anything else that is not last year's answer is marked for review.
            then = before.get(q.key)
            lines[at].changed = True
            lines[at].last_year = (str(len(then) if isinstance(then, list) else 0) if q.kind == QuestionKind.group
                                   else answer_values.shown(q, then)) or _("no answer")
    return lines


def differs(now, then) -> bool:
    """Whether an answer is not last year's (an empty answer and no answer are the same)."""
    empty = (None, "", [], {})
    return (now if now not in empty else None) != (then if then not in empty else None)


def clear_changed_marks(session: Session, organizer: Organizer) -> int:
    """Take off staff's review marks from the answers the client changed since they were marked (on submitting
    again after a reopening); returns how many."""
    answers = organizer.answers or {}
    gone = 0
    for mark in session.exec(select(OrganizerAnswerReview).where(OrganizerAnswerReview.organizer_id == organizer.id)):
        if differs(answers.get(mark.question_key), (mark.answer or {}).get("value")):
            session.delete(mark)
            gone += 1
    return gone


def organizer_facts(session: Session, organizer_id: int) -> dict | None:
    """What rules read about an organizer: `organizer.name`."""
    organizer = session.get(Organizer, organizer_id)
    if organizer is None:
        return None
    return {"id": organizer.id, "name": organizer.name, "status": OrganizerStatus(organizer.status).value}


def _is_complete(session: Session, organizer_id: int) -> bool:
    organizer = session.get(Organizer, organizer_id)
    return organizer is None or organizer.status == OrganizerStatus.submitted


def _remind(session: Session, organizer_id: int, n: int) -> str:
    organizer = session.get(Organizer, organizer_id)
    sent = email_contacts(session, organizer, "organizer_reminder", key=f"organizer-reminder|{organizer.id}|{n}")
    if not sent:
        return Words(N_("No contact of the account can log in to the portal, so no reminder was sent."))
    return Words(N_('Reminded {emails} to fill in "{name}"'), emails=", ".join(sent), name=organizer.name)


REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)
