"""Planning the actions of a rule that fired: each action kind's arguments resolved on the facts.

One small planner per action kind, looked up by the action's syntax node in the literal table
``PLANNERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Optional

from . import ast as A
from .compiler import CompiledRule, CompiledRuleSet
from .errors import EvaluationError
from .formatter import format_duration, format_expr
from .language import DATE, DATETIME, FIELDS, NUMBER, N_, Words
from .placeholders import referenced_fields, render
from .semantics import Explainer, fields_read
from .timeutil import aware, duration_timedelta, local_date, shift


@dataclass(frozen=True)
class Duration:
    """A delay or interval as written (``2 business days``); ``timedelta`` when fixed-length."""

    amount: int
    unit: str

    @property
    def timedelta(self) -> Optional[timedelta]:
        return duration_timedelta(self.amount, self.unit)

    def after(self, moment: datetime, tz) -> datetime:
        """The moment this long after ``moment`` (wall clock in the firm's time zone)."""
        return shift(moment, self.amount, self.unit, tz)

    def __str__(self) -> str:
        return format_duration(A.Duration(Decimal(self.amount), self.unit))


@dataclass(frozen=True)
class PlannedAction:
    """An action a rule would run, with its arguments resolved.

    ``action`` is one of: send_email, send_message, send_organizer, send_proposal,
    send_invoice, request_signature, request_approval, create_task, create_job, add_tags,
    remove_tags, apply_folder_template, move_job, assign_job, archive_job, notify, send_webhook.
    ``index`` is the action's position in its rule (0-based), for idempotency keys.
    ``delay`` is the ``after`` duration and ``run_at`` when it comes due (None: at once).
    """

    index: int
    action: str
    args: dict
    text: str
    delay: Optional[Duration] = None
    run_at: Optional[datetime] = None


def placeholder_context(facts: dict, now: datetime, tz, fields: Optional[dict] = None) -> dict:
    """What placeholders can show: the facts as text, plus today, year, quarter and month."""
    today = local_date(now, tz)
    context = {
        "today": today.isoformat(),
        "year": today.year,
        "quarter": (today.month - 1) // 3 + 1,
        "month": A.MONTH_NAMES[today.month - 1].capitalize(),
    }
    for entity, names in (fields or FIELDS).items():
        record = facts.get(entity)
        if record is None:
            continue
        context[entity] = {name: _show(record.get(name), t, tz) for name, t in names.items()}
    return context


def _show(v, t, tz) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if t == DATETIME and isinstance(v, datetime):
        return aware(v).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if t == DATE and isinstance(v, date):
        return v.isoformat()
    if t == NUMBER:
        try:
            return f"{Decimal(str(v)):.2f}"
        except InvalidOperation:
            return str(v)
    return str(v)


def _duration(d: A.Duration) -> Duration:
    return Duration(int(d.amount), d.unit)


def _recipient(r, facts, catalog) -> dict:
    if isinstance(r, A.Entity):
        return {"to": r.name}
    if isinstance(r, A.Field):
        return {"to": "member", "member": _assignee(r, facts, catalog)}
    if "@" in r.value:
        return {"to": "address", "email": r.value.strip()}
    return {"to": "member", "member": catalog.member(r.value) or r.value.strip()}


def _assignee(a, facts, catalog) -> str:
    if isinstance(a, A.Field):
        job = facts.get("job") or {}
        who = job.get("assignee")
        if not who:
            raise EvaluationError(Words(N_("the job has no assignee")))
        return who
    return catalog.member(a.value) or a.value.strip()


def _date_value(expr, facts, now, tz):
    today = local_date(now, tz)
    value = Explainer(facts, now, today, tz).value(expr)
    if value is None:
        raise EvaluationError(Words(N_("{field} is empty, so there is no due date"), field=format_expr(expr)))
    return value


class _ActionInputs:
    """What planning one action reads: the catalog, the facts, the moment, and the action's
    templates (the placeholder context is built once, on the first text that needs it)."""

    def __init__(self, compiled: CompiledRuleSet, action, facts: dict, now: datetime):
        self.catalog = compiled.catalog
        self.tz = compiled.tz
        self.action = action
        self.facts = facts
        self.now = now
        self._context = None

    def text(self, fname: str) -> str:
        node = getattr(self.action.ast, fname)
        template = self.action.templates.get(fname)
        if template is None:
            return node.value
        if self._context is None:
            self._context = placeholder_context(self.facts, self.now, self.tz, self.catalog.field_types)
        return render(template, node.value, self._context)

    def due(self, d: Optional[A.Due]):
        if d is None:
            return None
        now, tz = self.now, self.tz
        if d.duration is not None:
            dur = _duration(d.duration)
            if dur.unit in ("minute", "hour"):
                return shift(now, dur.amount, dur.unit, tz)
            return shift(local_date(now, tz), dur.amount, dur.unit, tz)
        value = _date_value(d.date, self.facts, now, tz)
        return local_date(value, tz) if isinstance(value, datetime) else value

    def assignee(self, a) -> str:
        return _assignee(a, self.facts, self.catalog)

    def template(self, kind: str, name: A.Text) -> str:
        return self.catalog.template(kind, name.value) or name.value


def _reminders(r: Optional[A.Reminders]):
    if r is None:
        return None
    times = int(r.times.value) if r.times is not None else 1
    return {"every": _duration(r.every), "times": times}


# Each planner returns the action's kind and its resolved arguments. The order in which the
# arguments are computed is the order in which their errors are reported.

def _plan_send(a: A.Send, inputs: _ActionInputs):
    args = {"template": inputs.template(a.kind, a.template)}
    args.update(_recipient(a.to, inputs.facts, inputs.catalog))
    if a.kind in ("message", "organizer", "proposal", "invoice", "client request"):
        args["reminders"] = _reminders(a.reminders)
    return f"send_{a.kind.replace(' ', '_')}", args


def _plan_request_signature(a: A.RequestSignature, inputs: _ActionInputs):
    return "request_signature", {"template": inputs.template("document", a.template),
                                 "from": "account", "reminders": _reminders(a.reminders)}


def _plan_request_approval(a: A.RequestApproval, inputs: _ActionInputs):
    return "request_approval", {"folder": a.folder.value, "from": "account",
                                "reminders": _reminders(a.reminders)}


def _plan_create_task(a: A.CreateTask, inputs: _ActionInputs):
    return "create_task", {"title": inputs.text("title"),
                           "assignee": inputs.assignee(a.assignee) if a.assignee is not None else None,
                           "due": inputs.due(a.due)}


def _plan_create_job(a: A.CreateJob, inputs: _ActionInputs):
    catalog = inputs.catalog
    pipeline = catalog.pipeline(a.pipeline.value) or a.pipeline.value
    stages = catalog.pipelines.get(pipeline, ())
    return "create_job", {"name": inputs.text("name"), "pipeline": pipeline,
                          "stage": stages[0] if stages else None, "due": inputs.due(a.due)}


def _plan_change_tags(a: A.ChangeTags, inputs: _ActionInputs):
    kind = "add_tags" if a.add else "remove_tags"
    return kind, {"tags": [inputs.catalog.tag(t.value) or t.value for t in a.tags], "target": a.target.name}


def _plan_apply_folder_template(a: A.ApplyFolderTemplate, inputs: _ActionInputs):
    return "apply_folder_template", {"template": inputs.template("folder", a.template)}


def _next_stage(job: dict, pipeline: str, stages: list, catalog) -> str:
    current = catalog.stage(job.get("stage") or "", pipeline)
    if current is None:
        raise EvaluationError(Words(N_('the job\'s stage "{stage}" is not in pipeline "{pipeline}"'),
                                    stage=job.get("stage"), pipeline=pipeline))
    position = stages.index(current)
    if position + 1 >= len(stages):
        raise EvaluationError(Words(N_('the job is already in the last stage of "{pipeline}"'), pipeline=pipeline))
    return stages[position + 1]


def _plan_move_job(a: A.MoveJob, inputs: _ActionInputs):
    catalog = inputs.catalog
    job = inputs.facts.get("job") or {}
    pipeline = catalog.pipeline(job.get("pipeline") or "") if job.get("pipeline") else None
    if pipeline is None:
        raise EvaluationError(Words(N_('the job\'s pipeline "{pipeline}" is not known'), pipeline=job.get("pipeline")))
    stages = list(catalog.pipelines[pipeline])
    if a.stage is None:
        target = _next_stage(job, pipeline, stages, catalog)
    else:
        target = catalog.stage(a.stage.value, pipeline)
        if target is None:
            raise EvaluationError(Words(N_('pipeline "{pipeline}" has no stage "{stage}"'), pipeline=pipeline,
                                        stage=a.stage.value))
    return "move_job", {"stage": target, "pipeline": pipeline, "from_stage": job.get("stage")}


def _plan_assign_job(a: A.AssignJob, inputs: _ActionInputs):
    return "assign_job", {"assignee": inputs.assignee(a.assignee)}


def _plan_archive_job(a: A.ArchiveJob, inputs: _ActionInputs):
    return "archive_job", {}


def _plan_notify(a: A.Notify, inputs: _ActionInputs):
    return "notify", {"member": inputs.assignee(a.assignee), "text": inputs.text("text")}


def _plan_send_webhook(a: A.SendWebhook, inputs: _ActionInputs):
    return "send_webhook", {"url": a.url.value.strip()}


PLANNERS = {
    A.Send: _plan_send,
    A.RequestSignature: _plan_request_signature,
    A.RequestApproval: _plan_request_approval,
    A.CreateTask: _plan_create_task,
    A.CreateJob: _plan_create_job,
    A.ChangeTags: _plan_change_tags,
    A.ApplyFolderTemplate: _plan_apply_folder_template,
    A.MoveJob: _plan_move_job,
    A.AssignJob: _plan_assign_job,
    A.ArchiveJob: _plan_archive_job,
    A.Notify: _plan_notify,
    A.SendWebhook: _plan_send_webhook,
}


# What planning reads of the facts besides the action's own fields and placeholders.
_IMPLIED_READS = {A.MoveJob: {("job", "pipeline"), ("job", "stage")}}


def action_reads(action) -> Optional[frozenset]:
    """The (entity, field) pairs planning ``action`` can read of the facts, or None when not known.

    Two sets of facts that agree on these give the same planned action (a schedule's sweep plans
    it once for them all). Fields written in the action (a due date's base) and its placeholders
    count; an assignee or recipient written as a field reads the job's assignee; the planners'
    own reads are listed in ``_IMPLIED_READS``."""
    a = action.ast
    if type(a) not in PLANNERS:
        return None
    reads = set(_IMPLIED_READS.get(type(a), ())) | fields_read(a)
    if any(isinstance(getattr(a, slot, None), A.Field) for slot in ("assignee", "to")):
        reads.add(("job", "assignee"))
    for fname, template in action.templates.items():
        shown = referenced_fields(getattr(a, fname).value) if template is not None else frozenset()
        if shown is None:
            return None
        reads |= shown
    return frozenset(reads)

def plan_action(compiled: CompiledRuleSet, rule: CompiledRule, action, facts: dict, now: datetime,
                delayed: bool = False) -> PlannedAction:
    """Resolve one action's arguments on the facts (placeholders rendered, dates computed)."""
    a = action.ast
    kind, args = PLANNERS[type(a)](a, _ActionInputs(compiled, action, facts, now))
    delay = _duration(a.delay) if a.delay is not None and not delayed else None
    run_at = delay.after(now, compiled.tz) if delay is not None else None
    return PlannedAction(action.index, kind, args, action.text, delay, run_at)
