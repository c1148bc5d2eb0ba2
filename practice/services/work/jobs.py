"""Jobs: work for an account moving through a pipeline's stages."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, or_, update
from sqlmodel import Session, select

from practice.models import Account, AuditLog, Job, JobAssignee, Pipeline, Priority, Stage, Tag, TeamMember, utcnow
from practice.i18n import N_, _
from practice.services import audit, events
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, account_visible, visible_account_ids
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.pipelines import get_pipeline, stages_of
from practice.services.work.tags import set_tag


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    """The job, if the actor may see its account."""
    job = session.get(Job, job_id)
    if not job:
        raise NotFound(_("That job does not exist (it may have been deleted)."))
    get_account(session, actor, job.account_id)
    return job


# How each priority reads (the stored value is the English one).
PRIORITY_NAMES = {Priority.low.value: N_("Low"), Priority.medium.value: N_("Medium"), Priority.high.value: N_("High")}


def priority_name(value) -> str:
    """The priority as the person reads it ("High" / "Haute")."""
    name = PRIORITY_NAMES.get(getattr(value, "value", value))
    return _(name) if name else str(value)


def _priority(value) -> Priority:
    for p in Priority:
        if str(value).strip().lower() in (p.value.lower(), p.name, priority_name(p).lower()):
            return p
    raise InvalidInput(_('"{value}" is not a priority; use Low, Medium or High.').format(value=value),
                       field="priority")


def _members(session: Session, ids: list[int]) -> list[TeamMember]:
    found = list(session.exec(select(TeamMember).where(TeamMember.id.in_(ids)))) if ids else []
    if len(found) != len(set(ids)):
        raise InvalidInput(_("One of the chosen assignees is no longer on the team."), field="assignees")
    return found


def create_job(session: Session, actor: Actor, *, account_id: int, pipeline_id: int, name: str,
               stage_id: int | None = None, assignee_ids: list[int] | None = None,
               start_date: dt.date | None = None, due_date: dt.date | None = None,
               priority: str = "Medium") -> Job:
    """Create a job (in the pipeline's first stage unless told) and emit its events."""
    account = get_account(session, actor, account_id)
    pipeline = get_pipeline(session, pipeline_id)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the job a name."), field="name")
    stages = stages_of(session, pipeline.id)
    stage = stages[0] if stage_id is None else next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        raise InvalidInput(_('That stage is not part of the pipeline "{pipeline}".').format(pipeline=pipeline.name),
                           field="stage")
    if start_date and due_date and due_date < start_date:
        raise InvalidInput(_("The due date is before the start date."), field="due_date")
    members = _members(session, assignee_ids or [])
    job = Job(account_id=account.id, pipeline_id=pipeline.id, stage_id=stage.id, name=name,
              priority=_priority(priority), start_date=start_date, due_date=due_date)
    session.add(job)
    session.flush()
    for m in members:
        session.add(JobAssignee(job_id=job.id, member_id=m.id))
    audit.record(session, actor, "create", "job", job.id, f'Created job "{name}" for {account.name} in '
                 f'{pipeline.name} / {stage.name}')
    payload = {"pipeline": pipeline.name, "stage": stage.name, "to_stage": stage.name, "to_stage_id": stage.id}
    events.emit(session, actor, "job_created", job_id=job.id, account_id=account.id, payload=payload)
    return job


def _move(session: Session, actor: Actor, job: Job, stage: Stage, pipeline_name: str, from_stage: Stage) -> None:
    job.stage_id = stage.id
    job.entered_stage_at = utcnow()
    job.version += 1
    audit.record(session, actor, "move", "job", job.id, f'Moved "{job.name}" from "{from_stage.name}" to "{stage.name}"',
                 from_stage=from_stage.name, to_stage=stage.name)
    events.emit(session, actor, "job_moved", job_id=job.id, account_id=job.account_id,
                payload={"pipeline": pipeline_name, "from_stage": from_stage.name, "to_stage": stage.name,
                         "from_stage_id": from_stage.id, "to_stage_id": stage.id})


def move_job(session: Session, actor: Actor, job_id: int, stage_id: int, *, from_stage_id: int | None = None) -> Job:
    """Move a job to another stage of its pipeline; the move and its event commit together.

    `from_stage_id` is where the caller's screen shows the job: if someone moved it meanwhile, refuse.
    """
    job = get_job(session, actor, job_id)
    if job.archived:
        raise Conflict(_("This job is archived; restore it before moving it."))
    if from_stage_id is not None and job.stage_id != from_stage_id:
        now_in = session.get(Stage, job.stage_id)
        if now_in is None:
            raise Conflict(_('Someone else moved "{job}" to another stage meanwhile; the board now shows where it '
                             'is.').format(job=job.name))
        raise Conflict(_('Someone else moved "{job}" to "{stage}" meanwhile; the board now shows where it is.').format(
            job=job.name, stage=now_in.name))
    if job.stage_id == stage_id:
        return job
    stages = {s.id: s for s in stages_of(session, job.pipeline_id)}
    if stage_id not in stages:
        raise InvalidInput(_("That stage is not part of this job's pipeline. Reload the board."), field="stage")
    pipeline = session.get(Pipeline, job.pipeline_id)
    _move(session, actor, job, stages[stage_id], pipeline.name, stages[job.stage_id])
    return job


def move_job_to_next_stage(session: Session, actor: Actor, job_id: int) -> Job:
    job = get_job(session, actor, job_id)
    stages = stages_of(session, job.pipeline_id)
    ids = [s.id for s in stages]
    i = ids.index(job.stage_id)
    if i + 1 >= len(ids):
        raise Conflict(_('"{job}" is already in the last stage, "{stage}".').format(job=job.name, stage=stages[i].name))
    return move_job(session, actor, job_id, ids[i + 1])


def move_jobs(session: Session, actor: Actor, job_ids: list[int], stage_id: int) -> int:
    """Move several jobs at once (board multi-select); all or nothing. Returns how many moved."""
    ids = sorted(set(job_ids))
    if not ids:
        return 0
    stage = session.get(Stage, stage_id)
    if not stage:
        raise NotFound(_("That stage does not exist any more. Reload the board."))
    stmt = select(Job.id, Job.account_id, Job.stage_id, Job.pipeline_id, Job.archived, Job.name).where(Job.id.in_(ids))
    visible = account_visible(actor, Job.account_id)
    if visible is not None:
        stmt = stmt.where(visible)
    rows = session.exec(stmt).all()
    if len(rows) != len(ids):
        raise PermissionDenied(_("Some of the chosen jobs no longer exist or are not yours to move. Reload the board."))
    if any(r.pipeline_id != stage.pipeline_id for r in rows):
        raise InvalidInput(_("All chosen jobs must be in the stage's pipeline."))
    if any(r.archived for r in rows):
        raise Conflict(_("Some of the chosen jobs are archived; restore them first."))
    stages = {s.id: s for s in stages_of(session, stage.pipeline_id)}
    pipeline = session.get(Pipeline, stage.pipeline_id)
    moving = [r for r in rows if r.stage_id != stage_id]
    if not moving:
        return 0
    now = utcnow()
    session.execute(update(Job).where(Job.id.in_([r.id for r in moving]))
                    .values(stage_id=stage_id, entered_stage_at=now, version=Job.version + 1))
    events.emit_many(session, actor, [
        {"kind": "job_moved", "job_id": r.id, "account_id": r.account_id,
         "payload": {"pipeline": pipeline.name, "from_stage": stages[r.stage_id].name, "to_stage": stage.name,
                     "from_stage_id": r.stage_id, "to_stage_id": stage_id}} for r in moving])
    session.execute(insert(AuditLog), [
        {"at": now, "actor_id": actor.member_id, "actor_label": actor.name, "action": "move", "entity": "job",
         "entity_id": r.id, "entity_label": r.name, "account_id": r.account_id,
         "summary": f'Moved "{r.name}" from "{stages[r.stage_id].name}" to "{stage.name}"',
         "detail": {"from_stage": stages[r.stage_id].name, "to_stage": stage.name, "bulk": True}} for r in moving])
    session.expire_all()
    return len(moving)


def update_job(session: Session, actor: Actor, job_id: int, *, name: str | None = None,
               start_date: dt.date | None | str = "keep", due_date: dt.date | None | str = "keep",
               priority: str | None = None) -> Job:
    """Change what is given ("keep" leaves a date as it is); everything is checked before the row changes."""
    job = get_job(session, actor, job_id)
    if name is not None and not name.strip():
        raise InvalidInput(_("Give the job a name."), field="name")
    start = job.start_date if start_date == "keep" else start_date
    due = job.due_date if due_date == "keep" else due_date
    if start and due and due < start:
        raise InvalidInput(_("The due date is before the start date."), field="due_date")
    if name is not None and len(name.strip()) > 200:
        raise InvalidInput(_("Keep the job name to 200 characters."), field="name")
    new_priority = _priority(priority) if priority is not None else Priority(job.priority)
    before = {"name": job.name, "start_date": job.start_date, "due_date": job.due_date,
              "priority": Priority(job.priority)}
    after = {"name": " ".join(name.split()) if name is not None else job.name, "start_date": start,
             "due_date": due, "priority": new_priority}
    job.name, job.start_date, job.due_date, job.priority = after["name"], start, due, new_priority
    if audit.record_changes(session, actor, "job", job.id, f'Job "{before["name"]}"', before, after):
        job.version += 1
    return job


def assign_job(session: Session, actor: Actor, job_id: int, member_ids: list[int]) -> Job:
    job = get_job(session, actor, job_id)
    members = _members(session, member_ids)
    session.exec(delete(JobAssignee).where(JobAssignee.job_id == job.id))
    for m in members:
        session.add(JobAssignee(job_id=job.id, member_id=m.id))
    job.version += 1
    audit.record(session, actor, "assign", "job", job.id,
                 f'Assigned "{job.name}" to {", ".join(m.name for m in members) or "nobody"}')
    return job


def archive_job(session: Session, actor: Actor, job_id: int, archived: bool = True) -> Job:
    job = get_job(session, actor, job_id)
    if job.archived == archived:
        return job
    job.archived = archived
    job.version += 1
    audit.record(session, actor, "archive" if archived else "restore", "job", job.id,
                 f'{"Archived" if archived else "Restored"} job "{job.name}"')
    events.emit(session, actor, "job_archived" if archived else "job_restored", job_id=job.id, account_id=job.account_id)
    return job


def set_job_tag(session: Session, actor: Actor, job_id: int, tag_id: int, present: bool) -> None:
    job = get_job(session, actor, job_id)
    if set_tag(session, actor, "job", job.id, tag_id, present):
        tag = session.get(Tag, tag_id)
        events.emit(session, actor, "tag_added" if present else "tag_removed", job_id=job.id,
                    account_id=job.account_id, payload={"tag": tag.name, "on": "job"})


def assignees_of(session: Session, job_id: int) -> list[TeamMember]:
    return list(session.exec(select(TeamMember).join(JobAssignee, JobAssignee.member_id == TeamMember.id)
                             .where(JobAssignee.job_id == job_id).order_by(TeamMember.name)))


def jobs_of_account(session: Session, actor: Actor, account_id: int) -> list[tuple[Job, str, str]]:
    """The account's jobs with their pipeline and stage names."""
    get_account(session, actor, account_id)
    return list(session.exec(select(Job, Pipeline.name, Stage.name).join(Pipeline, Pipeline.id == Job.pipeline_id)
                             .join(Stage, Stage.id == Job.stage_id).where(Job.account_id == account_id)
                             .order_by(Job.archived, Job.due_date, Job.id)))


def account_name(session: Session, account_id: int) -> str:
    account = session.get(Account, account_id)
    return account.name if account else ""


def job_choices(session: Session, actor: Actor, *, limit: int = 200, search: str = "") -> list[tuple[int, str, str]]:
    """Active jobs the actor may see, as (id, job name, account name), soonest due first (for pickers);
    `search` keeps those whose job or account name contains it."""
    stmt = (select(Job.id, Job.name, Account.name).join(Account, Account.id == Job.account_id)
            .where(Job.archived == False)  # noqa: E712
            .order_by(Job.due_date.is_(None), Job.due_date, Job.id).limit(limit))
    words = search.strip()[:200]
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Job.name.ilike(pattern, escape="\\"), Account.name.ilike(pattern, escape="\\")))
    visible = visible_account_ids(actor, Job.account_id)
    if visible is not None:
        stmt = stmt.where(visible)
    return [tuple(row) for row in session.exec(stmt)]
