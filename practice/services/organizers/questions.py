"""Organizer questions (owners and admins): add, edit, move and delete, each checked with a sentence; every change
keeps the template sound (a show-if condition reads only the questions before it)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import rules
from rules.catalog import suggest
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import OrganizerQuestion, OrganizerSection, QuestionKind as K, utcnow
from practice.services import audit
from practice.services.actor import Actor, require_admin, require_staff
from practice.services.errors import InvalidInput, NotFound
from practice.services.organizers import conditions
from practice.services.organizers.structure import (FirmCatalog, condition_problems, get_template_row, layout,
                                                    require_sound)

MAX_LABEL = 300
MAX_HELP = 2000
MAX_CONDITION = 2000
MAX_OPTIONS = 100
MAX_QUESTIONS = 300
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
WITH_OPTIONS = (K.one_of, K.several_of)
# What a question's answer may write into, by the field's type in the catalog.
TARGET_TYPES = {K.short_text: {"text", "choice"}, K.long_text: {"text"}, K.number: {"number"},
                K.money: {"number"}, K.date: {"date"}, K.yes_no: {"yesno"}, K.one_of: {"choice", "text"},
                K.several_of: {"text"}}


@dataclass
class QuestionDraft:
    """A question as the editor sends it (checked again here; never assigned to the row as it is)."""
    label: str = ""
    key: str = ""
    help: str = ""
    kind: str = K.short_text.value
    required: bool = False
    options: list[str] = field(default_factory=list)
    show_if: str = ""
    field_target: str = ""
    tags_add: list[str] = field(default_factory=list)
    tags_remove: list[str] = field(default_factory=list)
    # The French version (each empty text: a French reader gets the one above); one French label a choice.
    label_fr: str = ""
    help_fr: str = ""
    options_fr: list[str] = field(default_factory=list)


def _slug(label: str) -> str:
    words = re.findall(r"[a-z0-9]+", label.lower())
    slug = "_".join(words)[:40].strip("_") or "question"
    return slug if slug[0].isalpha() else f"q_{slug}"[:40]


def _kind(value) -> K:
    try:
        return K(str(value))
    except ValueError:
        raise InvalidInput(_("Choose what the question asks for from the list."), field="kind") from None


def _options(kind: K, options) -> list[str]:
    if kind not in WITH_OPTIONS:
        return []
    clean = list(dict.fromkeys(" ".join(str(o).split())[:200] for o in (options or []) if str(o).strip()))
    if len(clean) < 2:
        raise InvalidInput(_("A list question needs at least two choices, one a line."), field="options")
    if len(clean) > MAX_OPTIONS:
        raise InvalidInput(_("A list question offers at most {n} choices.").format(n=MAX_OPTIONS), field="options")
    return clean


def _french(draft: QuestionDraft, kind: K, options: list[str]) -> dict:
    """The French version of a question, checked like the main text: a label and help of the same lengths, and
    either no French choices or one for each choice, in the same order (the answer kept is the choice above)."""
    label, help_text = " ".join(str(draft.label_fr or "").split()), str(draft.help_fr or "").strip()
    if len(label) > MAX_LABEL or len(help_text) > MAX_HELP:
        raise InvalidInput(_("A question may hold {n} characters and its help {m}.")
                           .format(n=MAX_LABEL, m=MAX_HELP), field="label_fr")
    french = [" ".join(str(o).split())[:200] for o in (draft.options_fr or []) if str(o).strip()]
    if kind not in WITH_OPTIONS or not french:
        return {"label_fr": label, "help_fr": help_text, "options_fr": []}
    if len(french) != len(options):
        raise InvalidInput(_("Write one French choice for each of the {n} choices, one a line in the same order "
                             "({m} written), or leave the French choices empty.").format(n=len(options), m=len(french)),
                           field="options_fr")
    if len({o.casefold() for o in french}) != len(french):
        raise InvalidInput(_("Two French choices read the same; each choice needs its own words."),
                           field="options_fr")
    return {"label_fr": label, "help_fr": help_text, "options_fr": french}


def _tags(names, firm: rules.Catalog, what: str) -> list[str]:
    out = []
    for name in names or []:
        if not str(name).strip():
            continue
        found = firm.tag(str(name))
        if found is None:
            close = suggest(str(name), firm.tags)
            hint = _(' Did you mean "{name}"?').format(name=close) if close else ""
            raise InvalidInput(_('There is no tag "{name}".').format(name=str(name).strip()) + hint, field=what)
        out.append(found)
    return list(dict.fromkeys(out))


def _target(kind: K, target: str, firm: rules.Catalog) -> str:
    target = str(target or "").strip()
    if not target:
        return ""
    known = conditions.firm_fields(firm)
    entry = known.get(target) or next((v for k, v in known.items() if k.lower() == target.lower()), None)
    if entry is None:
        close = suggest(target, known)
        hint = _(' Did you mean "{name}"?').format(name=close) if close else ""
        raise InvalidInput(_('There is no custom field "{name}" on accounts or contacts.').format(name=target) + hint,
                           field="field_target")
    if entry.get("type") not in TARGET_TYPES.get(kind, set()):
        raise InvalidInput(_('The answer to this question cannot be written into "{name}" (a {type} field).')
                           .format(name=target, type=entry.get("type")), field="field_target")
    return next(k for k in known if k.lower() == target.lower())


def _clean(draft: QuestionDraft, firm: rules.Catalog, *, in_group: bool) -> dict:
    label = " ".join(str(draft.label or "").split())
    if not label:
        raise InvalidInput(_("Write the question."), field="label")
    if len(label) > MAX_LABEL or len(str(draft.help or "")) > MAX_HELP:
        raise InvalidInput(_("A question may hold {n} characters and its help {m}.")
                           .format(n=MAX_LABEL, m=MAX_HELP), field="label")
    kind = _kind(draft.kind)
    key = str(draft.key or "").strip().lower() or _slug(label)
    if not KEY.match(key):
        raise InvalidInput(_("A question's key is what conditions read (answer.key): lowercase letters, digits and "
                             "_, starting with a letter, at most 40."), field="key")
    show_if = str(draft.show_if or "").strip()
    if len(show_if) > MAX_CONDITION:
        raise InvalidInput(_("A show-if condition may hold {n} characters.").format(n=MAX_CONDITION), field="show_if")
    if in_group and (kind == K.group or show_if):
        raise InvalidInput(_("A question inside a repeated group is asked for every entry: it cannot be a group "
                             "itself nor have a show-if condition."), field="kind")
    options = _options(kind, draft.options)
    return {"label": label, "key": key, "help": str(draft.help or "").strip(), "kind": kind,
            "required": bool(draft.required), "options": options, "show_if": show_if, **_french(draft, kind, options),
            "field_target": "" if in_group else _target(kind, draft.field_target, firm),
            "tags_add": _tags(draft.tags_add, firm, "tags_add"), "tags_remove": _tags(draft.tags_remove, firm,
                                                                                      "tags_remove")}


def _question(session: Session, question_id) -> OrganizerQuestion:
    q = session.get(OrganizerQuestion, question_id) if isinstance(question_id, int) else None
    if q is None:
        raise NotFound(_("That question no longer exists."))
    return q


def _key_free(session: Session, template_id: int, key: str, question_id: int | None) -> None:
    same = session.exec(select(OrganizerQuestion).where(OrganizerQuestion.template_id == template_id,
                                                        OrganizerQuestion.key == key)).first()
    if same is not None and same.id != question_id:
        raise InvalidInput(_('Another question ("{label}") has the key "{key}"; each question needs its own.')
                           .format(label=same.label, key=key), field="key")


def _siblings(session: Session, q: OrganizerQuestion) -> list[OrganizerQuestion]:
    return list(session.exec(select(OrganizerQuestion).where(
        OrganizerQuestion.section_id == q.section_id,
        OrganizerQuestion.parent_id == q.parent_id if q.parent_id else OrganizerQuestion.parent_id.is_(None))
        .order_by(OrganizerQuestion.position, OrganizerQuestion.id)))


def _place(session: Session, template_id: int, section_id, parent_id) -> tuple[OrganizerSection, int | None]:
    section = session.get(OrganizerSection, section_id) if isinstance(section_id, int) else None
    if section is None or section.template_id != template_id:
        raise NotFound(_("That section no longer exists."))
    if parent_id is None:
        return section, None
    group = _question(session, parent_id)
    if group.template_id != template_id or group.kind != K.group:
        raise InvalidInput(_("Sub-questions go inside a repeated group."), field="kind")
    return session.get(OrganizerSection, group.section_id), group.id


def save_question(session: Session, actor: Actor, template_id, draft: QuestionDraft, *, section_id=None,
                  parent_id=None, question_id=None, firm_catalog: FirmCatalog) -> OrganizerQuestion:
    """Add a question at the end of a section (or of a repeated group), or change one (owners and admins), with its
    optional French version (what a client who reads French sees)."""
    require_admin(actor)
    template = get_template_row(session, template_id)
    firm = firm_catalog(session)
    french_before: tuple = ("", "", "")
    if question_id is None:
        section, parent = _place(session, template.id, section_id, parent_id)
        count = len(session.exec(select(OrganizerQuestion.id).where(OrganizerQuestion.template_id == template.id))
                    .all())
        if count >= MAX_QUESTIONS:
            raise InvalidInput(_("An organizer holds at most {n} questions.").format(n=MAX_QUESTIONS))
        values = _clean(draft, firm, in_group=parent is not None)
        _key_free(session, template.id, values["key"], None)
        q = OrganizerQuestion(template_id=template.id, section_id=section.id, parent_id=parent, **values)
        q.position = len(_siblings(session, q)) + 1
        session.add(q)
    else:
        q = _question(session, question_id)
        if q.template_id != template.id:
            raise NotFound(_("That question no longer exists."))
        values = _clean(draft, firm, in_group=q.parent_id is not None)
        _key_free(session, template.id, values["key"], q.id)
        if q.kind == K.group and values["kind"] != K.group and layout(session, template).children.get(q.id):
            raise InvalidInput(_("Delete the group's sub-questions before making it another kind of question."),
                               field="kind")
        french_before = (q.label_fr, q.help_fr, "\n".join(q.options_fr or []))
        for name, value in values.items():
            setattr(q, name, value)
    template.updated_at = utcnow()
    require_sound(session, template, firm)
    french = audit.french_change(french_before, (values["label_fr"], values["help_fr"],
                                                 "\n".join(values["options_fr"])))
    audit.record(session, actor, "update", "organizer_template", template.id,
                 f'{"Added" if question_id is None else "Changed"} question "{values["label"]}"'
                 + (f" (French version {french})" if french else ""), **({"french": french} if french else {}))
    return q


def move_question(session: Session, actor: Actor, question_id, step: int, *, firm_catalog: FirmCatalog) -> None:
    """One place up (-1) or down (+1); past the top or bottom of its section it goes to the neighbouring section
    (a sub-question stays in its group). Refused when a show-if condition would then read a later question."""
    require_admin(actor)
    q = _question(session, question_id)
    template = get_template_row(session, q.template_id)
    siblings = _siblings(session, q)
    at = [s.id for s in siblings].index(q.id)
    to = at + (1 if step > 0 else -1)
    if 0 <= to < len(siblings):
        siblings[at], siblings[to] = siblings[to], siblings[at]
        for n, row in enumerate(siblings, start=1):
            row.position = n
    elif q.parent_id is None:
        _to_next_section(session, q, template, step)
    template.updated_at = utcnow()
    require_sound(session, template, firm_catalog(session))


def _to_next_section(session: Session, q: OrganizerQuestion, template, step: int) -> None:
    lay = layout(session, template)
    ids = [s.id for s in lay.sections]
    at = ids.index(q.section_id) + (1 if step > 0 else -1)
    if not 0 <= at < len(ids):
        return
    target = lay.questions.get(ids[at], [])
    q.section_id = ids[at]
    for child in lay.children.get(q.id, []):
        child.section_id = ids[at]
    ordered = target + [q] if step < 0 else [q] + target
    for n, row in enumerate(ordered, start=1):
        row.position = n


def delete_question(session: Session, actor: Actor, question_id, *, firm_catalog: FirmCatalog) -> None:
    """Delete a question (a group with its sub-questions); refused when a later condition reads it."""
    require_admin(actor)
    q = _question(session, question_id)
    template = get_template_row(session, q.template_id)
    for child in layout(session, template).children.get(q.id, []):
        session.delete(child)
    session.flush()
    session.delete(q)
    template.updated_at = utcnow()
    require_sound(session, template, firm_catalog(session))
    audit.record(session, actor, "update", "organizer_template", template.id, f'Deleted question "{q.label}"')


def check_show_if(session: Session, actor: Actor, template_id, text: str, *, section_id=None, question_id=None,
                  key: str = "", firm_catalog: FirmCatalog) -> list[str]:
    """The problems of a show-if condition as the firm types it, for a question being edited (`question_id`) or
    added at the end of `section_id`: the same sentences as the rules editor, and the later or unknown questions."""
    require_staff(actor)
    template = get_template_row(session, template_id)
    ordered = layout(session, template).in_order()
    everything = {q.key: conditions.answer_field(q.kind, q.options) for q in ordered}
    if question_id is not None:
        at = next((n for n, q in enumerate(ordered) if q.id == question_id), len(ordered))
        key = ordered[at].key if at < len(ordered) else key
    else:
        section = session.get(OrganizerSection, section_id) if isinstance(section_id, int) else None
        at = max((n + 1 for n, q in enumerate(ordered) if section and q.section_id == section.id), default=None)
        if at is None:
            at = _first_after(session, template, ordered, section)
    earlier = {q.key: everything[q.key] for q in ordered[:at]}
    return condition_problems(str(text or "")[:MAX_CONDITION], key or "", earlier, everything,
                              firm_catalog(session))


def _first_after(session: Session, template, ordered: list[OrganizerQuestion], section) -> int:
    # An empty section: its new question comes after every question of the sections before it.
    if section is None:
        return len(ordered)
    positions = {s.id: n for n, s in enumerate(layout(session, template).sections)}
    mine = positions.get(section.id, len(positions))
    return sum(1 for q in ordered if positions.get(q.section_id, 0) < mine)


def question_for_editing(session: Session, actor: Actor, question_id) -> dict[str, str]:
    """One question as the editor shows it (texts only; lists one item a line, tags separated by commas)."""
    require_admin(actor)
    q = _question(session, question_id)
    return {"id": str(q.id), "section_id": str(q.section_id), "label": q.label, "key": q.key, "help": q.help,
            "kind": q.kind.value, "required": "yes" if q.required else "", "options": "\n".join(q.options),
            "show_if": q.show_if, "field_target": q.field_target, "tags_add": ", ".join(q.tags_add),
            "tags_remove": ", ".join(q.tags_remove), "label_fr": q.label_fr or "", "help_fr": q.help_fr or "",
            "options_fr": "\n".join(q.options_fr or [])}


def draft_from(values: Mapping) -> QuestionDraft:
    """A draft from the editor's values (lists may come as text, one item a line or separated by commas)."""
    def items(v, sep: str) -> list[str]:
        return [s.strip() for s in (v if isinstance(v, list) else re.split(sep, str(v or ""))) if str(s).strip()]
    return QuestionDraft(label=str(values.get("label") or ""), key=str(values.get("key") or ""),
                         help=str(values.get("help") or ""), kind=str(values.get("kind") or K.short_text.value),
                         required=values.get("required") in (True, "true", "on", "1"),
                         options=items(values.get("options"), r"\n"), show_if=str(values.get("show_if") or ""),
                         field_target=str(values.get("field_target") or ""),
                         tags_add=items(values.get("tags_add"), r"[,\n]"),
                         tags_remove=items(values.get("tags_remove"), r"[,\n]"),
                         label_fr=str(values.get("label_fr") or ""), help_fr=str(values.get("help_fr") or ""),
                         options_fr=items(values.get("options_fr"), r"\n"))
