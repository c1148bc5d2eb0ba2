"""Organizers, the client's side: the contact's list, one organizer to fill (its form, answers, progress), saving
each answer as it is given (a bad value refused with its sentence, the kept answers untouched), a repeated group's
entries, files uploaded into the account's documents, and submitting: refused with the questions still to answer,
else the answers write their custom fields and tags, staff are told in Inbox+ and `organizer is submitted` fires."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import (Account, CustomField, Document, DocumentStatus, Organizer, OrganizerQuestion,
                             OrganizerStatus, QuestionKind, Role, Tag, utcnow)
from practice.services import audit, events, inbox
from practice.services.actor import Actor, ContactActor, recorded_actor
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.organizers import answer_values, answering
from practice.services.organizers.sent import STATUS_WORDS, clear_changed_marks, form_and_outside, name_for
from practice.services.organizers.structure import FirmCatalog
from practice.services.work import custom_fields
from practice.services.work.accounts import set_account_tag

MAX_ENTRIES = 50
MAX_FILES = 20


def mine(session: Session, who, organizer_id) -> Organizer:
    """The organizer, if it belongs to one of the contact's accounts (another account's is reported missing)."""
    if not isinstance(who, ContactActor):
        raise PermissionDenied(_("Only the client fills in an organizer."))
    organizer = session.get(Organizer, organizer_id) if isinstance(organizer_id, int) else None
    if organizer is None or organizer.account_id not in who.account_ids:
        raise NotFound(_("That organizer is not in your portal (it may have been removed)."))
    return organizer


@dataclass
class PortalOrganizer:
    """One organizer in the client's list."""
    id: int
    name: str
    status: str
    status_text: str
    answered: int
    total: int


def organizers_for_contact(session: Session, who: ContactActor, *, firm_catalog: FirmCatalog,
                           account_id: int | None = None) -> list[PortalOrganizer]:
    """The current (or given, if linked) account's organizers: the ones to fill first, then the submitted ones."""
    if not isinstance(who, ContactActor):
        raise PermissionDenied(_("Only the client fills in an organizer."))
    account_id = who.current_account_id if account_id is None else account_id
    if account_id is None or account_id not in who.account_ids:
        raise PermissionDenied(_("That account is not one of yours."))
    rows = session.exec(select(Organizer).where(Organizer.account_id == account_id)
                        .order_by(Organizer.sent_at.desc(), Organizer.id.desc()).limit(100))
    out = []
    for o in rows:
        form, outside = form_and_outside(session, o, firm_catalog, who.contact_id, who.language)
        done = answering.progress(form, o.answers or {}, outside)
        status = OrganizerStatus(o.status).value
        out.append(PortalOrganizer(o.id, name_for(o, who.language), status, _(STATUS_WORDS[status]), done.answered, done.total))
    return sorted(out, key=lambda p: p.status == "submitted")


@dataclass
class Filling:
    """An organizer as the client fills it: its form, their answers, the account's and contact's facts, and
    last year's answers (suggestions)."""
    organizer: Organizer
    form: answering.Form
    answers: dict
    outside: dict
    previous: dict
    name: str = ""  # the organizer's name in the client's language


def open_organizer(session: Session, who: ContactActor, organizer_id, *, firm_catalog: FirmCatalog) -> Filling:
    organizer = mine(session, who, organizer_id)
    form, outside = form_and_outside(session, organizer, firm_catalog, who.contact_id, who.language)
    previous = session.get(Organizer, organizer.previous_id) if organizer.previous_id else None
    return Filling(organizer, form, dict(organizer.answers or {}), outside, dict(previous.answers or {}) if previous
                   else {}, name_for(organizer, who.language))


def _open_for_answers(session: Session, who, organizer_id) -> Organizer:
    organizer = mine(session, who, organizer_id)
    if organizer.status == OrganizerStatus.submitted:
        raise Conflict(_("This organizer is submitted, so its answers can no longer change. Ask the firm to reopen "
                         "it if something needs correcting."))
    return organizer


def _question(form: answering.Form, key: str, child: str | None = None) -> answering.Question:
    found = next((q for q in form.questions if q.key == key), None)
    if found is not None and child is not None:
        found = next((c for c in found.children if c.key == child), None) if found.kind == QuestionKind.group else None
    if found is None:
        raise NotFound(_("That question is no longer in the organizer; reload the page."))
    return found


def _keep(session: Session, organizer: Organizer, answers: dict) -> Organizer:
    organizer.answers = answers
    organizer.updated_at = utcnow()
    if organizer.status == OrganizerStatus.sent:
        organizer.status = OrganizerStatus.in_progress
    session.add(organizer)
    session.flush()
    return organizer


def save_answer(session: Session, who: ContactActor, organizer_id, key: str, raw, *, firm_catalog: FirmCatalog,
                entry: int | None = None, child: str | None = None) -> Organizer:
    """Keep one answer (autosave): a top-level question's, or with `entry` and `child` one part of a repeated
    group's entry. A value the question does not take is refused with its sentence and nothing changes."""
    organizer = _open_for_answers(session, who, organizer_id)
    form, _outside = form_and_outside(session, organizer, firm_catalog, who.contact_id, who.language)
    answers = copy.deepcopy(dict(organizer.answers or {}))
    if child is None:
        value = answer_values.clean_answer(_question(form, key), raw)
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
        return _keep(session, organizer, answers)
    part = _question(form, key, child)
    entries = answers.get(key) if isinstance(answers.get(key), list) else []
    if entry is None or not 0 <= entry < len(entries):
        raise NotFound(_("That entry is no longer there; reload the page."))
    entries[entry] = dict(entries[entry] or {}, **{child: answer_values.clean_answer(part, raw)})
    answers[key] = entries
    return _keep(session, organizer, answers)


def add_entry(session: Session, who: ContactActor, organizer_id, key: str, *, firm_catalog: FirmCatalog) -> int:
    """Add an empty entry to a repeated group ("Add a dependent"); returns how many entries it has now."""
    organizer = _open_for_answers(session, who, organizer_id)
    form, _outside = form_and_outside(session, organizer, firm_catalog, who.contact_id, who.language)
    group = _question(form, key)
    if group.kind != QuestionKind.group:
        raise InvalidInput(_("“{label}” has no entries to add.").format(label=group.label), field=key)
    answers = copy.deepcopy(dict(organizer.answers or {}))
    entries = answers.get(key) if isinstance(answers.get(key), list) else []
    if len(entries) >= MAX_ENTRIES:
        raise InvalidInput(_("“{label}” takes at most {n} entries.").format(label=group.label, n=MAX_ENTRIES),
                           field=key)
    answers[key] = entries + [{}]
    _keep(session, organizer, answers)
    return len(answers[key])


def remove_entry(session: Session, who: ContactActor, organizer_id, key: str, entry: int) -> None:
    """Remove one entry of a repeated group."""
    organizer = _open_for_answers(session, who, organizer_id)
    answers = copy.deepcopy(dict(organizer.answers or {}))
    entries = answers.get(key) if isinstance(answers.get(key), list) else []
    if not 0 <= entry < len(entries):
        raise NotFound(_("That entry is no longer there; reload the page."))
    answers[key] = entries[:entry] + entries[entry + 1:]
    _keep(session, organizer, answers)


def attach_file(session: Session, who: ContactActor, organizer_id, key: str, document_id: int, *,
                firm_catalog: FirmCatalog) -> Organizer:
    """Link a document the client uploaded (through the documents' checked upload) to a file question."""
    organizer = _open_for_answers(session, who, organizer_id)
    form, _outside = form_and_outside(session, organizer, firm_catalog, who.contact_id, who.language)
    question = _question(form, key)
    doc = session.get(Document, document_id)
    if question.kind != QuestionKind.file or doc is None or doc.account_id != organizer.account_id \
            or doc.deleted_at is not None:
        raise NotFound(_("That file is not one of this organizer's."))
    if doc.status != DocumentStatus.ok:
        raise InvalidInput(_("“{name}” was refused: {why}").format(name=doc.name, why=doc.refusal), field=key)
    answers = copy.deepcopy(dict(organizer.answers or {}))
    ids = [i for i in (answers.get(key) or []) if isinstance(i, int)]
    if len(ids) >= MAX_FILES:
        raise InvalidInput(_("“{label}” takes at most {n} files.").format(label=question.label, n=MAX_FILES), field=key)
    answers[key] = list(dict.fromkeys(ids + [doc.id]))
    return _keep(session, organizer, answers)


def detach_file(session: Session, who: ContactActor, organizer_id, key: str, document_id: int) -> Organizer:
    """Take a file off a file question (the document stays in the account's documents)."""
    organizer = _open_for_answers(session, who, organizer_id)
    answers = copy.deepcopy(dict(organizer.answers or {}))
    answers[key] = [i for i in (answers.get(key) or []) if i != document_id]
    return _keep(session, organizer, answers)


def missing_sentence(blocking: list[tuple[answering.Question, str]]) -> str:
    """"Still to answer: A, B." from the questions that block submission."""
    names = ", ".join(f"“{q.label}”" for q in dict.fromkeys(q for q, _why in blocking))
    return _("Still to answer before you can submit: {names}.").format(names=names)


def _write_field(session: Session, helper: Actor, organizer: Organizer, who: ContactActor, target: str,
                 text: str) -> None:
    entity, _dot, key = target.partition(".")
    item_id = organizer.account_id if entity == "account" else who.contact_id
    field = session.exec(select(CustomField).where(CustomField.entity == entity, CustomField.key == key)).first()
    if field is None or not text:
        return
    try:
        with session.begin_nested():
            custom_fields.set_value(session, helper, entity, item_id, field.id, text)
    except InvalidInput:
        pass  # the field no longer takes this answer (its choices changed): the answer stays in the organizer


def _set_tags(session: Session, helper: Actor, account_id: int, names, present: bool) -> None:
    for name in names or []:
        tag = session.exec(select(Tag).where(Tag.name == name)).first()
        if tag is not None:
            set_account_tag(session, helper, account_id, tag.id, present)


def _apply_answers(session: Session, who: ContactActor, organizer: Organizer, shown: list[answering.Question]) -> None:
    """Each visible answer's field target and tags, done on the client's behalf (their right to this account was
    checked) and audited under their name."""
    helper = Actor(member_id=None, name=recorded_actor(who).name, role=Role.owner)
    answers = organizer.answers or {}
    rows = {q.key: q for q in session.exec(select(OrganizerQuestion).where(
        OrganizerQuestion.template_id == organizer.template_id, OrganizerQuestion.parent_id.is_(None)))}
    for q in shown:
        source, value = rows.get(q.key), answers.get(q.key)
        if source is None:
            continue
        if source.field_target and answering.is_answered(q, value):
            _write_field(session, helper, organizer, who, source.field_target, answer_values.field_text(q, value))
        if answer_values.says_yes(q, value):
            _set_tags(session, helper, organizer.account_id, source.tags_add, True)
            _set_tags(session, helper, organizer.account_id, source.tags_remove, False)


def submit(session: Session, who: ContactActor, organizer_id, *, firm_catalog: FirmCatalog) -> Organizer:
    """Submit the answers: refused, naming them, while a question the client sees still needs an answer; else the
    answers write their custom fields and tags, the account's team hears of it and `organizer_submitted` fires."""
    organizer = _open_for_answers(session, who, organizer_id)
    form, outside = form_and_outside(session, organizer, firm_catalog, who.contact_id, who.language)
    answers = organizer.answers or {}
    blocking = answering.blocking(form, answers, outside)
    if blocking:
        raise InvalidInput(missing_sentence(blocking), field="submit")
    organizer.status, organizer.submitted_at = OrganizerStatus.submitted, utcnow()
    organizer.submitted_by_contact_id, organizer.updated_at = who.contact_id, utcnow()
    organizer.language = who.language or ""  # the answers' PDF is made in the language they were given in
    organizer.answers_document_id = None  # this submission's PDF is filed by the worker (review.file_on_submission)
    clear_changed_marks(session, organizer)  # staff read again what the client changed after a reopening
    session.add(organizer)
    session.flush()
    actor = recorded_actor(who)
    audit.record(session, actor, "organizer_submit", "account", organizer.account_id,
                 f'{who.name} submitted organizer "{organizer.name}"', organizer_id=organizer.id)
    _apply_answers(session, who, organizer, answering.visible_questions(form, answers, outside))
    account = session.get(Account, organizer.account_id)
    inbox.notify_client_activity(session, account_id=organizer.account_id, job_id=organizer.job_id,
                                 text=inbox.said(N_('{who} submitted organizer "{name}"'),
                                                 who=inbox.client_label(who.name, account.name if account else ""),
                                                 name=organizer.name))
    events.emit(session, actor, "organizer_submitted", job_id=organizer.job_id, account_id=organizer.account_id,
                payload={"organizer_id": organizer.id, "contact_id": who.contact_id, "job_id": organizer.job_id})
    return organizer


@dataclass
class SectionView:
    """What the portal shows of an organizer on one section: the visible questions there, their help texts, the
    documents its file questions hold, the progress line over the whole organizer and what still blocks submission."""
    filling: Filling
    section: int
    questions: list[answering.Question]
    helps: dict[str, str]
    documents: dict[int, Document]
    progress: answering.Progress
    missing: str


def section_view(session: Session, who: ContactActor, organizer_id, section: int, *,
                 firm_catalog: FirmCatalog) -> SectionView:
    """One section of the organizer as the client sees it now (sections numbered from 0; out of range: the first)."""
    filling = open_organizer(session, who, organizer_id, firm_catalog=firm_catalog)
    section = section if 0 <= section < len(filling.form.sections) else 0
    seen = answering.visible_questions(filling.form, filling.answers, filling.outside)
    here = [q for q in seen if q.section == section]
    helps = {q.key: q.help for q in filling.form.questions}
    ids = [i for q in here if q.kind == QuestionKind.file for i in (filling.answers.get(q.key) or [])
           if isinstance(i, int)]
    documents = {d.id: d for d in session.exec(select(Document).where(
        Document.id.in_(ids or [-1]), Document.account_id == filling.organizer.account_id))}
    blocking = answering.blocking(filling.form, filling.answers, filling.outside)
    return SectionView(filling, section, here, helps, documents,
                       answering.progress(filling.form, filling.answers, filling.outside),
                       missing_sentence(blocking) if blocking else "")
