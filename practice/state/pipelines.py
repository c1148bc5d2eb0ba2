"""Pipelines editor: admins create pipelines and edit their stages; employees see them read-only."""
from __future__ import annotations

import contextlib
import dataclasses

import reflex as rx

from practice.i18n import _, ngettext
from practice.services.work import pipelines
from practice.services.errors import PracticeError
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import parse_int


@dataclasses.dataclass
class PipelineItem:
    id: int = 0
    name: str = ""
    stages: int = 0


@dataclasses.dataclass
class StageItem:
    id: int = 0
    name: str = ""
    number: int = 0
    jobs: int = 0
    first: bool = False
    last: bool = False


def _pipelines_view(session, actor, selected_id: int):
    """Everything the page shows, read in one session: the list, the chosen pipeline and its stages."""
    rows = pipelines.list_pipelines(session)
    items = [PipelineItem(id=p.id, name=p.name, stages=len(pipelines.stages_of(session, p.id))) for p in rows]
    chosen = next((p for p in rows if p.id == selected_id), rows[0] if rows else None)
    stages: list[StageItem] = []
    if chosen:
        counts = pipelines.stage_job_counts(session, actor, chosen.id)
        found = pipelines.stages_of(session, chosen.id)
        stages = [StageItem(id=s.id, name=s.name, number=i + 1, jobs=counts.get(s.id, 0), first=i == 0,
                            last=i == len(found) - 1) for i, s in enumerate(found)]
    return items, chosen, stages


class PipelinesState(AppState):
    pipelines: list[PipelineItem] = []
    selected_id: int = 0
    selected_name: str = ""
    stages: list[StageItem] = []
    error: str = ""
    create_open: bool = False
    create_error: str = ""
    # The stage-deletion dialog: which stage, how many jobs it holds, where they may go.
    delete_open: bool = False
    delete_stage_id: int = 0
    delete_stage_name: str = ""
    delete_jobs: int = 0
    delete_targets: list[Option] = []
    delete_error: str = ""

    def _refresh(self):
        with shown_in(self, "error"):
            self.pipelines, chosen, self.stages = read(_pipelines_view, self._require(), self.selected_id)
            self.selected_id = chosen.id if chosen else 0
            self.selected_name = chosen.name if chosen else ""

    @allow(STAFF)
    def load(self):
        self.error = ""
        self.delete_open = self.create_open = False
        self._refresh()

    @allow(STAFF)
    def select_pipeline(self, pipeline_id: int):
        self.selected_id = parse_int(pipeline_id)
        self.error = ""
        self._refresh()

    @allow(ADMIN)
    def set_create_open(self, value: bool):
        self.create_open = bool(value)
        self.create_error = ""

    @allow(ADMIN)
    def create_pipeline(self, form: dict):
        stage_names = [line.strip() for line in str(form.get("stages", "")).splitlines() if line.strip()]
        with shown_in(self, "create_error"):
            pipeline = run(pipelines.create_pipeline, self._require(), name=str(form.get("name", "")),
                           stages=stage_names)
            self.create_open = False
            self.selected_id = pipeline.id
            self._refresh()
            return rx.toast.success(_('Created pipeline "{name}".').format(name=pipeline.name))

    @allow(ADMIN)
    def rename_pipeline(self, form: dict):
        if write_and_refresh(self, pipelines.rename_pipeline, self.selected_id, str(form.get("name", ""))):
            return rx.toast.success(_("Pipeline renamed."))

    @allow(ADMIN)
    def rename_stage(self, form: dict):
        if write_and_refresh(self, pipelines.rename_stage, parse_int(form.get("stage_id")), str(form.get("name", ""))):
            return rx.toast.success(_("Stage renamed."))

    @allow(ADMIN)
    def move_stage(self, stage_id: int, offset: int):
        write_and_refresh(self, pipelines.move_stage, parse_int(stage_id), -1 if parse_int(offset) < 0 else 1)

    @allow(ADMIN)
    def add_stage(self, form: dict):
        if write_and_refresh(self, pipelines.add_stage, self.selected_id, str(form.get("name", ""))):
            return rx.toast.success(_("Stage added."))

    @allow(ADMIN)
    def ask_delete_stage(self, stage_id: int):
        """Open the confirmation, counting the stage's jobs afresh so the preview is true now."""
        stage_id = parse_int(stage_id)
        try:
            jobs = read(pipelines.jobs_in_stage, self._require(), stage_id)
        except PracticeError as err:
            self.error = str(err)
            return
        stage = next((s for s in self.stages if s.id == stage_id), None)
        if stage is None:
            self.error = _("That stage does not exist any more. Reload the page.")
            return
        self.delete_stage_id, self.delete_stage_name, self.delete_jobs = stage_id, stage.name, jobs
        self.delete_targets = [Option(value=str(s.id), label=s.name) for s in self.stages if s.id != stage_id]
        self.delete_error = ""
        self.delete_open = True

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)
        self.delete_error = ""

    @allow(ADMIN)
    def confirm_delete_stage(self, form: dict):
        target = parse_int(form.get("move_jobs_to"), 0) or None
        try:
            moved = run(pipelines.delete_stage, self._require(), self.delete_stage_id, move_jobs_to=target)
        except PracticeError as err:
            self.delete_error = str(err)
            # The count may have changed since the dialog opened: show the current one.
            with contextlib.suppress(PracticeError):
                self.delete_jobs = read(pipelines.jobs_in_stage, self._require(), self.delete_stage_id)
            return
        name = self.delete_stage_name
        target_name = next((o.label for o in self.delete_targets if o.value == str(target)), "")
        self.delete_open = False
        self.error = ""
        self._refresh()
        if moved:
            return rx.toast.success(ngettext('Deleted stage "{name}"; {moved} job moved to "{target}".',
                                             'Deleted stage "{name}"; {moved} jobs moved to "{target}".', moved)
                                    .format(name=name, moved=moved, target=target_name))
        return rx.toast.success(_('Deleted stage "{name}".').format(name=name))
