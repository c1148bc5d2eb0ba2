"""Pipelines and their ordered stages."""
from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from practice.i18n import N_, _
from practice.models import Job, Pipeline, Stage, utcnow
from practice.services import audit, events
from practice.services.actor import Actor, require_admin, visible_account_ids
from practice.services.errors import Conflict, InvalidInput, NotFound


def list_pipelines(session: Session) -> list[Pipeline]:
    return list(session.exec(select(Pipeline).order_by(Pipeline.name)))


def stages_of(session: Session, pipeline_id: int) -> list[Stage]:
    return list(session.exec(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position, Stage.id)))


def get_pipeline(session: Session, pipeline_id: int) -> Pipeline:
    pipeline = session.get(Pipeline, pipeline_id)
    if not pipeline:
        raise NotFound(_("That pipeline does not exist."))
    return pipeline


def pipeline_by_name(session: Session, name: str) -> Pipeline | None:
    return session.exec(select(Pipeline).where(func.lower(Pipeline.name) == name.strip().lower())).first()


# The two sentences of a name check, per thing named (whole sentences: French agrees them with the thing).
_NAME_SENTENCES = {
    "pipeline": (N_("Give the pipeline a name."), N_("Keep the pipeline name under 80 characters.")),
    "stage": (N_("Give the stage a name."), N_("Keep the stage name under 80 characters.")),
}


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_(_NAME_SENTENCES[what][0]), field="name")
    if len(name) > 80:
        raise InvalidInput(_(_NAME_SENTENCES[what][1]), field="name")
    return name


def create_pipeline(session: Session, actor: Actor, *, name: str, stages: list[str]) -> Pipeline:
    require_admin(actor)
    name = _clean_name(name, "pipeline")
    if pipeline_by_name(session, name):
        raise Conflict(_('There is already a pipeline "{name}".').format(name=name))
    names = [_clean_name(s, "stage") for s in stages]
    if not names:
        raise InvalidInput(_("A pipeline needs at least one stage."), field="stages")
    if len({n.lower() for n in names}) != len(names):
        raise InvalidInput(_("Two stages of a pipeline cannot have the same name."), field="stages")
    pipeline = Pipeline(name=name)
    session.add(pipeline)
    session.flush()
    for position, stage_name in enumerate(names):
        session.add(Stage(pipeline_id=pipeline.id, name=stage_name, position=position))
    session.flush()
    audit.record(session, actor, "create", "pipeline", pipeline.id, f'Created pipeline "{name}"', stages=names)
    return pipeline


def rename_pipeline(session: Session, actor: Actor, pipeline_id: int, name: str) -> Pipeline:
    require_admin(actor)
    pipeline = get_pipeline(session, pipeline_id)
    name = _clean_name(name, "pipeline")
    other = pipeline_by_name(session, name)
    if other and other.id != pipeline_id:
        raise Conflict(_('There is already a pipeline "{name}".').format(name=name))
    old, pipeline.name = pipeline.name, name
    audit.record(session, actor, "rename", "pipeline", pipeline.id, f'Renamed pipeline "{old}" to "{name}"')
    return pipeline


def _stage(session: Session, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if not stage:
        raise NotFound(_("That stage does not exist any more. Reload the page."))
    return stage


def _check_unique(session: Session, pipeline_id: int, name: str, except_id: int | None = None) -> None:
    for s in stages_of(session, pipeline_id):
        if s.name.lower() == name.lower() and s.id != except_id:
            raise Conflict(_('This pipeline already has a stage "{name}".').format(name=name))


def add_stage(session: Session, actor: Actor, pipeline_id: int, name: str, position: int | None = None) -> Stage:
    require_admin(actor)
    get_pipeline(session, pipeline_id)
    name = _clean_name(name, "stage")
    _check_unique(session, pipeline_id, name)
    stages = stages_of(session, pipeline_id)
    position = len(stages) if position is None else max(0, min(position, len(stages)))
    stage = Stage(pipeline_id=pipeline_id, name=name, position=position)
    stages.insert(position, stage)
    session.add(stage)
    for i, s in enumerate(stages):
        s.position = i
    session.flush()
    audit.record(session, actor, "stage_added", "pipeline", pipeline_id, f'Added stage "{name}"')
    return stage


def rename_stage(session: Session, actor: Actor, stage_id: int, name: str) -> Stage:
    require_admin(actor)
    stage = _stage(session, stage_id)
    name = _clean_name(name, "stage")
    _check_unique(session, stage.pipeline_id, name, except_id=stage.id)
    old, stage.name = stage.name, name
    # Its jobs show the stage by name (REST API): they changed too.
    session.execute(update(Job).where(Job.stage_id == stage.id).values(updated_at=utcnow()))
    audit.record(session, actor, "stage_renamed", "pipeline", stage.pipeline_id, f'Renamed stage "{old}" to "{name}"')
    return stage


def reorder_stages(session: Session, actor: Actor, pipeline_id: int, stage_ids: list[int]) -> list[Stage]:
    require_admin(actor)
    stages = {s.id: s for s in stages_of(session, pipeline_id)}
    if sorted(stages) != sorted(stage_ids):
        raise InvalidInput(_("The stages changed while you were editing. Reload the page and try again."))
    for position, stage_id in enumerate(stage_ids):
        stages[stage_id].position = position
    audit.record(session, actor, "stages_reordered", "pipeline", pipeline_id, "Reordered stages",
                 order=[stages[i].name for i in stage_ids])
    return [stages[i] for i in stage_ids]


def move_stage(session: Session, actor: Actor, stage_id: int, offset: int) -> list[Stage]:
    """Move a stage one place left (-1) or right (+1)."""
    require_admin(actor)
    stage = _stage(session, stage_id)
    ids = [s.id for s in stages_of(session, stage.pipeline_id)]
    i = ids.index(stage_id)
    j = max(0, min(len(ids) - 1, i + offset))
    ids.insert(j, ids.pop(i))
    return reorder_stages(session, actor, stage.pipeline_id, ids)


def stage_job_counts(session: Session, actor: Actor, pipeline_id: int) -> dict[int, int]:
    """Jobs per stage of a pipeline (archived ones too: they move with the stage), as the actor may see them."""
    stmt = select(Job.stage_id, func.count()).where(Job.pipeline_id == pipeline_id).group_by(Job.stage_id)
    visible = visible_account_ids(actor, Job.account_id)
    if visible is not None:
        stmt = stmt.where(visible)
    return {stage_id: n for stage_id, n in session.exec(stmt)}


def jobs_in_stage(session: Session, actor: Actor, stage_id: int) -> int:
    """How many jobs deleting this stage would move (all of them, whoever may see them)."""
    require_admin(actor)
    _stage(session, stage_id)
    return session.exec(select(func.count()).select_from(Job).where(Job.stage_id == stage_id)).one()


def delete_stage(session: Session, actor: Actor, stage_id: int, move_jobs_to: int | None = None) -> int:
    """Delete a stage; its jobs move to `move_jobs_to` (a stage of the same pipeline). Returns jobs moved."""
    require_admin(actor)
    stage = _stage(session, stage_id)
    stages = stages_of(session, stage.pipeline_id)
    if len(stages) == 1:
        raise InvalidInput(_("A pipeline needs at least one stage; add another before deleting this one."))
    job_rows = session.exec(select(Job.id, Job.account_id).where(Job.stage_id == stage_id)).all()
    if job_rows:
        if move_jobs_to is None:
            raise InvalidInput(_('"{name}" still has {count} jobs: choose the stage they move to.').format(
                name=stage.name, count=len(job_rows)),
                               field="move_jobs_to")
        target = _stage(session, move_jobs_to)
        if target.pipeline_id != stage.pipeline_id or target.id == stage.id:
            raise InvalidInput(_("Choose another stage of the same pipeline for its jobs."), field="move_jobs_to")
        session.execute(update(Job).where(Job.stage_id == stage_id)
                        .values(stage_id=target.id, entered_stage_at=utcnow(), version=Job.version + 1))
        pipeline = get_pipeline(session, stage.pipeline_id)
        events.emit_many(session, actor, [
            {"kind": "job_moved", "job_id": job_id, "account_id": account_id,
             "payload": {"pipeline": pipeline.name, "from_stage": stage.name, "to_stage": target.name,
                         "from_stage_id": stage.id, "to_stage_id": target.id, "reason": "stage deleted"}}
            for job_id, account_id in job_rows])
    session.delete(stage)
    session.flush()
    for i, s in enumerate(stages_of(session, stage.pipeline_id)):
        s.position = i
    audit.record(session, actor, "stage_deleted", "pipeline", stage.pipeline_id, f'Deleted stage "{stage.name}"',
                 jobs_moved=len(job_rows))
    return len(job_rows)
