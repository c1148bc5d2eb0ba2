"""The Organizers section of the account and job pages: send one (account page: with an optional job; job page: for
this job), the list with status and progress, one organizer's answers to read (what changed since last year, each
answer markable as reviewed, or all at once), and Reopen."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services import firm
from practice.services.automation.rulesets import catalog_from_db
from practice.services.errors import PracticeError
from practice.services.organizers import review, sent, templates
from practice.services.work import jobs
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.organizer_views import OrganizerItem, organizer_items
from practice.state.views import Option
from practice.state.work_views import parse_id

FIRM = {"firm_catalog": catalog_from_db}


@dataclasses.dataclass
class AnswerItem:
    label: str = ""
    answer: str = ""
    section: str = ""
    indent: bool = False
    last_year: str = ""  # last year's answer where this one differs from it
    changed: bool = False
    key: str = ""  # the question's key on its own line (the review mark's handle); "" on a group's entries
    reviewed: str = ""  # "Reviewed by …, when" while staff's mark on this answer stands


def _view(session, actor, account_id: int, job_id: int) -> dict:
    rows = (sent.list_for_job(session, actor, job_id, **FIRM) if job_id
            else sent.list_for_account(session, actor, account_id, **FIRM))
    return {"rows": rows, "templates": [(t.id, t.name) for t in templates.list_templates(session, actor) if t.questions],
            "jobs": [] if job_id else [(j.id, j.name) for j, _a, _b in jobs.jobs_of_account(session, actor, account_id)
                                       if not j.archived],
            "timezone": firm.get_firm(session).timezone}


class SentOrganizersState(AppState):
    org_account: int = 0
    org_job: int = 0
    org_items: list[OrganizerItem] = []
    org_templates: list[Option] = []
    org_jobs: list[Option] = []
    org_error: str = ""
    org_form_key: int = 0
    org_open: int = 0
    org_open_status: str = ""
    org_answers: list[AnswerItem] = []
    org_reviewed: str = ""  # "Reviewed by …" ("" until marked)
    org_reopen_asked: str = ""  # the client's request to reopen, with its reason
    org_pdf_filed: str = ""  # the name of the answers' PDF filed in the documents on submission
    org_review_done: int = 0  # answers marked reviewed, of
    org_review_total: int = 0  # the questions the client saw

    def _refresh(self) -> None:
        try:
            view = read(_view, self._require(), self.org_account, self.org_job)
        except PracticeError as err:
            self.org_error, self.org_items = str(err), []
            return
        self.org_items = organizer_items(view["rows"], staff=True, timezone=view["timezone"])
        self.org_templates = [Option(value=str(i), label=name) for i, name in view["templates"]]
        self.org_jobs = [Option(value=str(i), label=name) for i, name in view["jobs"]]
        if self.org_open:
            self._show_answers()

    def _start(self, account_id: int, job_id: int) -> None:
        self.org_error, self.org_open, self.org_answers = "", 0, []
        self.org_account, self.org_job = account_id, job_id
        self._refresh()

    @allow(STAFF)
    def load_account(self):
        account_id = parse_id(getattr(self, "account_id", ""))
        if account_id is not None:
            self._start(account_id, 0)

    @allow(STAFF)
    def load_job(self):
        job_id = parse_id(getattr(self, "job_id", ""))
        if job_id is not None:
            job = read(lambda s, actor: jobs.get_job(s, actor, job_id), self._require())
            self._start(job.account_id, job_id)

    @allow(STAFF)
    def send(self, form: dict):
        template = parse_id(form.get("template_id", ""))
        if template is None:
            self.org_error = _("Choose the organizer template to send.")
            return
        job = self.org_job or parse_id(form.get("job_id", ""))
        if write_and_refresh(self, sent.send_organizer, self.org_account, template, job_id=job, shown="org_error"):
            self.org_form_key += 1
            return rx.toast.success(_("Organizer sent. The client's portal contacts were emailed a link."))

    def _show_answers(self) -> None:
        with shown_in(self, "org_error"):
            found = read(review.review_lines, self._require(), self.org_open, **FIRM)
            self.org_answers = [AnswerItem(label=x.label, answer=x.answer, section=x.section, indent=x.indent,
                                           last_year=x.last_year, changed=x.changed, key=x.key, reviewed=x.reviewed)
                                for x in found.lines]
            self.org_review_done, self.org_review_total = found.reviewed, found.total
            self.org_open_status = next((o.status for o in self.org_items if o.id == self.org_open), "")
            self.org_reviewed, self.org_reopen_asked, self.org_pdf_filed = read(review.review_notes, self._require(),
                                                                                self.org_open)

    @allow(STAFF)
    def open(self, organizer_id: int):
        self.org_open = parse_id(organizer_id) or 0
        if self.org_open:
            self._show_answers()

    @allow(STAFF)
    def close(self):
        self.org_open, self.org_answers, self.org_review_done, self.org_review_total = 0, [], 0, 0

    @allow(STAFF)
    def reopen(self):
        if self.org_open and write_and_refresh(self, sent.reopen, self.org_open, shown="org_error"):
            return rx.toast.success(_("Reopened. The client can change the answers and submit again."))

    @allow(STAFF)
    def mark_reviewed(self):
        if self.org_open and write_and_refresh(self, review.mark_reviewed, self.org_open, shown="org_error", **FIRM):
            return rx.toast.success(_("Every answer is marked reviewed."))

    @allow(STAFF)
    def mark_answer(self, key: str):
        """Mark one answer of the open organizer reviewed."""
        if self.org_open:
            write_and_refresh(self, review.mark_answer, self.org_open, str(key or ""), True, shown="org_error", **FIRM)

    @allow(STAFF)
    def unmark_answer(self, key: str):
        """Take the review mark off one answer of the open organizer."""
        if self.org_open:
            write_and_refresh(self, review.mark_answer, self.org_open, str(key or ""), False, shown="org_error", **FIRM)

    @allow(STAFF)
    def export_csv(self):
        """Download the open organizer's answers as a CSV file."""
        if not self.org_open:
            return
        self.org_error = ""
        with shown_in(self, "org_error"):
            name, text = run(review.answers_csv, self._require(), self.org_open, **FIRM)
            return rx.download(data=text, filename=name, mime_type="text/csv")

    @allow(STAFF)
    def file_pdf(self):
        """File the open organizer's answers as a PDF in the account's documents again (one is filed on submission)."""
        if self.org_open and write_and_refresh(self, review.file_answers_pdf, self.org_open, shown="org_error", **FIRM):
            return rx.toast.success(_("The answers were filed as a PDF in the account's documents."))
