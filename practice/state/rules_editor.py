"""The rules editor: the firm's automations text checked as it is typed, its versions, and a dry run on a job."""
from __future__ import annotations

import asyncio

import dataclasses

import reflex as rx

from practice.i18n import N_, _
from practice.services import firm
from practice.services.actor import shown_actor
from practice.services.automation import preview, rulesets
from practice.services.work import jobs, pipelines, tags
from practice.services.errors import PracticeError
from practice.services.formatting import format_datetime
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in
from practice.state.run_views import DecisionItem, decision_items
from practice.state.views import Option
from practice.state.work_views import parse_id

MAX_TEXT = 500_000
TOO_LONG = N_("The rules text is longer than 500,000 characters, so only its first 500,000 are kept. "
              "Split long rules or remove old ones.")
JOB_MATCHES = 8
STAGE_EVENTS = ("job_entered_stage", "job_left_stage")
TAG_EVENTS = ("tag_added", "tag_removed")
# Every example uses names the checker will look up; the editor says which to change for this firm.
EXAMPLES = [
    ("Welcome new clients", '''rule "Welcome new clients"
when job enters stage "Onboarding"
then
  send email "Welcome" to account
  add tag "New client" to account
end
'''),
    ("Review checklist", '''rule "Review checklist"
when job enters stage "Review"
if job.priority is "High" or account has tag "VIP"
then
  create task "Check the return of {{ account.name }}" for job.assignee due in 2 days
  notify job.assignee "{{ job.name }} is ready for review"
end
'''),
    ("Flag overdue jobs every morning", '''rule "Flag overdue"
every weekday at 07:00
for each job where job.due_date is before today and job.stage is not "Done"
then
  add tag "Overdue" to job
end
'''),
]


# --- view records ---------------------------------------------------------------------------------


@dataclasses.dataclass
class RuleErrorItem:
    where: str = ""
    line: int = 0
    column: int = 0
    message: str = ""
    hint: str = ""


@dataclasses.dataclass
class DiffRow:
    """A row of the side-by-side comparison as the page shows it (line numbers as text, "" for none)."""

    kind: str = "same"  # same | changed | added | removed | gap | note
    old_no: str = ""
    old: str = ""
    new_no: str = ""
    new: str = ""


@dataclasses.dataclass
class VersionItem:
    id: int = 0
    author: str = ""
    at: str = ""
    note: str = ""
    newest: bool = False


def error_items(errors: list[dict]) -> list[RuleErrorItem]:
    return [RuleErrorItem(where=f"{e['line']}:{e['column']}", line=int(e["line"]), column=int(e["column"]),
                          message=str(e["message"]), hint=str(e.get("hint") or "")) for e in errors]


def diff_rows(old: str, new: str, same_sentence: str) -> list[DiffRow]:
    """The side-by-side comparison of two texts (old | new), or one note row when they are the same."""
    rows = [DiffRow(kind=r.kind, old_no=str(r.old_no or ""), old=r.old, new_no=str(r.new_no or ""), new=r.new)
            for r in rulesets.side_by_side(old, new)]
    return rows or [DiffRow(kind="note", old=same_sentence)]


def jump_script(line: int, column: int) -> str:
    """JS that puts the editor's caret at a line and column (1-based, in characters) and scrolls it into view."""
    return (
        "(() => {const el = document.getElementById('rules-text'); if (!el) return;"
        f" const L = {int(line)}, C = {int(column)};"
        " const lines = el.value.split('\\n'); let pos = 0;"
        " for (let i = 0; i < Math.min(L - 1, lines.length); i++) pos += lines[i].length + 1;"
        " const here = lines[Math.min(L, lines.length) - 1] || '';"
        " pos += Array.from(here).slice(0, Math.max(C - 1, 0)).join('').length;"
        " el.focus(); el.setSelectionRange(pos, pos);"
        " const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;"
        " el.scrollTop = Math.max(0, (L - 4) * lh);"
        " const g = document.getElementById('rules-gutter'); if (g) g.scrollTop = el.scrollTop;})()"
    )


SYNC_GUTTER = ("(() => {const el = document.getElementById('rules-text');"
               " const g = document.getElementById('rules-gutter'); if (el && g) g.scrollTop = el.scrollTop;})()")


# --- reads in one session -------------------------------------------------------------------------


def _editor_view(session, actor) -> dict:
    versions = rulesets.versions(session, actor)
    current = versions[0] if versions else None
    return {"text": current.text if current else "", "version": current.id if current else 0,
            "versions": versions, "timezone": firm.get_firm(session).timezone,
            "errors": rulesets.check_text(session, current.text) if current else [],
            "tags": [t.name for t in tags.list_tags(session)]}


def _job_stages(session, actor, job_id: int) -> tuple[str, list[str]]:
    job = jobs.get_job(session, actor, job_id)
    return pipelines.get_pipeline(session, job.pipeline_id).name, [s.name for s in pipelines.stages_of(
        session, job.pipeline_id)]


def _matching_jobs(session, actor, search: str) -> list[Option]:
    return [Option(value=str(jid), label=f"{name} \u2014 {account}")
            for jid, name, account in jobs.job_choices(session, actor, limit=JOB_MATCHES, search=search)]


class RulesEditorState(AppState):
    allowed: bool = False
    page_error: str = ""
    draft: str = ""
    dirty: bool = False
    errors: list[RuleErrorItem] = []
    text_error: str = ""
    save_error: str = ""
    saved_sentence: str = ""
    warnings: list[str] = []
    note_key: int = 0
    version: int = 0
    versions: list[VersionItem] = []
    timezone: str = ""
    diff_title: str = ""
    diff_old: str = ""  # the columns' headings
    diff_new: str = ""
    diff: list[DiffRow] = []
    diff_open: bool = False
    chosen_version: int = 0
    restore_open: bool = False
    restore_version: int = 0
    restore_old: str = ""
    restore_diff: list[DiffRow] = []
    # Try on a job.
    job_query: str = ""
    job_matches: list[Option] = []
    try_job_id: str = ""
    try_job_label: str = ""
    try_pipeline: str = ""
    stage_choices: list[str] = []
    tag_choices: list[str] = []
    try_event: str = "job_entered_stage"
    try_stage: str = ""
    try_tag: str = ""
    try_error: str = ""
    try_errors: list[RuleErrorItem] = []
    try_done: bool = False
    try_event_label: str = ""
    decisions: list[DecisionItem] = []
    # The saved text, kept here (not sent) to tell whether the draft has unsaved changes.
    _saved_text: str = ""

    @rx.var
    def line_numbers(self) -> str:
        return "\n".join(str(n) for n in range(1, self.draft.count("\n") + 2))

    @rx.var
    def error_count(self) -> int:
        return len(self.errors)

    def _check(self) -> None:
        self.errors, self.text_error = [], _(TOO_LONG) if self.text_error == _(TOO_LONG) else ""
        with shown_in(self, "text_error"):
            self.errors = error_items(read(rulesets.check_text, self.draft))
        self.dirty = self.draft != self._saved_text

    async def _check_off_loop(self) -> None:
        """`_check` for the handlers called as people type: the limited child is awaited in a thread, so other
        people's clicks are answered meanwhile."""
        self.errors, self.text_error = [], _(TOO_LONG) if self.text_error == _(TOO_LONG) else ""
        with shown_in(self, "text_error"):
            self.errors = error_items(await asyncio.to_thread(read, rulesets.check_text, self.draft))
        self.dirty = self.draft != self._saved_text

    def _load_versions(self, view: dict) -> None:
        self.version, self.timezone = view["version"], view["timezone"]
        self.versions = [VersionItem(id=v.id, author=shown_actor(v.author_label), at=format_datetime(v.created_at,
                                                                                                self.timezone),
                                     note=v.note, newest=i == 0) for i, v in enumerate(view["versions"])]

    @allow(STAFF)
    def load(self):
        """Employees get a sentence; admins get the saved rules (or their unsaved draft, kept from before)."""
        actor = self._require()
        self.allowed = actor.is_admin
        self.save_error = self.saved_sentence = self.page_error = ""
        self.warnings = []
        if not self.allowed:
            return
        with shown_in(self, "page_error"):
            self._show_editor(read(_editor_view, actor))

    def _show_editor(self, view: dict) -> None:
        """The saved rules and their versions; an unsaved draft of the same saved text is kept."""
        keep_draft = self.dirty and self._saved_text == view["text"]
        self._saved_text = view["text"]
        self._load_versions(view)
        self.tag_choices = view["tags"]
        if not keep_draft:
            self.draft, self.text_error = view["text"], ""
            self.errors, self.dirty = error_items(view["errors"]), False
        else:
            self._check()
        if not self.job_matches:
            self._search_jobs()

    @allow(ADMIN)
    async def set_draft(self, value: str):
        """Called (debounced) as the user types: keep the text, check it, list every error."""
        text = value if isinstance(value, str) else ""
        self.text_error = _(TOO_LONG) if len(text) > MAX_TEXT else ""
        self.draft = text[:MAX_TEXT]
        self.saved_sentence = ""
        await self._check_off_loop()

    @allow(ADMIN)
    def jump_to(self, line: int, column: int):
        """Put the caret where an error is (the browser's copy of the text is the truth for positions)."""
        line, column = parse_id(line), parse_id(column)
        if line is None or column is None:
            return None
        return rx.call_script(jump_script(min(line, 1_000_000), min(column, 1_000_000)))

    @allow(ADMIN)
    async def insert_example(self, index: int):
        try:
            index = int(str(index).strip())
        except (TypeError, ValueError):
            return None
        if not 0 <= index < len(EXAMPLES):
            return None
        example = EXAMPLES[index][1]
        text = self.draft.rstrip("\n")
        self.draft = (text + "\n\n" + example if text else example)[:MAX_TEXT]
        self.saved_sentence = ""
        await self._check_off_loop()
        return rx.call_script("(() => {const el = document.getElementById('rules-text'); if (el) {el.focus();"
                              " el.scrollTop = el.scrollHeight;}})()")

    @allow(ADMIN)
    async def discard_changes(self):
        self.draft, self.text_error, self.save_error = self._saved_text, "", ""
        await self._check_off_loop()

    @allow(ADMIN)
    def save(self, form: dict):
        """Save the draft as a new version; refused (with every error listed) while any error remains."""
        form = form if isinstance(form, dict) else {}
        note = str(form.get("note", "") or "")[:200]
        self.save_error, self.saved_sentence, self.warnings = "", "", []
        with shown_in(self, "save_error"):
            try:
                saved = run(rulesets.save_from_editor, self._require(), self.draft, note)
            except rulesets.RulesInvalid as err:
                self.errors = error_items(err.errors)
                raise
            self.note_key += 1
            return self._saved(saved, (_("No changes since version {n}, so nothing new was saved.") if saved.unchanged
                                       else _("Saved version {n}.")).format(n=saved.version.id))
        return None

    def _saved(self, saved: rulesets.SavedVersion, sentence: str):
        """Say what a save did, and show the saved version's text, versions and errors."""
        self.warnings, self.saved_sentence = saved.warnings, sentence
        self._after_save()
        return rx.toast.success(sentence)

    def _after_save(self) -> None:
        try:
            view = read(_editor_view, self._require())
        except PracticeError as err:
            self.page_error = str(err)
            return
        self._saved_text = view["text"]
        self._load_versions(view)
        self.errors, self.dirty = error_items(view["errors"]), self.draft != self._saved_text

    # --- versions ---------------------------------------------------------------------------------

    @allow(ADMIN)
    def show_diff(self, version_id: int):
        """What a version changed compared with the one saved before it, side by side in a dialog."""
        version_id = parse_id(version_id)
        self.diff, self.diff_title, self.chosen_version = [], "", 0
        chosen, before = read(rulesets.version_with_previous, self._require(), version_id or 0)
        self.chosen_version, self.diff_open = chosen.id, True
        version = _("Version {n}")
        self.diff_old = version.format(n=before.id) if before else _("Nothing before")
        self.diff_new = version.format(n=chosen.id)
        self.diff = diff_rows(before.text if before else "", chosen.text,
                              _("No differences: the text is the same as the version before."))
        self.diff_title = (_("What version {n} changed compared with version {before}").format(n=chosen.id,
                                                                                              before=before.id)
                           if before else _("Version {n} is the first version: everything in it is new").format(
                               n=chosen.id))
        return None

    @allow(ADMIN)
    def set_diff_open(self, value: bool):
        self.diff_open = value is True and self.chosen_version > 0
        if not self.diff_open:
            self.chosen_version = 0

    @allow(ADMIN)
    def ask_restore(self, version_id: int):
        """Preview what restoring a version would change in the saved rules, then ask to confirm."""
        version_id = parse_id(version_id)
        old, newest = read(rulesets.version_with_newest, self._require(), version_id or 0)
        self.restore_version = old.id
        self.restore_old = _("Version {n} (saved now)").format(n=newest.id) if newest else _("Nothing saved")
        self.restore_diff = diff_rows(newest.text if newest else "", old.text,
                                      _("Nothing would change: the saved rules already read like this."))
        self.diff_open, self.restore_open = False, True
        return None

    @allow(ADMIN)
    def set_restore_open(self, value: bool):
        self.restore_open = value is True and self.restore_version > 0

    @allow(ADMIN)
    def confirm_restore(self):
        self.restore_open = False
        self.save_error, self.saved_sentence, self.warnings = "", "", []
        with shown_in(self, "save_error"):
            try:
                saved = run(rulesets.restore_version, self._require(), self.restore_version)
            except rulesets.RulesInvalid as err:
                self._show_unrestorable(err)
                return None
            self.draft, self.text_error = saved.version.text, ""
            return self._saved(saved, _("Restored version {old} as version {n}.").format(old=self.restore_version,
                                                                                         n=saved.version.id))
        return None

    def _show_unrestorable(self, err: rulesets.RulesInvalid) -> None:
        """A version that no longer fits the firm's names goes into the editor with its errors listed."""
        self.save_error = _("Version {n} does not fit the firm's names any more, so it was not restored. It is in the "
                            "editor now: fix the errors listed and save it.").format(n=self.restore_version)
        self.draft = self._restore_text()
        self.errors = error_items(err.errors)
        self.dirty = self.draft != self._saved_text

    def _restore_text(self) -> str:
        try:
            old, _ = read(rulesets.version_with_newest, self._require(), self.restore_version)
        except PracticeError:
            return self.draft
        return old.text

    # --- try on a job -----------------------------------------------------------------------------

    def _search_jobs(self) -> None:
        self.job_matches = []
        with shown_in(self, "try_error"):
            self.job_matches = read(_matching_jobs, self._require(), self.job_query)

    @allow(ADMIN)
    def search_jobs(self, text: str):
        self.job_query = str(text or "")[:200]
        self._search_jobs()

    @allow(ADMIN)
    def choose_job(self, job_id: str):
        match = next((o for o in self.job_matches if o.value == str(job_id)), None)
        if match is None:
            return
        with shown_in(self, "try_error"):
            self._show_try_job(match, read(_job_stages, self._require(), int(match.value)))

    def _show_try_job(self, match: Option, result: tuple[str, list[str]]) -> None:
        self.try_job_id, self.try_job_label = match.value, match.label
        self.try_pipeline, self.stage_choices = result
        self.try_stage, self.try_error = "", ""
        self._clear_try()

    @allow(ADMIN)
    def set_try_event(self, value: str):
        value = str(value or "")
        self.try_event = value if value in preview.TRY_EVENTS else "job_entered_stage"
        self._clear_try()

    @allow(ADMIN)
    def set_try_stage(self, value: str):
        value = str(value or "")
        self.try_stage = value if value in self.stage_choices else ""
        self._clear_try()

    @allow(ADMIN)
    def set_try_tag(self, value: str):
        value = str(value or "")
        self.try_tag = value if value in self.tag_choices else ""
        self._clear_try()

    def _clear_try(self) -> None:
        self.decisions, self.try_errors, self.try_done, self.try_event_label = [], [], False, ""

    def _event_label(self, engine_label: str) -> str:
        """What was tried, in words: the engine's phrase, with the chosen stage or tag named."""
        if self.try_event in STAGE_EVENTS and self.try_stage:
            if self.try_event == "job_entered_stage":
                return _('enters the stage "{stage}"').format(stage=self.try_stage)
            return _('leaves the stage "{stage}"').format(stage=self.try_stage)
        if self.try_event in TAG_EVENTS:
            if self.try_event == "tag_added":
                return _('gets the tag "{tag}"').format(tag=self.try_tag)
            return _('loses the tag "{tag}"').format(tag=self.try_tag)
        return engine_label

    @allow(ADMIN)
    def try_on_job(self):
        """Dry run of the draft (saved or not) on the chosen job: nothing is changed, in a read-only session."""
        self._clear_try()
        job_id = parse_id(self.try_job_id)
        if job_id is None:
            self.try_error = _("Choose a job to try the rules on.")
            return
        if self.try_event in TAG_EVENTS and not self.try_tag:
            self.try_error = _("Choose the tag the job gets or loses.")
            return
        with shown_in(self, "try_error"):
            self._show_try(read(preview.try_on_job, self._require(), self.draft, job_id, self.try_event,
                                tag=self.try_tag if self.try_event in TAG_EVENTS else "",
                                stage=self.try_stage if self.try_event in STAGE_EVENTS else ""))

    def _show_try(self, result: dict) -> None:
        self.try_error = ""
        self.try_errors = error_items(result["errors"])
        self.decisions = decision_items(result["decisions"])
        self.try_event_label = self._event_label(result.get("event", ""))
        self.try_done = True


def example_titles() -> list[tuple[int, str, str]]:
    return [(i, title, text) for i, (title, text) in enumerate(EXAMPLES)]

