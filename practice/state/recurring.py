"""Recurring jobs (a form that writes a rule, with a live preview) and the automations' run log."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.db import read_session
from practice.i18n import N_, _
from practice.services.automation import recurrence
from practice.services.work import pipelines, tags
from practice.services.errors import InvalidInput, PracticeError
from practice.services.firm import get_firm
from practice.services.formatting import format_datetime
from practice.services.automation.explain import told_outcome, told_reason, told_value
from practice.services.automation.recurrence import RecurringJob
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in
from practice.state.views import Option

# The form's fields: what `set_field` may change and what the submitted form may carry.
FIELDS = ("name", "pipeline", "job_name", "frequency", "weekday", "day", "month", "at", "accounts", "tag",
          "account_type", "due_amount", "due_unit")
FIELD_LIMIT = 300
STATUS_LABELS = {"failed": N_("Failed"), "not_fired": N_("Not fired"), "done": N_("Done"), "waiting": N_("Waiting"),
                 "skipped": N_("Skipped")}
# A trace line's badge: a condition's result or an action's status.
TRACE_WORDS = {"true": N_("true"), "false": N_("false"), "done": N_("done"), "failed": N_("failed"),
               "dropped": N_("dropped"), "waiting": N_("waiting"), "skipped": N_("skipped")}
STATUS_COLORS = {"failed": "red", "not_fired": "gray", "done": "green", "waiting": "amber", "skipped": "orange"}


def _job_of(values: dict) -> RecurringJob:
    """The form's text values as a RecurringJob (numbers coerced here; the service judges the rest)."""
    def number(key: str, default):
        text = values.get(key, "").strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(_('"{text}" is not a whole number.').format(text=text), field=key) from None

    return RecurringJob(
        name_of_rule=values["name"], pipeline=values["pipeline"], job_name=values["job_name"],
        frequency=values["frequency"], weekday=values["weekday"], day=number("day", 1), month=values["month"],
        at=values["at"], accounts=values["accounts"], tag=values["tag"], account_type=values["account_type"],
        due_amount=number("due_amount", None), due_unit=values["due_unit"])


def _preview_of(session, values: dict) -> tuple[str, list[str], list[str]]:
    """(rule text, next 12 dates, problem sentences) for the form as it stands."""
    try:
        rj = _job_of(values)
        text = recurrence.rule_text(rj)
        dates = recurrence.preview(session, rj, count=12)
    except InvalidInput as err:
        return "", [], [str(err)]
    zone = get_firm(session).timezone
    return text, [format_datetime(d, zone, weekday=True) for d in dates], recurrence.problems(session, rj)


@dataclasses.dataclass
class RecurringItem:
    name: str = ""
    schedule: str = ""
    pipeline: str = ""
    job_name: str = ""
    accounts: str = ""
    due: str = ""
    next_dates: str = ""


def _listing(session) -> tuple[list[RecurringItem], list[Option], list[Option]]:
    zone = get_firm(session).timezone
    items = [RecurringItem(name=x.name, schedule=x.schedule, pipeline=x.pipeline, job_name=x.job_name,
                           accounts=x.accounts, due=x.due,
                           next_dates=" · ".join(format_datetime(d, zone, weekday=True) for d in x.next_dates))
             for x in recurrence.list_recurring(session)]
    pipes = [Option(value=p.name, label=p.name) for p in pipelines.list_pipelines(session)]
    tag_options = [Option(value=t.name, label=t.name) for t in tags.list_tags(session)]
    return items, pipes, tag_options


def _with_valid_choices(form: dict, pipelines: list[Option], tag_options: list[Option]) -> dict:
    """The form with its pipeline and tag among those that exist (else the first of each)."""
    chosen = dict(form)
    for key, options in (("pipeline", pipelines), ("tag", tag_options)):
        if chosen.get(key) not in {o.value for o in options}:
            chosen[key] = options[0].value if options else ""
    return chosen


def _blank_form(pipeline: str = "") -> dict:
    return {"name": "", "pipeline": pipeline, "job_name": "", "frequency": "monthly", "weekday": "monday",
            "day": "1", "month": "january", "at": "", "accounts": "all", "tag": "", "account_type": "Individual",
            "due_amount": "", "due_unit": "days"}


class RecurringState(AppState):
    items: list[RecurringItem] = []
    pipeline_options: list[Option] = []
    tag_options: list[Option] = []
    # The form, as text, exactly as the browser shows it.
    form: dict[str, str] = _blank_form()
    form_version: int = 0
    preview_text: str = ""
    preview_dates: list[str] = []
    problems: list[str] = []
    error: str = ""
    save_error: str = ""
    removing: str = ""

    def _refresh_list(self):
        with shown_in(self, "error"):
            self.items, self.pipeline_options, self.tag_options = read(_listing)

    def _refresh_preview(self):
        with read_session() as session:
            self.preview_text, self.preview_dates, self.problems = _preview_of(session, self.form)

    @allow(STAFF)
    def load(self):
        actor = self._require()
        self.error = self.save_error = ""
        self.removing = ""
        self._refresh_list()
        if actor.is_admin:
            # What was typed stays (a load arriving late must not wipe it, nor re-key the form's inputs); only a
            # pipeline or tag that no longer exists is replaced by the first one.
            self.form = _with_valid_choices(self.form, self.pipeline_options, self.tag_options)
            self._refresh_preview()

    @allow(ADMIN)
    def set_field(self, name: str, value: str):
        """One field changed in the form: keep it and recompute the preview."""
        self._set(str(name), value)

    def _set(self, name: str, value):
        if name not in FIELDS:
            return
        self.form = self.form | {name: str(value or "")[:FIELD_LIMIT]}
        self._refresh_preview()

    # One handler per typed field: a debounced event replaces a pending one of the same handler, so a
    # shared handler would drop the first field's change when the next field is typed into quickly.
    @allow(ADMIN)
    def set_name(self, value: str):
        self._set("name", value)

    @allow(ADMIN)
    def set_job_name(self, value: str):
        self._set("job_name", value)

    @allow(ADMIN)
    def set_at(self, value: str):
        self._set("at", value)

    @allow(ADMIN)
    def set_due_amount(self, value: str):
        self._set("due_amount", value)

    @allow(ADMIN)
    def save(self, form: dict):
        """Append the form's rule to the firm's rules (the submitted values win over half-typed ones)."""
        form = form if isinstance(form, dict) else {}
        self.form = self.form | {k: str(form[k] or "")[:FIELD_LIMIT] for k in FIELDS if k in form}
        self.save_error = ""
        with shown_in(self, "save_error"):
            rj = _job_of(self.form)
            try:
                run(recurrence.add_recurring, self._require(), rj)
            except PracticeError:
                self._refresh_preview()
                raise
            return self._saved(rj)
        return None

    def _saved(self, rj: RecurringJob):
        """After a save: the list shows the new rule; the form starts again in the same pipeline and tag."""
        self._refresh_list()
        keep = {k: self.form[k] for k in ("pipeline", "tag")}
        self.form = _blank_form() | keep
        self.form_version += 1
        self._refresh_preview()
        return rx.toast.success(f'Saved "{rj.name_of_rule.strip()}": it is now a rule of the firm.')

    @allow(ADMIN)
    def ask_remove(self, name: str):
        self.removing = str(name)[:FIELD_LIMIT]

    @allow(ADMIN)
    def cancel_remove(self):
        self.removing = ""

    @allow(ADMIN)
    def confirm_remove(self):
        name, self.removing = self.removing, ""
        if not name:
            return None
        with shown_in(self, "error"):
            run(recurrence.remove_recurring, self._require(), name)
            self.error = ""
            self._refresh_list()
            self._refresh_preview()
            return rx.toast.success(_('Removed "{name}" from the rules.').format(name=name))
        return None


# --- the run log -----------------------------------------------------------------------------------


@dataclasses.dataclass
class TraceLine:
    text: str = ""
    detail: str = ""
    ok: bool = True
    status: str = ""


@dataclasses.dataclass
class RunItem:
    id: int = 0
    when: str = ""
    rule: str = ""
    trigger: str = ""
    status: str = ""
    status_label: str = ""
    color: str = "gray"
    reason: str = ""
    job_name: str = ""
    job_href: str = ""
    account_name: str = ""
    account_href: str = ""
    conditions: list[TraceLine] = dataclasses.field(default_factory=list)
    actions: list[TraceLine] = dataclasses.field(default_factory=list)


def _word(status: str) -> str:
    return _(TRACE_WORDS[status]) if status in TRACE_WORDS else status


def _run_item(entry: recurrence.RunLogEntry) -> RunItem:
    r = entry.run
    status = r.status.value if hasattr(r.status, "value") else str(r.status)
    conditions = [TraceLine(text=f"{p.get('clause', '')} {p.get('text', '')}".strip(),
                            detail=", ".join(f"{k} = {told_value(v)}" for k, v in (p.get("values") or {}).items()),
                            ok=bool(p.get("result")), status=_word("true" if p.get("result") else "false"))
                  for p in (r.conditions or [])]
    actions = [TraceLine(text=str(a.get("text") or a.get("action") or ""), detail=told_outcome(a),
                         ok=a.get("status") not in ("failed", "dropped"), status=_word(str(a.get("status") or "")))
               for a in (r.actions or [])]
    return RunItem(id=r.id, when=format_datetime(entry.when, entry.when.tzinfo), rule=r.rule_name, trigger=r.trigger,
                   status=status, status_label=_(STATUS_LABELS[status]) if status in STATUS_LABELS else status,
                   color=STATUS_COLORS.get(status, "gray"), reason=told_reason(r),
                   job_name=entry.job_name or (_("a deleted job") if r.job_id else ""),
                   job_href=routes.job_url(r.job_id) if r.job_id else "",
                   account_name=entry.account_name or (_("a deleted account") if r.account_id else ""),
                   account_href=routes.account_url(r.account_id) if r.account_id else "",
                   conditions=conditions, actions=actions)


def _runs(session, actor, status: str) -> list[RunItem]:
    return [_run_item(e) for e in recurrence.run_log(session, actor, status=status)]


class RunLogState(AppState):
    allowed: bool = False
    runs: list[RunItem] = []
    status_filter: str = ""
    open_id: int = 0
    error: str = ""
    retry_outcome: str = ""
    retry_ok: bool = False

    def _refresh(self):
        self.error, self.runs = "", []
        with shown_in(self, "error"):
            self.runs = read(_runs, self._require(), self.status_filter)

    @allow(STAFF)
    def load(self):
        """Employees get the plain 'admins only' sentence and no runs."""
        actor = self._require()
        self.allowed = actor.is_admin
        self.error = self.retry_outcome = ""
        self.open_id = 0
        if self.allowed:
            self._refresh()

    @allow(ADMIN)
    def set_status_filter(self, value: str):
        value = str(value or "")
        self.status_filter = "" if value == "all" or value not in STATUS_LABELS else value
        self._refresh()

    @allow(ADMIN)
    def toggle_trace(self, run_id: int):
        try:
            run_id = int(run_id)
        except (TypeError, ValueError):
            return
        self.open_id = 0 if self.open_id == run_id else run_id

    @allow(ADMIN)
    def refresh(self):
        self._refresh()

    @allow(ADMIN)
    def retry(self, run_id: int):
        """Run a failed run again; say how it went."""
        try:
            run_id = int(run_id)
        except (TypeError, ValueError):
            return
        try:
            self.retry_ok, self.retry_outcome = run(recurrence.retry_and_explain, self._require(), run_id)
        except PracticeError as err:
            self.retry_ok, self.retry_outcome = False, str(err)
        self.open_id = run_id
        self._refresh()
