"""The board's data: one pipeline, a column per stage with its count and first cards.

Two SQL statements whatever the pipeline's size: stages with their counts (one GROUP BY), then
each stage's first cards through the board index (a UNION ALL of per-stage LIMITs, so the
database seeks instead of scanning the pipeline), with account, assignees and tags attached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, literal, select, union_all
from sqlmodel import Session

from practice.models import Account, Job, JobAssignee, JobTag, Stage, Tag, TeamMember
from practice.services.actor import Actor, account_visible
from practice.services.pipelines import get_pipeline

PAGE = 50


@dataclass
class Card:
    id: int
    name: str
    account_id: int
    account: str
    stage_id: int
    due_date: dt.date | None
    priority: str
    assignees: list[str]
    tags: list[tuple[str, str]]


@dataclass
class Column:
    id: int
    name: str
    count: int
    cards: list[Card] = field(default_factory=list)


def _agg(session: Session, expr, sep: str):
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(expr, literal(sep))
    return func.group_concat(expr, sep)


def _filters(actor: Actor, pipeline_id: int, assignee_id: int | None, tag_id: int | None) -> list:
    cond = [Job.pipeline_id == pipeline_id, Job.archived == False]  # noqa: E712
    if assignee_id:
        cond.append(exists().where(JobAssignee.job_id == Job.id, JobAssignee.member_id == assignee_id))
    if tag_id:
        cond.append(exists().where(JobTag.job_id == Job.id, JobTag.tag_id == tag_id))
    visible = account_visible(actor, Job.account_id)
    if visible is not None:
        cond.append(visible)
    return cond


def _cards(session: Session, cond: list, windows: list[tuple[int, int, int]]) -> dict[int, list[Card]]:
    """Cards for each (stage_id, offset, limit) window, in one statement."""
    parts = [select(Job.id, Job.name, Job.account_id, Job.stage_id, Job.due_date, Job.priority)
             .where(*cond, Job.stage_id == stage_id).order_by(Job.due_date.asc().nulls_first(), Job.id).offset(offset).limit(limit)
             .subquery().select() for stage_id, offset, limit in windows]
    if not parts:
        return {}
    cards = union_all(*parts).subquery("c") if len(parts) > 1 else parts[0].subquery("c")
    assignees = (select(_agg(session, TeamMember.name, "\x1f"))
                 .join(JobAssignee, JobAssignee.member_id == TeamMember.id)
                 .where(JobAssignee.job_id == cards.c.id).scalar_subquery())
    tags = (select(_agg(session, Tag.name + "\x1e" + Tag.color, "\x1f"))
            .join(JobTag, JobTag.tag_id == Tag.id).where(JobTag.job_id == cards.c.id).scalar_subquery())
    stmt = (select(cards, Account.name.label("account"), assignees.label("assignees"), tags.label("tags"))
            .join(Account, Account.id == cards.c.account_id))
    out: dict[int, list[Card]] = {stage_id: [] for stage_id, _, _ in windows}
    for row in session.execute(stmt):
        tag_list = [tuple(t.split("\x1e", 1)) for t in row.tags.split("\x1f")] if row.tags else []
        out[row.stage_id].append(Card(
            id=row.id, name=row.name, account_id=row.account_id, account=row.account, stage_id=row.stage_id,
            due_date=row.due_date, priority=getattr(row.priority, "value", row.priority),
            assignees=sorted(row.assignees.split("\x1f")) if row.assignees else [],
            tags=sorted(tag_list)))
    for stage_cards in out.values():
        stage_cards.sort(key=lambda c: (c.due_date is not None, c.due_date or dt.date.min, c.id))
    return out


def _columns(session: Session, cond: list, pipeline_id: int, limits: dict[int, int] | None,
             stage_ids: list[int] | None = None) -> list[Column]:
    """Counts (one GROUP BY) then cards (one UNION ALL) for the pipeline's stages, or only `stage_ids`."""
    counted = (select(Job.stage_id, func.count().label("n")).where(*cond).group_by(Job.stage_id).subquery())
    stmt = (select(Stage.id, Stage.name, func.coalesce(counted.c.n, 0))
            .join(counted, counted.c.stage_id == Stage.id, isouter=True)
            .where(Stage.pipeline_id == pipeline_id).order_by(Stage.position, Stage.id))
    if stage_ids is not None:
        stmt = stmt.where(Stage.id.in_(stage_ids))
    columns = [Column(id=r[0], name=r[1], count=r[2]) for r in session.execute(stmt).all()]
    limits = limits or {}
    windows = [(c.id, 0, limits.get(c.id, PAGE)) for c in columns if c.count]
    cards = _cards(session, cond, windows)
    for c in columns:
        c.cards = cards.get(c.id, [])
    return columns


def load_board(session: Session, actor: Actor, pipeline_id: int, *, assignee_id: int | None = None,
               tag_id: int | None = None, limits: dict[int, int] | None = None) -> list[Column]:
    """Columns of the pipeline with counts and each stage's first cards (`limits` per stage, default 50)."""
    get_pipeline(session, pipeline_id)
    return _columns(session, _filters(actor, pipeline_id, assignee_id, tag_id), pipeline_id, limits)


def load_columns(session: Session, actor: Actor, pipeline_id: int, stage_ids: list[int], *,
                 assignee_id: int | None = None, tag_id: int | None = None,
                 limits: dict[int, int] | None = None) -> list[Column]:
    """Only some columns of the board (after a move): their counts and first cards, in stage order."""
    if not stage_ids:
        return []
    return _columns(session, _filters(actor, pipeline_id, assignee_id, tag_id), pipeline_id, limits,
                    stage_ids=sorted(set(stage_ids)))


def load_more(session: Session, actor: Actor, pipeline_id: int, stage_id: int, offset: int, *,
              assignee_id: int | None = None, tag_id: int | None = None, limit: int = PAGE) -> list[Card]:
    """The next cards of one column ("show more")."""
    cond = _filters(actor, pipeline_id, assignee_id, tag_id)
    return _cards(session, cond, [(stage_id, offset, limit)]).get(stage_id, [])
