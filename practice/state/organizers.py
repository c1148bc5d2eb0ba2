"""Staff side of organizers: the templates page (owners and admins build sections and questions, each show-if
condition checked as they type)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.models import QuestionKind
from practice.services.automation import compiled, rulesets
from practice.services.organizers import questions, templates
from practice.state.base import ADMIN, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.work_views import parse_id

EDITOR_FIELDS = ("label", "key", "help", "kind", "required", "options", "show_if", "field_target", "tags_add",
                 "tags_remove", "label_fr", "help_fr", "options_fr")
FIRM = {"firm_catalog": rulesets.catalog_from_db}
RULES = {"rules_using": compiled.rules_sending_organizer}


@dataclasses.dataclass
class OrganizerRow:
    id: int = 0
    name: str = ""
    sections: int = 0
    questions: int = 0
    conditions: int = 0


@dataclasses.dataclass
class QuestionRow:
    """One question in the section's list; a repeated group's sub-questions follow it with `sub` set."""
    id: int = 0
    key: str = ""
    label: str = ""
    kind: str = ""
    required: bool = False
    show_if: str = ""
    sub: bool = False
    group: bool = False
    french: bool = False  # it has a French version


@dataclasses.dataclass
class SectionRow:
    id: int = 0
    title: str = ""
    questions: list[QuestionRow] = dataclasses.field(default_factory=list)
    title_fr: str = ""


def _created(session, actor, name: str) -> int:
    return templates.create_template(session, actor, name).id


def _rows(lay) -> list[SectionRow]:
    out = []
    for section in lay.sections:
        rows = []
        for q in lay.questions.get(section.id, []):
            rows.append(QuestionRow(q.id, q.key, q.label, q.kind.value, q.required, q.show_if, False,
                                    q.kind == QuestionKind.group, _has_french(q)))
            rows += [QuestionRow(c.id, c.key, c.label, c.kind.value, c.required, "", True, False, _has_french(c))
                     for c in lay.children.get(q.id, [])]
        out.append(SectionRow(section.id, section.title, rows, section.title_fr or ""))
    return out


def _has_french(q) -> bool:
    return bool((q.label_fr or "").strip() or (q.help_fr or "").strip() or q.options_fr)


class OrganizerTemplatesState(AppState):
    """Templates -> Organizers: the list, one template open with its sections and questions, the question editor."""

    organizers: list[OrganizerRow] = []
    open_id: int = 0
    open_name: str = ""
    open_name_fr: str = ""
    sections: list[SectionRow] = []
    error: str = ""
    form_key: int = 0
    # The "new organizer" box is only emptied by a creation: a page load must not remount it (a name typed while
    # the page was still loading would be lost).
    new_key: int = 0
    # The question editor: which question (0: a new one), where a new one goes, and what it holds.
    editing: bool = False
    edit_id: int = 0
    edit_section: int = 0
    edit_parent: int = 0
    draft: dict[str, str] = {}
    kind: str = QuestionKind.short_text.value
    required: bool = False
    problems: list[str] = []
    editor_error: str = ""
    editor_key: int = 0

    def _refresh(self) -> None:
        with shown_in(self, "error"):
            self.organizers = [OrganizerRow(t.id, t.name, t.sections, t.questions, t.conditions)
                               for t in read(templates.list_templates, self._require())]
            if self.open_id and all(o.id != self.open_id for o in self.organizers):
                self.open_id, self.sections = 0, []
            if self.open_id:
                lay = read(templates.load, self._require(), self.open_id)
                self.open_name, self.sections = lay.template.name, _rows(lay)
                self.open_name_fr = lay.template.name_fr or ""
        self.form_key += 1

    @allow(ADMIN)
    def load(self):
        self.error, self.editing = "", False
        self._refresh()

    @allow(ADMIN)
    def create(self, form: dict):
        self.error = ""
        with shown_in(self, "error"):
            self.open_id = run(_created, self._require(), str(form.get("name", ""))[:300])
            self.new_key += 1
        self._refresh()

    @allow(ADMIN)
    def open_template(self, template_id: int):
        self.open_id, self.editing, self.error = parse_id(template_id) or 0, False, ""
        self._refresh()

    @allow(ADMIN)
    def close_template(self):
        self.open_id, self.sections, self.editing = 0, [], False

    @allow(ADMIN)
    def rename(self, form: dict):
        write_and_refresh(self, templates.rename_template, self.open_id, str(form.get("name", ""))[:300], **RULES)

    @allow(ADMIN)
    def set_name_fr(self, name: str):
        """The organizer's French name, what a client who reads French sees (empty: the name)."""
        write_and_refresh(self, templates.set_template_name_fr, self.open_id, str(name or "")[:300])

    @allow(ADMIN)
    def duplicate(self, template_id: int):
        if write_and_refresh(self, templates.duplicate_template, parse_id(template_id)):
            return rx.toast.success(_("Organizer duplicated."))

    @allow(ADMIN)
    def delete(self, template_id: int):
        if write_and_refresh(self, templates.delete_template, parse_id(template_id), **RULES):
            return rx.toast.success(_("Organizer deleted."))

    @allow(ADMIN)
    def add_section(self, form: dict):
        write_and_refresh(self, templates.add_section, self.open_id, str(form.get("title", ""))[:300])

    @allow(ADMIN)
    def rename_section(self, section_id: int, title: str):
        write_and_refresh(self, templates.rename_section, parse_id(section_id), str(title or "")[:300])

    @allow(ADMIN)
    def set_section_title_fr(self, section_id: int, title: str):
        """The section's French title, what a client who reads French sees (empty: the title)."""
        write_and_refresh(self, templates.set_section_title_fr, parse_id(section_id), str(title or "")[:300])

    @allow(ADMIN)
    def move_section(self, section_id: int, step: int):
        write_and_refresh(self, templates.move_section, parse_id(section_id), 1 if step == 1 else -1, **FIRM)

    @allow(ADMIN)
    def delete_section(self, section_id: int):
        write_and_refresh(self, templates.delete_section, parse_id(section_id), **FIRM)

    @allow(ADMIN)
    def move_question(self, question_id: int, step: int):
        write_and_refresh(self, questions.move_question, parse_id(question_id), 1 if step == 1 else -1, **FIRM)

    @allow(ADMIN)
    def delete_question(self, question_id: int):
        write_and_refresh(self, questions.delete_question, parse_id(question_id), **FIRM)

    def _open_editor(self, draft: dict, *, question: int = 0, section: int = 0, parent: int = 0) -> None:
        self.editing, self.edit_id, self.edit_section, self.edit_parent = True, question, section, parent
        self.draft = {name: str(draft.get(name, "")) for name in EDITOR_FIELDS}
        self.kind, self.required = draft.get("kind", QuestionKind.short_text.value), draft.get("required") == "yes"
        self.problems, self.editor_error = [], ""
        self.editor_key += 1

    @allow(ADMIN)
    def new_question(self, section_id: int, parent_id: int = 0):
        self._open_editor({}, section=parse_id(section_id) or 0, parent=parse_id(parent_id) or 0)
        return rx.scroll_to("question-editor")

    @allow(ADMIN)
    def edit_question(self, question_id: int):
        with shown_in(self, "error"):
            q = read(questions.question_for_editing, self._require(), parse_id(question_id))
            self._open_editor(q, question=int(q["id"]), section=int(q["section_id"]))
            return rx.scroll_to("question-editor")

    @allow(ADMIN)
    def cancel_question(self):
        self.editing = False

    @allow(ADMIN)
    def set_kind(self, kind: str):
        self.kind = str(kind or "")[:20]

    @allow(ADMIN)
    def set_required(self, value: bool):
        self.required = bool(value)

    @allow(ADMIN)
    def check_show_if(self, text: str):
        """Called (debounced) as the condition is typed: its problems, in the rules editor's words."""
        self.editor_error = ""
        with shown_in(self, "editor_error"):
            self.problems = read(questions.check_show_if, self._require(), self.open_id, str(text or "")[:2000],
                                 section_id=self.edit_section or None, question_id=self.edit_id or None,
                                 key=str(self.draft.get("key", "")), **FIRM)

    @allow(ADMIN)
    def save_question(self, form: dict):
        draft = questions.draft_from({**{k: str(v)[:5000] for k, v in form.items()}, "kind": self.kind,
                                      "required": self.required})
        self.editor_error = ""
        with shown_in(self, "editor_error"):
            run(questions.save_question, self._require(), self.open_id, draft, section_id=self.edit_section or None,
                parent_id=self.edit_parent or None, question_id=self.edit_id or None, **FIRM)
            self.editing = False
            self._refresh()
