"""The client's organizers: the list (/portal/organizers) and one organizer to fill (/portal/organizers/N), a section
at a time, each answer saved as it is given, a group's entries added and removed, files uploaded into the account's
documents, and Submit with the sentence of what is still missing."""
from __future__ import annotations

import asyncio

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.automation.rulesets import catalog_from_db
from practice.services.documents import files as document_files
from practice.services.errors import PracticeError
from practice.services.organizers import filling, review
from practice.state.base import ANYONE, CONTACT, allow, read, run, shown_in
from practice.state.organizer_views import OrganizerItem, QuestionItem, organizer_items, question_items
from practice.state.portal import PortalState
from practice.state.work_views import parse_id

FIRM = {"firm_catalog": catalog_from_db}


class PortalOrganizerState(PortalState):
    loaded: bool = False
    organizers: list[OrganizerItem] = []
    oid: int = 0
    name: str = ""
    status: str = ""
    sections: list[str] = []
    section: int = 0
    questions: list[QuestionItem] = []
    progress: str = ""
    percent: int = 0
    missing: str = ""
    saved: str = ""
    question_error: dict[str, str] = {}
    form_key: int = 0
    reopen_asked: bool = False  # the client asked the firm to reopen the submitted organizer
    _account: int = 0

    @rx.var
    def read_only(self) -> bool:
        return self.status == "submitted"

    @rx.var
    def last_section(self) -> bool:
        return self.section >= len(self.sections) - 1

    @allow(ANYONE)
    async def load(self):
        actor, _view = await self._open()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.oid, self.section, self.saved, self.question_error = 0, 0, "", {}
        wanted = parse_id(getattr(self, "organizer_id", ""))
        with shown_in(self, "error"):
            if wanted:
                self._show(actor, wanted)
            else:
                self.organizers = organizer_items(read(filling.organizers_for_contact, actor, **FIRM))
        self.loaded = True

    def _show(self, actor, organizer_id: int, section: int | None = None) -> None:
        view = read(filling.section_view, actor, organizer_id, self.section if section is None else section, **FIRM)
        o = view.filling.organizer
        self.oid, self.name, self.status, self.section = o.id, view.filling.name, o.status.value, view.section
        self._account = o.account_id
        self.reopen_asked = o.reopen_requested_at is not None
        self.sections = list(view.filling.form.sections)
        items = question_items(view.filling, view.questions, view.helps, view.documents)
        if [(q.key, len(q.rows)) for q in items] != [(q.key, len(q.rows)) for q in self.questions]:
            self.form_key += 1  # questions or entries came or went: the inputs start again from the saved answers
        self.questions = items
        done = view.progress
        self.progress = _("{answered} of {total} answered").format(answered=done.answered, total=done.total)
        self.percent = int(100 * done.answered / done.total) if done.total else 100
        self.missing = view.missing

    def _after(self, key: str, call, *args, **kwargs) -> None:
        """Run one change of the answers, then show the section again; a refusal stays beside its question."""
        actor = self._require()
        errors = dict(self.question_error)
        errors.pop(key, None)
        try:
            run(call, actor, self.oid, *args, **kwargs)
            self.saved = _("Saved")
        except PracticeError as err:
            errors[key], self.saved = str(err), ""
        self.question_error = errors
        with shown_in(self, "error"):
            self._show(actor, self.oid)

    @allow(CONTACT)
    def save(self, key: str, value):
        self._after(str(key), filling.save_answer, str(key), value, **FIRM)

    @allow(CONTACT)
    def same_as_last_year(self, key: str):
        item = next((q for q in self.questions if q.key == key), None)
        if item is not None and item.suggestion_value != "":
            self._after(item.key, filling.save_answer, item.key, item.suggestion_value, **FIRM)
            self.form_key += 1  # the inputs show the answer just taken

    @allow(CONTACT)
    def save_part(self, key: str, entry: int, child: str, value):
        self._after(str(key), filling.save_answer, str(key), value, entry=int(entry), child=str(child), **FIRM)

    @allow(CONTACT)
    def choose(self, key: str, option: str, chosen: bool):
        item = next((q for q in self.questions if q.key == key), None)
        picked = [o for o in (item.chosen if item else []) if o != option] + ([str(option)] if chosen else [])
        self._after(str(key), filling.save_answer, str(key), picked, **FIRM)

    @allow(CONTACT)
    def add_entry(self, key: str):
        self._after(str(key), filling.add_entry, str(key), **FIRM)

    @allow(CONTACT)
    def remove_entry(self, key: str, entry: int):
        self._after(str(key), filling.remove_entry, str(key), int(entry))

    @allow(CONTACT)
    def detach(self, key: str, document_id: int):
        self._after(str(key), filling.detach_file, str(key), int(document_id))

    @allow(CONTACT)
    def go(self, section: int):
        self.question_error, self.saved = {}, ""
        with shown_in(self, "error"):
            self._show(self._require(), self.oid, int(section))
        return rx.call_script("window.scrollTo(0, 0)")

    @allow(CONTACT)
    def submit(self):
        actor = self._require()
        self.error = ""
        with shown_in(self, "missing"):
            run(filling.submit, actor, self.oid, **FIRM)
            self._show(actor, self.oid)
            return rx.toast.success(_("Submitted. Thank you!"))

    @allow(CONTACT)
    def ask_to_reopen(self, form: dict):
        """Ask the firm to reopen the submitted organizer, saying what needs changing."""
        actor = self._require()
        self.error = ""
        with shown_in(self, "error"):
            run(review.ask_to_reopen, actor, self.oid, str((form or {}).get("reason", ""))[:review.MAX_REASON])
            self._show(actor, self.oid)
            return rx.toast.success(_("The firm has been asked to reopen it."))

    @allow(CONTACT)
    async def upload(self, files: list[rx.UploadFile]):
        """Each file into the account's documents (the checked upload), then onto the section's file question."""
        actor = self._require()
        key = next((q.key for q in self.questions if q.kind == "file"), "")
        for upload in (files or [])[:filling.MAX_FILES]:
            try:
                doc = await asyncio.to_thread(document_files.upload, actor.limited_to(self._account), self._account,
                                              None, str(upload.name or "upload")[:300], upload.file)
            except PracticeError as err:
                self.question_error = {**self.question_error, key: str(err)}
                continue
            self._after(key, filling.attach_file, key, doc.id, **FIRM)
