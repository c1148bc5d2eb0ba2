"""One job: its stage, people, dates, tags, tasks, what the client is asked to sign, and history."""
from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from practice import routes
from practice.i18n import N_, _
from practice.models import Priority
from practice.services import firm
from practice.services.access import team
from practice.services.automation import runlog
from practice.services.portal import client_tasks
from practice.services.proposals import sending
from practice.services.signing import requests
from practice.services.work import audit_history, jobs, pipelines, removal, tags, tasks
from practice.services.errors import PracticeError
from practice.services.formatting import date_input, format_datetime, format_money
from practice.state.base import (ADMIN, STAFF, AppState, allow, read, remount_if_changed, run, shown_in, write_and_refresh)
from practice.state.proposals import proposal_outcome as account_proposal_outcome
from practice.state.run_views import RunItem, run_items
from practice.state.signatures import REQUEST_STATUS
from practice.state.task_editing import TaskEditing
from practice.state.views import Option
from practice.state.work_views import (NONE, STATUS_LABELS, HistoryItem, TagItem, TaskItem,
                                       history_items, parse_date, parse_id, task_items)

PRIORITIES = [p.value for p in Priority]


@dataclasses.dataclass
class ClientTaskItem:
    """One item of the job's client checklist as staff see it."""

    id: int = 0
    title: str = ""
    done: bool = False
    done_text: str = ""


def client_task_items(views, timezone: str) -> list[ClientTaskItem]:
    return [ClientTaskItem(id=t.id, title=t.title, done=t.done_at is not None,
                           done_text=_("Done by {name} · {when}").format(name=t.done_by,
                                                                          when=format_datetime(t.done_at, timezone))
                           if t.done_at else "")
            for t in views]


@dataclasses.dataclass
class JobSignatureItem:
    """One signature request of the job, as its row on the job page shows it."""

    id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    progress: str = ""
    signers: str = ""
    href: str = ""


@dataclasses.dataclass
class JobProposalItem:
    """One proposal of the job, as its row on the job page shows it."""

    id: int = 0
    name: str = ""
    status: str = ""
    status_label: str = ""
    total: str = ""
    outcome: str = ""
    href: str = ""


def signature_progress(r) -> str:
    """How far the signers are: "1 of 2 signed · waiting for Jim Hartley", "All 2 signed", "Not sent yet"."""
    if r.status == "draft":
        return _("Not sent yet: place the fields and send it")
    if r.status == "completed":
        return _("All {n} signed").format(n=r.signer_count) if r.signer_count > 1 else _("Signed")
    text = _("{signed} of {n} signed").format(signed=r.signed_count, n=r.signer_count)
    if r.waiting_for:
        text = _("{progress} · waiting for {names}").format(progress=text, names=", ".join(r.waiting_for))
    return text


def job_signature_items(views) -> list[JobSignatureItem]:
    return [JobSignatureItem(id=r.id, title=r.title, status=r.status,
                             status_label=_(REQUEST_STATUS[r.status]) if r.status in REQUEST_STATUS else r.status,
                             progress=signature_progress(r),
                             signers=_("Signers: {names}").format(names=", ".join(r.signer_names))
                             if r.signer_names else "",
                             href=routes.signature_url(r.id))
            for r in views]


def proposal_outcome(p, timezone: str) -> str:
    """The account page's words for a proposal, with when it was sent while the client has not opened it."""
    if p.status == "sent" and not p.viewed_at:
        return _("Sent {when}, not opened yet").format(when=format_datetime(p.sent_at, timezone))
    return account_proposal_outcome(p, timezone)


# How a proposal's status reads on the job page.
PROPOSAL_STATUS = {"draft": N_("draft"), "sent": N_("sent"), "signed": N_("signed"), "declined": N_("declined"),
                   "cancelled": N_("withdrawn"), "awaiting_payment": N_("signed, awaiting payment")}


def proposal_status_label(status: str) -> str:
    return _(PROPOSAL_STATUS[status]) if status in PROPOSAL_STATUS else status


def job_proposal_items(views, timezone: str) -> list[JobProposalItem]:
    return [JobProposalItem(id=p.id, name=p.name, status=p.status, status_label=proposal_status_label(p.status),
                            total=format_money(p.total_cents),
                            outcome=proposal_outcome(p, timezone),
                            href=routes.file_url(p.document_id)
                            if p.status in ("signed", "awaiting_payment") and p.document_id
                            else "")
            for p in views]


def _job_view(session, actor, job_id: int) -> dict:
    """Everything the job page shows, read through the services in one session."""
    job = jobs.get_job(session, actor, job_id)
    tag_ids = set(tags.tag_ids_of(session, "job", job.id))
    all_tags = tags.list_tags(session)
    return {
        "job": job, "account": jobs.account_name(session, job.account_id),
        "pipeline": pipelines.get_pipeline(session, job.pipeline_id).name,
        "stages": pipelines.stages_of(session, job.pipeline_id),
        "assignees": jobs.assignees_of(session, job.id), "members": team.list_members(session, actor),
        "tags": [t for t in all_tags if t.id in tag_ids], "other_tags": [t for t in all_tags if t.id not in tag_ids],
        "tasks": tasks.list_tasks(session, actor, mine=False, status="all", job_id=job.id),
        "history": audit_history.list_entries(session, actor, entity="job", entity_id=job.id, limit=30),
        "timezone": firm.get_firm(session).timezone,
        "runs": runlog.runs_for_job(session, actor, job.id, limit=50),
        "can_retry": actor.is_admin,
        "client_tasks": client_tasks.client_tasks_of_job(session, actor, job.id),
        "signature_requests": requests.list_for_job(session, actor, job.id, limit=50),
        "proposals": sending.list_for_job(session, actor, job.id, limit=50),
    }


class JobState(TaskEditing, AppState):
    TASK_ERROR_FIELD: ClassVar[str] = "task_error"
    # Not called `job_id`: that is the route's own variable.
    jid: int = 0
    found: bool = False
    page_error: str = ""
    name: str = ""
    account_name: str = ""
    account_href: str = ""
    pipeline: str = ""
    stage_id: str = ""
    stage_options: list[Option] = []
    archived: bool = False
    priority: str = ""
    priority_name: str = ""  # as the person reads it
    start_date: str = ""
    due_date: str = ""
    # Bumped on each load so forms with default values show what the database holds.
    form_key: int = 0
    _form_key_shows: str = ""
    task_form_key: int = 0
    assignees: list[Option] = []
    assignee_choices: list[Option] = []
    member_options: list[Option] = []
    tags: list[TagItem] = []
    tag_choices: list[Option] = []
    tasks: list[TaskItem] = []
    history: list[HistoryItem] = []
    runs: list[RunItem] = []
    client_tasks: list[ClientTaskItem] = []
    # What the client is asked to sign for this job; new ones start on the account page.
    signature_items: list[JobSignatureItem] = []
    proposal_items: list[JobProposalItem] = []
    new_signature_href: str = ""
    send_proposal_href: str = ""
    client_task_form_key: int = 0
    error: str = ""
    task_error: str = ""
    client_task_error: str = ""
    # The rename dialog, and the delete confirmation saying what goes with the job.
    rename_open: bool = False
    rename_error: str = ""
    delete_open: bool = False
    delete_text: str = ""

    def _refresh(self) -> None:
        try:
            view = read(_job_view, self._require(), self.jid)
        except PracticeError as err:
            self.found, self.page_error = False, str(err)
            return
        self._show_job(view)
        self._show_tags_and_items(view)

    def _show_job(self, view: dict) -> None:
        """The job's header: its account, stage, priority, dates and people, and where to start a request."""
        job = view["job"]
        self.found, self.page_error = True, ""
        self.name, self.account_name = job.name, view["account"]
        self.account_href = routes.account_url(job.account_id)
        self.pipeline, self.stage_id = view["pipeline"], str(job.stage_id)
        self.stage_options = [Option(value=str(s.id), label=s.name) for s in view["stages"]]
        self.archived, self.priority = job.archived, Priority(job.priority).value
        self.priority_name = jobs.priority_name(job.priority)
        self.start_date, self.due_date = date_input(job.start_date), date_input(job.due_date)
        assigned = {m.id for m in view["assignees"]}
        self.assignees = [Option(value=str(m.id), label=m.name) for m in view["assignees"]]
        self.assignee_choices = [Option(value=str(m.id), label=m.name) for m in view["members"]
                                 if m.id not in assigned]
        self.member_options = [Option(value=str(m.id), label=m.name) for m in view["members"]]
        self.new_signature_href = routes.new_signature_url(job.account_id, job.id)
        self.send_proposal_href = routes.account_url(job.account_id) + "#proposals-section"

    def _show_tags_and_items(self, view: dict) -> None:
        self.tags = [TagItem(id=t.id, name=t.name, color=t.color) for t in view["tags"]]
        self.tag_choices = [Option(value=str(t.id), label=t.name) for t in view["other_tags"]]
        self.tasks = task_items(view["tasks"])
        self.history = history_items(view["history"], view["timezone"])
        self.runs = run_items(view["runs"], view["timezone"], can_retry=view["can_retry"])
        self.client_tasks = client_task_items(view["client_tasks"], view["timezone"])
        self.signature_items = job_signature_items(view["signature_requests"])
        self.proposal_items = job_proposal_items(view["proposals"], view["timezone"])

    @allow(STAFF)
    def load(self):
        self.error = self.task_error = ""
        job_id = parse_id(getattr(self, "job_id", ""))
        if job_id is None:
            self.jid, self.found = 0, False
            self.page_error = _("That job does not exist (it may have been deleted).")
            return
        self.jid = job_id
        self._refresh()
        remount_if_changed(self, "form_key", (job_id, self.name, self.start_date, self.due_date, self.priority))

    @allow(STAFF)
    def set_rename_open(self, value: bool):
        self.rename_open, self.rename_error = bool(value), ""
        self.form_key += 1

    @allow(STAFF)
    def rename(self, form: dict):
        if write_and_refresh(self, jobs.update_job, self.jid, name=str(form.get("name", ""))[:300],
                             shown="rename_error"):
            self.rename_open = False
            return rx.toast.success(_("Job renamed."))

    @allow(STAFF)
    def ask_delete(self):
        with shown_in(self, "error"):
            self.delete_text = read(removal.job_removal, self._require(), self.jid).sentence
            self.delete_open = True

    @allow(STAFF)
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)

    @allow(STAFF)
    def confirm_delete(self):
        self.delete_open = False
        with shown_in(self, "error"):
            name, account_id = run(removal.delete_job, self._require(), self.jid)
            return [rx.toast.success(_('Deleted job "{name}".').format(name=name)), rx.redirect(routes.account_url(account_id))]

    @allow(STAFF)
    def move_to(self, stage_id: str):
        stage = parse_id(stage_id)
        if stage is None:
            self.error = _("Choose a stage to move the job to.")
            return
        if write_and_refresh(self, jobs.move_job, self.jid, stage):
            label = next((o.label for o in self.stage_options if o.value == str(stage)), "")
            return rx.toast.success(_("Moved to {stage}.").format(stage=label))

    @allow(STAFF)
    def add_assignee(self, member_id: str):
        member = parse_id(member_id)
        if member is None:
            return
        current = [int(o.value) for o in self.assignees]
        write_and_refresh(self, jobs.assign_job, self.jid, sorted(set(current + [member])))

    @allow(STAFF)
    def remove_assignee(self, member_id: str):
        member = parse_id(member_id)
        if member is None:
            return
        write_and_refresh(self, jobs.assign_job, self.jid, [int(o.value) for o in self.assignees if int(o.value) != member])

    @allow(STAFF)
    def save_details(self, form: dict):
        with shown_in(self, "error"):
            start = parse_date(form.get("start_date"), "start date")
            due = parse_date(form.get("due_date"), "due date")
            priority = str(form.get("priority") or self.priority)
            if priority not in PRIORITIES:
                self.error = _("Choose Low, Medium or High as the priority.")
                return
            if write_and_refresh(self, jobs.update_job, self.jid, start_date=start, due_date=due, priority=priority):
                return rx.toast.success(_("Job details saved."))

    @allow(STAFF)
    def add_tag(self, tag_id: str):
        tag = parse_id(tag_id)
        if tag is not None:
            write_and_refresh(self, jobs.set_job_tag, self.jid, tag, True)

    @allow(STAFF)
    def remove_tag(self, tag_id: int):
        tag = parse_id(tag_id)
        if tag is not None:
            write_and_refresh(self, jobs.set_job_tag, self.jid, tag, False)

    @allow(STAFF)
    def toggle_archived(self):
        archiving = not self.archived
        if write_and_refresh(self, jobs.archive_job, self.jid, archiving):
            return rx.toast.success(_("Job archived.") if archiving else _("Job restored."))

    @allow(STAFF)
    def create_task(self, form: dict):
        with shown_in(self, "task_error"):
            due = parse_date(form.get("due_date"), "due date")
            raw_assignee = form.get("assignee")
            assignee = None if raw_assignee in (None, "", NONE) else parse_id(raw_assignee)
            if write_and_refresh(self, tasks.create_task, title=str(form.get("title", ""))[:300], job_id=self.jid,
                                 assignee_id=assignee, due_date=due, shown="task_error"):
                self.task_form_key += 1
            return rx.toast.success(_("Task created."))

    @allow(STAFF)
    def set_task_status(self, task_id: int, status: str):
        task = parse_id(task_id)
        status = str(status)
        if task is None or status not in STATUS_LABELS:
            self.task_error = _("Choose one of the listed statuses.")
            return
        write_and_refresh(self, tasks.set_status, task, status, shown="task_error")

    @allow(STAFF)
    def add_client_task(self, form: dict):
        """Ask the client for something on this job ("Upload your W-2"); it shows in the client portal."""
        if write_and_refresh(self, client_tasks.create_client_task, self.jid, title=str(form.get("title", ""))[:300],
                             description=str(form.get("description", ""))[:5000], shown="client_task_error"):
            self.client_task_form_key += 1
            return rx.toast.success(_("Client task added; the client sees it in the portal."))
        return None

    @allow(STAFF)
    def reopen_client_task(self, task_id: int):
        task = parse_id(task_id)
        if task is not None:
            write_and_refresh(self, client_tasks.reopen_client_task, task, shown="client_task_error")

    @allow(STAFF)
    def delete_client_task(self, task_id: int):
        task = parse_id(task_id)
        if task is not None:
            write_and_refresh(self, client_tasks.delete_client_task, task, shown="client_task_error")

    @allow(ADMIN)
    def retry_run(self, run_id: int):
        """Run a failed automation again; actions that already happened are not repeated."""
        run_id = parse_id(run_id)
        if run_id is None:
            return None
        if write_and_refresh(self, runlog.retry_run, run_id):
            return rx.toast.success(_("The automation ran again; its history below shows how it went."))
        return None
