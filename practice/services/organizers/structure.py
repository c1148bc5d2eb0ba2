"""An organizer template as it is stored, read in order, and its soundness: every show-if condition reads only known
questions placed before it (and the account's and contact's fields), so no hidden question can block submission."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import rules
from sqlmodel import Session, select

from practice.i18n import _
from practice.services.firm import version_for
from practice.models import OrganizerQuestion, OrganizerSection, OrganizerTemplate, QuestionKind
from practice.services.errors import InvalidInput, NotFound
from practice.services.organizers import answering, conditions

# The firm's names and fields, read by the automations (which sit above organizers): the state passes
# `rulesets.catalog_from_db`.
FirmCatalog = Callable[[Session], rules.Catalog]
# Names of the saved rules that send an organizer template (the automations' `rules_sending_organizer`).
RulesUsing = Callable[[Session, str], list[str]]
_ANSWER_NAME = re.compile(r"\banswer\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Layout:
    """A template's sections in order, each with its top-level questions in order, and each group's sub-questions."""
    template: OrganizerTemplate
    sections: list[OrganizerSection]
    questions: dict[int, list[OrganizerQuestion]]  # section id -> its top-level questions
    children: dict[int, list[OrganizerQuestion]]  # group id -> its sub-questions

    def in_order(self) -> list[OrganizerQuestion]:
        """Every top-level question, section after section: the order the client meets them in."""
        return [q for s in self.sections for q in self.questions.get(s.id, [])]


def get_template_row(session: Session, template_id) -> OrganizerTemplate:
    template = session.get(OrganizerTemplate, template_id) if isinstance(template_id, int) else None
    if template is None:
        raise NotFound(_("That organizer template no longer exists."))
    return template


def layout(session: Session, template: OrganizerTemplate) -> Layout:
    """The template's sections and questions in order (three statements)."""
    sections = list(session.exec(select(OrganizerSection).where(OrganizerSection.template_id == template.id)
                                 .order_by(OrganizerSection.position, OrganizerSection.id)))
    questions: dict[int, list[OrganizerQuestion]] = {}
    children: dict[int, list[OrganizerQuestion]] = {}
    for q in session.exec(select(OrganizerQuestion).where(OrganizerQuestion.template_id == template.id)
                          .order_by(OrganizerQuestion.position, OrganizerQuestion.id)):
        if q.parent_id is None:
            questions.setdefault(q.section_id, []).append(q)
        else:
            children.setdefault(q.parent_id, []).append(q)
    return Layout(template, sections, questions, children)


def condition_problems(show_if: str, key: str, earlier: dict[str, dict], everything: dict[str, dict],
                       firm: rules.Catalog) -> list[str]:
    """What is wrong with one show-if condition placed after the questions `earlier` (key -> answer field), in a
    template whose questions are `everything`: its own problems, or the later or unknown questions it reads."""
    if not show_if.strip():
        return []
    found = conditions.problems(show_if, conditions.catalog_for(firm, everything))
    if found:
        return found
    if not conditions.problems(show_if, conditions.catalog_for(firm, earlier)):
        return []
    later = [name for name in _ANSWER_NAME.findall(show_if) if name not in earlier]
    if key in later:
        return [_('It reads this question\'s own answer ("answer.{key}"); a condition may read only the questions '
                  "before it.").format(key=key)]
    names = ", ".join(f'"answer.{name}"' for name in dict.fromkeys(later)) or _("a question")
    return [_("It reads {names}, which comes later in the organizer; a condition may read only the questions "
              "before it. Move the question below, or change the condition.").format(names=names)]


def template_problems(lay: Layout, firm: rules.Catalog) -> list[tuple[OrganizerQuestion, str]]:
    """Every show-if condition of the template that is unsound where it stands, with its first problem."""
    ordered = lay.in_order()
    everything = {q.key: conditions.answer_field(q.kind, q.options) for q in ordered}
    earlier: dict[str, dict] = {}
    out = []
    for q in ordered:
        found = condition_problems(q.show_if, q.key, earlier, everything, firm)
        if found:
            out.append((q, found[0]))
        earlier[q.key] = everything[q.key]
    return out


def one_file_question_a_section(lay: Layout) -> None:
    """The portal shows a section at a time with one place to drop files: a second file question in the same
    section would receive nothing (its files would go to the first), so it is refused with where to put it."""
    for section in lay.sections:
        files = [q for q in lay.questions.get(section.id, []) if q.kind == QuestionKind.file]
        if len(files) > 1:
            raise InvalidInput(_('The section "{section}" already asks for files ("{first}"); put "{label}" in a '
                                 "section of its own. Nothing was changed.")
                               .format(section=section.title, first=files[0].label, label=files[1].label),
                               field="kind")


def require_sound(session: Session, template: OrganizerTemplate, firm: rules.Catalog) -> None:
    """Refuse a change that leaves a show-if condition reading a later, missing or mistyped question, or two file
    questions in one section."""
    session.flush()
    lay = layout(session, template)
    one_file_question_a_section(lay)
    problems = template_problems(lay, firm)
    if problems:
        question, problem = problems[0]
        raise InvalidInput(_('The show-if condition of "{label}" would no longer hold: {problem} Nothing was '
                             "changed.").format(label=question.label, problem=problem), field="show_if")


def option_labels(q: OrganizerQuestion, language: str) -> tuple[str, ...]:
    """The words a reader of `language` sees for each choice: the French labels, when the firm wrote one for each
    choice, else the choices themselves."""
    french = [str(o) for o in (q.options_fr or [])]
    if language == "fr" and len(french) == len(q.options) and all(o.strip() for o in french):
        return tuple(french)
    return tuple(q.options)


def _question(q: OrganizerQuestion, section: int, children: list[OrganizerQuestion],
              language: str = "") -> answering.Question:
    return answering.Question(q.key, version_for(language, q.label, q.label_fr), q.kind, q.required, q.show_if,
                              tuple(q.options), tuple(_question(c, section, [], language) for c in children), section,
                              help=version_for(language, q.help, q.help_fr), option_labels=option_labels(q, language))


def form_of(session: Session, template: OrganizerTemplate, firm: rules.Catalog,
            language: str = "") -> answering.Form:
    """The template ready to fill (each show-if compiled against the questions before it): what the portal reads.
    With `language` "fr", the titles, questions, helps and choices read in French where the firm wrote them (each
    empty one: the main text); the answers and the conditions stay the same in every language."""
    lay = layout(session, template)
    questions, compiled, earlier = [], {}, {}
    for n, section in enumerate(lay.sections):
        for q in lay.questions.get(section.id, []):
            questions.append(_question(q, n, lay.children.get(q.id, []), language))
            if q.show_if.strip():
                compiled[q.key] = conditions.compiled(q.show_if, conditions.catalog_for(firm, earlier))
            earlier[q.key] = conditions.answer_field(q.kind, q.options)
    return answering.Form(tuple(questions), compiled,
                          tuple(version_for(language, s.title, s.title_fr) for s in lay.sections))
