"""Organizer templates (owners and admins build them, staff read them): the list, create, rename, duplicate and
delete, and their sections in order."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Organizer, OrganizerQuestion, OrganizerSection, OrganizerTemplate, utcnow
from practice.services import audit
from practice.services.actor import Actor, require_admin, require_staff
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.organizers.structure import (FirmCatalog, Layout, RulesUsing, get_template_row, layout,
                                                    require_sound)

MAX_NAME = 200
MAX_SECTIONS = 50
MAX_TEMPLATES = 500


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    name: str
    sections: int
    questions: int
    conditions: int


def list_templates(session: Session, actor: Actor) -> list[TemplateSummary]:
    """Every organizer template with how many sections, questions and show-if conditions it has (staff)."""
    require_staff(actor)
    counts: dict[int, list[int]] = {}
    for tid, show_if in session.execute(select(OrganizerQuestion.template_id, OrganizerQuestion.show_if)
                                        .where(OrganizerQuestion.parent_id.is_(None))):
        count = counts.setdefault(tid, [0, 0])
        count[0] += 1
        count[1] += bool(show_if.strip())
    sections = dict(session.execute(select(OrganizerSection.template_id, func.count())
                                    .group_by(OrganizerSection.template_id)).all())
    return [TemplateSummary(t.id, t.name, sections.get(t.id, 0), *counts.get(t.id, (0, 0)))
            for t in session.exec(select(OrganizerTemplate).order_by(func.lower(OrganizerTemplate.name)))]


def template_names(session: Session) -> list[str]:
    """The names rules may send (`send organizer "T"`)."""
    return list(session.exec(select(OrganizerTemplate.name).order_by(OrganizerTemplate.name)))


def template_by_name(session: Session, name: str) -> OrganizerTemplate | None:
    """Matched like every name in the rules: ignoring case and surrounding spaces."""
    wanted = " ".join((name or "").split()).lower()
    return session.exec(select(OrganizerTemplate)
                        .where(func.lower(func.trim(OrganizerTemplate.name)) == wanted)).first()


def load(session: Session, actor: Actor, template_id) -> Layout:
    """One template's sections and questions in order (staff)."""
    require_staff(actor)
    return layout(session, get_template_row(session, template_id))


def _clean_name(name: str, what: str = "name") -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise InvalidInput(_("Give the organizer a name.") if what == "name" else _("Give the section a title."),
                           field=what)
    if len(clean) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field=what)
    return clean


def _unique(session: Session, name: str, template_id: int | None = None) -> None:
    same = template_by_name(session, name)
    if same is not None and same.id != template_id:
        raise Conflict(_('There is already an organizer template "{name}".').format(name=same.name))


def create_template(session: Session, actor: Actor, name: str) -> OrganizerTemplate:
    """A new, empty organizer with one section to start from (owners and admins)."""
    require_admin(actor)
    name = _clean_name(name)
    _unique(session, name)
    if session.exec(select(func.count()).select_from(OrganizerTemplate)).one() >= MAX_TEMPLATES:
        raise InvalidInput(_("The firm has {n} organizer templates, the most it may keep; delete one first.")
                           .format(n=MAX_TEMPLATES))
    template = OrganizerTemplate(name=name)
    session.add(template)
    session.flush()
    session.add(OrganizerSection(template_id=template.id, title=_("General"), position=1))
    audit.record(session, actor, "create", "organizer_template", template.id, f'Created organizer template "{name}"')
    return template


def not_used_by_rules(session: Session, template: OrganizerTemplate, rename: bool, rules_using: RulesUsing) -> None:
    """Refuse to rename or delete a template a saved rule sends (a rule naming a missing template would stop the
    whole rules file from running)."""
    used = rules_using(session, template.name)
    if not used:
        return
    names = ", ".join(f'"{n}"' for n in used)
    if rename:
        raise Conflict(_('The rule {names} sends "{name}" (send organizer "{name}"); change the rules first, then '
                         "rename the organizer.").format(names=names, name=template.name))
    raise Conflict(_('The rule {names} sends "{name}" (send organizer "{name}"); change the rules first, then '
                     "delete the organizer.").format(names=names, name=template.name))


def rename_template(session: Session, actor: Actor, template_id, name: str, *, rules_using: RulesUsing) -> None:
    """Rename a template (owners and admins); one a saved rule sends keeps its name."""
    require_admin(actor)
    template = get_template_row(session, template_id)
    name = _clean_name(name)
    _unique(session, name, template.id)
    if name == template.name:
        return
    if name.lower() != " ".join(template.name.split()).lower():
        not_used_by_rules(session, template, True, rules_using)
    old, template.name, template.updated_at = template.name, name, utcnow()
    audit.record(session, actor, "update", "organizer_template", template.id,
                 f'Renamed organizer template "{old}" to "{name}"')


def set_template_name_fr(session: Session, actor: Actor, template_id, name: str) -> None:
    """The template's French name, what a client who reads French sees in the portal, the emails and the answers'
    PDF (empty: the name); owners and admins, audited. Organizers already sent keep the name they were sent with."""
    require_admin(actor)
    template = get_template_row(session, template_id)
    name = " ".join(str(name or "").split())
    if len(name) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field="name_fr")
    french = audit.french_change((template.name_fr,), (name,))
    if not french:
        return
    template.name_fr, template.updated_at = name, utcnow()
    audit.record(session, actor, "update", "organizer_template", template.id,
                 f'Organizer template "{template.name}": French name {french}', french=french)


def _copy_name(session: Session, name: str) -> str:
    for n in range(1, 1000):
        candidate = _("{name} (copy)").format(name=name) if n == 1 else _("{name} (copy {n})").format(name=name, n=n)
        if template_by_name(session, candidate[:MAX_NAME]) is None:
            return candidate[:MAX_NAME]
    raise Conflict(_("Too many copies of this organizer already; rename some first."))


def duplicate_template(session: Session, actor: Actor, template_id) -> OrganizerTemplate:
    """A copy of a template, every section and question included, named "<name> (copy)" (owners and admins)."""
    require_admin(actor)
    source = get_template_row(session, template_id)
    lay = layout(session, source)
    copy = OrganizerTemplate(name=_copy_name(session, source.name), name_fr=source.name_fr)
    session.add(copy)
    session.flush()
    for section in lay.sections:
        new_section = OrganizerSection(template_id=copy.id, title=section.title, title_fr=section.title_fr,
                                       position=section.position)
        session.add(new_section)
        session.flush()
        for q in lay.questions.get(section.id, []):
            group = _copy_question(session, q, copy.id, new_section.id, None)
            for child in lay.children.get(q.id, []):
                _copy_question(session, child, copy.id, new_section.id, group.id)
    audit.record(session, actor, "create", "organizer_template", copy.id,
                 f'Duplicated organizer template "{source.name}" as "{copy.name}"')
    return copy


def _copy_question(session: Session, q: OrganizerQuestion, template_id: int, section_id: int,
                   parent_id: int | None) -> OrganizerQuestion:
    data = q.model_dump(exclude={"id", "template_id", "section_id", "parent_id"})
    new = OrganizerQuestion(**data, template_id=template_id, section_id=section_id, parent_id=parent_id)
    session.add(new)
    session.flush()
    return new


def delete_template(session: Session, actor: Actor, template_id, *, rules_using: RulesUsing) -> None:
    """Delete a template no saved rule sends (owners and admins)."""
    require_admin(actor)
    template = get_template_row(session, template_id)
    not_used_by_rules(session, template, False, rules_using)
    sent = session.exec(select(func.count()).select_from(Organizer).where(Organizer.template_id == template.id)).one()
    if sent:
        raise Conflict(_('"{name}" was sent to clients {n} times; their answers keep it. Rename it instead, or make '
                         "a copy to change.").format(name=template.name, n=sent))
    questions = list(session.exec(select(OrganizerQuestion).where(OrganizerQuestion.template_id == template.id)))
    for q in sorted(questions, key=lambda q: q.parent_id is None):  # sub-questions before their group
        session.delete(q)
        session.flush()
    for section in session.exec(select(OrganizerSection).where(OrganizerSection.template_id == template.id)):
        session.delete(section)
    audit.record(session, actor, "delete", "organizer_template", template.id,
                 f'Deleted organizer template "{template.name}"')
    session.flush()
    session.delete(template)


# --- sections ---------------------------------------------------------------------------------------------------

def _section(session: Session, section_id) -> OrganizerSection:
    section = session.get(OrganizerSection, section_id) if isinstance(section_id, int) else None
    if section is None:
        raise NotFound(_("That section no longer exists."))
    return section


def _renumber(rows: list) -> None:
    for n, row in enumerate(rows, start=1):
        row.position = n


def add_section(session: Session, actor: Actor, template_id, title: str) -> OrganizerSection:
    """A new section at the end of the template (owners and admins)."""
    require_admin(actor)
    template = get_template_row(session, template_id)
    title = _clean_name(title, "title")
    sections = layout(session, template).sections
    if len(sections) >= MAX_SECTIONS:
        raise InvalidInput(_("An organizer holds at most {n} sections.").format(n=MAX_SECTIONS), field="title")
    section = OrganizerSection(template_id=template.id, title=title, position=len(sections) + 1)
    session.add(section)
    template.updated_at = utcnow()
    audit.record(session, actor, "update", "organizer_template", template.id, f'Added section "{title}"')
    return section


def rename_section(session: Session, actor: Actor, section_id, title: str) -> None:
    require_admin(actor)
    section = _section(session, section_id)
    section.title = _clean_name(title, "title")
    get_template_row(session, section.template_id).updated_at = utcnow()


def set_section_title_fr(session: Session, actor: Actor, section_id, title: str) -> None:
    """The section's French title, what a client who reads French sees (empty: the title); owners and admins,
    audited."""
    require_admin(actor)
    section = _section(session, section_id)
    title = " ".join(str(title or "").split())
    if len(title) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field="title_fr")
    french = audit.french_change((section.title_fr,), (title,))
    if not french:
        return
    section.title_fr = title
    template = get_template_row(session, section.template_id)
    template.updated_at = utcnow()
    audit.record(session, actor, "update", "organizer_template", template.id,
                 f'Section "{section.title}": French title {french}', french=french)


def move_section(session: Session, actor: Actor, section_id, step: int, *, firm_catalog: FirmCatalog) -> None:
    """Move a section one place up (-1) or down (+1); refused when a condition would then read a later question."""
    require_admin(actor)
    section = _section(session, section_id)
    template = get_template_row(session, section.template_id)
    sections = layout(session, template).sections
    at = [s.id for s in sections].index(section.id)
    to = at + (1 if step > 0 else -1)
    if not 0 <= to < len(sections):
        return
    sections[at], sections[to] = sections[to], sections[at]
    _renumber(sections)
    template.updated_at = utcnow()
    require_sound(session, template, firm_catalog(session))


def delete_section(session: Session, actor: Actor, section_id, *, firm_catalog: FirmCatalog) -> None:
    """Delete a section and its questions; refused when a later condition reads one of them, or when it is the
    template's only section."""
    require_admin(actor)
    section = _section(session, section_id)
    template = get_template_row(session, section.template_id)
    lay = layout(session, template)
    if len(lay.sections) == 1:
        raise InvalidInput(_("An organizer needs at least one section; add another before deleting this one."))
    for q in lay.questions.get(section.id, []):
        for child in lay.children.get(q.id, []):
            session.delete(child)
        session.flush()
        session.delete(q)
    session.flush()
    session.delete(section)
    _renumber([s for s in lay.sections if s.id != section.id])
    template.updated_at = utcnow()
    require_sound(session, template, firm_catalog(session))
    audit.record(session, actor, "update", "organizer_template", template.id, f'Deleted section "{section.title}"')
