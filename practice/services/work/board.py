"""The board's data: one pipeline, a column per stage with its count and first cards.

Three SQL statements whatever the pipeline's size or who is looking: the pipeline, the stages with
their counts, then each stage's first cards through the board index (a UNION ALL of per-stage
LIMITs, so the database seeks instead of scanning the pipeline), with account, assignees, tags and what each
job waits on its client for (stage_items.waiting_on_client: one correlated UNION ALL per card shown, probing
each kind's job index) and the values of the custom fields the member shows on the cards (on SQLite from the values the
card's job and account keep, `field_values`, read with those rows; elsewhere one primary-key probe of `customvalue` per
card and field). The filter's field and the fields shown come in from the page, which reads them
once per visit (state/field_views.py), so a filtered board is three statements too.

On SQLite the counts of the board as it opens are read from tables the database keeps
(`StageCount`, `MemberStageCount`: triggers in models.py), not counted over the pipeline (filtered by a field's value,
the job's or its account's, a list's choice or yes/no: `FieldStageCount`, `MemberFieldStageCount`, and each stage's
first cards read from the database's board index per value, `BoardFieldEntry`, rather than by walking the stage and
probing each job; by an account's field with a range or "contains": the kept `AccountStageCount` of the accounts
holding the value), and an
employee without "view all" is checked against `AccountViewer` with one primary-key probe per card:
plans that stay the same with or without the planner's statistics. Filtered boards (and other
databases) count with one GROUP BY; on other databases the employee's accounts are one set per statement.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, exists, func, literal, select, union_all
from sqlmodel import Session

from practice.models import (Account, AccountStageCount, AccountViewer, BoardFieldEntry, CustomValue, FieldStageCount,
                             Job, JobAssignee, JobTag, MemberFieldStageCount, MemberStageCount, Priority, Stage,
                             StageCount, Tag, TeamMember)
from practice.services.actor import Actor, member_account_ids, require_staff
from practice.services.stage_items import WAITING_KINDS, waiting_on_client, waiting_words
from practice.services.work.custom_values import shown
from practice.services.work.field_views import FieldFilter, condition, statement_params, view_label
from practice.services.work.pipelines import get_pipeline

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
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of the columns chosen
    # What the job waits on its client for, by kind (stage_items.WAITING_KINDS; kinds with none left out).
    waiting: dict[str, int] = field(default_factory=dict)

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())

    def waiting_words(self) -> str:
        """"2 client tasks, 1 organizer" in the reader's language ("" when nothing waits on the client)."""
        return waiting_words(self.waiting)


@dataclass
class Column:
    id: int
    name: str
    count: int
    cards: list[Card] = field(default_factory=list)


def _agg(dialect: str, expr, sep: str):
    if dialect == "postgresql":
        return func.string_agg(expr, literal(sep))
    return func.group_concat(expr, sep)


def _sees(dialect: str, for_counts: bool):
    """The viewer (bind parameter viewer_id) may see the job's account: the rule of `actor.account_visible`.

    On SQLite the database keeps that rule as a table, so a card costs one primary-key probe and a count
    reads the viewer's accounts from its index: no plan here depends on statistics. Elsewhere: the rule itself as
    the viewer's accounts (`member_account_ids`), a set computed once per statement; for cards a CTE the per-stage
    parts share. On PostgreSQL the rule as a correlated probe per card (`account_visible`) was planned as each part
    rebuilding the set, and its estimated cost (millions) switched the JIT compiler on: an employee's board of
    50,000 jobs took 15 times as long as this way (docs/benchmarks.md)."""
    if dialect == "sqlite":
        if for_counts:
            mine = select(AccountViewer.account_id).where(AccountViewer.member_id == bindparam("viewer_id"),
                                                          AccountViewer.reasons > 0)
            return (Job.account_id + 0).in_(mine)
        return exists().where(AccountViewer.account_id == Job.account_id,
                              AccountViewer.member_id == bindparam("viewer_id"), AccountViewer.reasons > 0)
    if for_counts:
        return (Job.account_id + 0).in_(member_account_ids(bindparam("viewer_id")))
    mine = member_account_ids(bindparam("viewer_id")).cte("viewer_accounts")
    return Job.account_id.in_(select(mine.c.account_id))


def _filters(dialect: str, *, assignee: bool, tag: bool, limited: bool, for_counts: bool,
             custom: tuple[str, str] | None = None) -> list:
    """Conditions on Job for the board, with bind parameters pipeline_id, assignee_id, tag_id,
    viewer_id and a custom field filter's (cf_field and its kind's values: `custom` is the field's entity, job or
    account, and the filter's kind);
    the form of each depends on how the database should run the statement.

    Counting reads every matching job, so filters are uncorrelated IN-sets computed once (a correlated
    EXISTS per job costs tens of ms on a 50,000-job pipeline); a filter's set may drive the query (its
    few thousand jobs looked up by id). Visibility never drives (`+ 0`): it matches most of an
    employee's pipeline, and the board index carries account_id, so checking it needs no table read.

    Listing cards walks each stage's board index in order and stops after the first 50 matches, so
    every condition is a cheap per-row probe (primary-key EXISTS) rather than a set each of the
    ten per-stage parts would rebuild; but for visibility on databases other than SQLite, a set the parts share
    (`_sees`)."""
    cond = [Job.pipeline_id == bindparam("pipeline_id"), Job.archived == False]  # noqa: E712
    if for_counts:
        if assignee:
            cond.append(Job.id.in_(select(JobAssignee.job_id).where(JobAssignee.member_id == bindparam("assignee_id"))))
        if tag:
            cond.append(Job.id.in_(select(JobTag.job_id).where(JobTag.tag_id == bindparam("tag_id"))))
    else:
        if assignee:
            cond.append(exists().where(JobAssignee.job_id == Job.id, JobAssignee.member_id == bindparam("assignee_id")))
        if tag:
            cond.append(exists().where(JobTag.job_id == Job.id, JobTag.tag_id == bindparam("tag_id")))
    if limited:
        cond.append(_sees(dialect, for_counts))
    if custom:  # after the visibility probe: an employee's cards are probed only for the jobs it may see
        entity, kind = custom
        cond.append(condition(kind, Job.id if entity == "job" else Job.account_id, probe=not for_counts))
    return cond


# Statements are built once per shape and reused: building a ten-part UNION costs more than
# running it. The values go in as bind parameters.
@lru_cache(maxsize=128)
def _counts_statement(dialect: str, assignee: bool, tag: bool, limited: bool, custom: tuple | None = None,
                      only_some: bool = False):
    if dialect == "sqlite" and custom and custom[0] == "account" and custom[1] != "is" and not (assignee or tag):
        # Filtered by the accounts' field with a range or "contains": the kept per-account counts of the accounts
        # holding the value (a set of accounts, each with its stages), not their jobs counted one by one (2.4x fewer
        # steps at 50,000 jobs). Filtered by "is", the counts per value below.
        kept = AccountStageCount
        accounts = [condition(custom[1], kept.account_id, probe=False)]
        if limited:
            accounts.append(kept.account_id.in_(select(AccountViewer.account_id).where(
                AccountViewer.member_id == bindparam("viewer_id"), AccountViewer.reasons > 0)))
        counted = (select(kept.stage_id, func.sum(kept.n).label("n"))
                   .join(Stage, (Stage.id == kept.stage_id) & (Stage.pipeline_id == bindparam("pipeline_id")))
                   .where(*accounts).group_by(kept.stage_id).subquery())
        stmt = (select(Stage.id, Stage.name, func.coalesce(counted.c.n, 0))
                .join(counted, counted.c.stage_id == Stage.id, isouter=True)
                .where(Stage.pipeline_id == bindparam("pipeline_id")).order_by(Stage.position, Stage.id))
    elif dialect == "sqlite" and not (assignee or tag) and (not custom or custom[1] == "is"):
        # Kept by the database: one row per stage, whatever the pipeline's size (filtered by a field's value, the
        # job's or its account's: one row per stage of that value).
        if custom:
            kept = MemberFieldStageCount if limited else FieldStageCount
            on = ((kept.stage_id == Stage.id) & (kept.field_id == bindparam("cf_field"))
                  & (kept.value == bindparam("cf_value")))
        else:
            kept = MemberStageCount if limited else StageCount
            on = kept.stage_id == Stage.id
        if limited:
            on = on & (kept.member_id == bindparam("viewer_id"))
        stmt = (select(Stage.id, Stage.name, func.coalesce(kept.n, 0)).join(kept, on, isouter=True)
                .where(Stage.pipeline_id == bindparam("pipeline_id")).order_by(Stage.position, Stage.id))
    else:
        counted = (select(Job.stage_id, func.count().label("n"))
                   .where(*_filters(dialect, assignee=assignee, tag=tag, limited=limited, for_counts=True,
                                    custom=custom))
                   .group_by(Job.stage_id).subquery())
        stmt = (select(Stage.id, Stage.name, func.coalesce(counted.c.n, 0))
                .join(counted, counted.c.stage_id == Stage.id, isouter=True)
                .where(Stage.pipeline_id == bindparam("pipeline_id")).order_by(Stage.position, Stage.id))
    if only_some:
        stmt = stmt.where(Stage.id.in_(bindparam("stage_ids", expanding=True)))
    return stmt


def _window(i: int, stmt):
    return (stmt.offset(bindparam(f"offset_{i}", type_=Integer)).limit(bindparam(f"limit_{i}", type_=Integer))
            .subquery().select())


def _card_columns(kept: bool) -> list:
    """What a window reads of each card's job; `kept`: with the values of its fields the job keeps (SQLite)."""
    return [Job.id, Job.name, Job.account_id, Job.stage_id, Job.due_date, Job.priority,
            *([Job.__table__.c.field_values] if kept else [])]


def _entries_window(i: int, cond: list, kept: bool = False):
    """One stage's cards filtered by a field's value ("is") on SQLite: a seek of the board index the database keeps
    per value (`BoardFieldEntry`, in the board's order), each entry's job read by its key and checked like the
    plain board's."""
    entry = BoardFieldEntry
    return _window(i, select(*_card_columns(kept))
                   .select_from(entry).join(Job, Job.id == entry.job_id)
                   .where(entry.field_id == bindparam("cf_field"), entry.value == bindparam("cf_value"),
                          entry.stage_id == bindparam(f"stage_{i}"), *cond)
                   .order_by(entry.due_date.asc().nulls_first(), entry.job_id))


@lru_cache(maxsize=256)
def _cards_statement(dialect: str, n_windows: int, assignee: bool, tag: bool, limited: bool,
                     custom: tuple | None = None, shown: tuple[str, ...] = ()):
    """`shown`: the entity (job or account) of each custom field shown on the cards, whose values the statement
    reads too (bind parameters col_0, col_1...). On SQLite from the values the card's job and account keep
    (`field_values`, a JSON object: the parameters are the fields' paths in it, '$."12"'), read with the rows the
    statement reads anyway; elsewhere one primary-key probe of `customvalue` per card and field (the parameters are
    the fields' ids)."""
    kept = dialect == "sqlite"
    jobs_kept = kept and "job" in shown
    if dialect == "sqlite" and custom and custom[1] == "is":
        parts = [_entries_window(i, _filters(dialect, assignee=assignee, tag=tag, limited=limited, for_counts=False),
                                 jobs_kept) for i in range(n_windows)]
    else:
        cond = _filters(dialect, assignee=assignee, tag=tag, limited=limited, for_counts=False, custom=custom)
        parts = [_window(i, select(*_card_columns(jobs_kept))
                         .where(*cond, Job.stage_id == bindparam(f"stage_{i}"))
                         .order_by(Job.due_date.asc().nulls_first(), Job.id)) for i in range(n_windows)]
    cards = union_all(*parts).subquery("c") if len(parts) > 1 else parts[0].subquery("c")
    assignees = (select(_agg(dialect, TeamMember.name, "\x1f"))
                 .join(JobAssignee, JobAssignee.member_id == TeamMember.id)
                 .where(JobAssignee.job_id == cards.c.id).scalar_subquery())
    tags = (select(_agg(dialect, Tag.name + "\x1e" + Tag.color, "\x1f"))
            .join(JobTag, JobTag.tag_id == Tag.id).where(JobTag.job_id == cards.c.id).scalar_subquery())
    items = waiting_on_client(cards.c.id, cards.c.account_id)
    waiting = select(_agg(dialect, items.c.kind, "\x1f")).scalar_subquery()
    if kept:
        values = [func.json_extract(cards.c.field_values if entity == "job" else Account.__table__.c.field_values,
                                    bindparam(f"col_{i}", type_=String)).label(f"col_{i}")
                  for i, entity in enumerate(shown)]
    else:
        values = [select(CustomValue.value).where(
            CustomValue.field_id == bindparam(f"col_{i}", type_=Integer),
            CustomValue.item_id == (cards.c.id if entity == "job" else cards.c.account_id)).scalar_subquery()
            .label(f"col_{i}") for i, entity in enumerate(shown)]
    card = [column for column in cards.c if column.key != "field_values"]
    return (select(*card, Account.name.label("account"), assignees.label("assignees"), tags.label("tags"),
                   waiting.label("waiting"), *values).join(Account, Account.id == cards.c.account_id))


def _params(actor: Actor, pipeline_id: int, assignee_id: int | None, tag_id: int | None,
            field_filter: FieldFilter | None = None) -> tuple[tuple, dict]:
    """The statement shape (assignee?, tag?, limited?, custom field filter's entity and kind) and the values for its
    bind parameters."""
    limited = not require_staff(actor).sees_all_accounts
    shape = (bool(assignee_id), bool(tag_id), limited, (field_filter.entity, field_filter.kind) if field_filter else None)
    return shape, {"pipeline_id": pipeline_id, "assignee_id": assignee_id, "tag_id": tag_id,
                   "viewer_id": actor.member_id if limited else None, **statement_params(field_filter)}


@lru_cache(maxsize=256)
def _cards_sql(dialect, n_windows: int, assignee: bool, tag: bool, limited: bool,
               custom: tuple | None = None, shown: tuple[str, ...] = ()) -> tuple[str, tuple | None, dict]:
    """The cards statement compiled once per shape: its SQL, for positional drivers its parameters' order, and
    the values it carries itself (the separators). Run through the driver, its rows skip SQLAlchemy's per-row
    processing (5 ms of the 11 that 500 cards took)."""
    compiled = _cards_statement(dialect.name, n_windows, assignee, tag, limited, custom, shown).compile(dialect=dialect)
    # The values it carries as the database stores them (the statuses' names), since the driver gets them as they are.
    processors = compiled._bind_processors
    carried = {k: (processors[k](v) if k in processors and v is not None else v) for k, v in compiled.params.items()}
    return str(compiled), (tuple(compiled.positiontup) if compiled.positiontup else None), carried


_PRIORITIES = {p.name: p.value for p in Priority}  # as stored (the name) -> as shown


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _waiting(kinds: str | None) -> dict[str, int]:
    """How many items of each kind, from the kinds of the items one per item ("client_task\x1fclient_task")."""
    if not kinds:  # most cards (a Counter and a look-up per kind for each of 500 cards: 1 ms of a board's load)
        return {}
    found = Counter(kinds.split("\x1f"))
    return {kind: found[kind] for kind in WAITING_KINDS if kind in found}


def _cards(session: Session, shape: tuple, params: dict, windows: list[tuple[int, int, int]],
           fields: list | None = None) -> dict[int, list[Card]]:
    """Cards for each (stage_id, offset, limit) window, with the values of the custom fields shown (`fields`: a job
    field's from the job, an account field's from the card's account), in one statement."""
    if not windows:
        return {}
    fields = fields or []
    conn = session.connection()
    sql, order, values = _cards_sql(conn.dialect, len(windows), *shape, tuple(f.entity for f in fields))
    kept = conn.dialect.name == "sqlite"  # the fields' paths in the values the rows keep, or their ids
    values = values | params | {f"col_{i}": f'$."{f.id}"' if kept else f.id for i, f in enumerate(fields)}
    for i, (stage_id, offset, limit) in enumerate(windows):
        values.update({f"stage_{i}": stage_id, f"offset_{i}": offset, f"limit_{i}": limit})
    out: dict[int, list[Card]] = {stage_id: [] for stage_id, _, _ in windows}
    rows = conn.exec_driver_sql(sql, tuple(values[k] for k in order) if order else values)
    labels = [(view_label(f, "board"), f.type) for f in fields]
    seen: dict[tuple, str] = {}  # each value as people read it, worked out once (a list's values repeat)
    for job_id, name, account_id, stage_id, due, priority, account, assignees, tags, waiting, *held in rows:
        out[stage_id].append(Card(
            id=job_id, name=name, account_id=account_id, account=account, stage_id=stage_id, due_date=_date(due),
            priority=_PRIORITIES.get(priority, str(priority)),
            assignees=sorted(assignees.split("\x1f")) if assignees else [],
            tags=sorted(tuple(t.split("\x1e", 1)) for t in tags.split("\x1f")) if tags else [],
            waiting=_waiting(waiting),
            fields=[(label, _shown(seen, kind, v)) for (label, kind), v in zip(labels, held) if v]))
    for stage_cards in out.values():
        stage_cards.sort(key=lambda c: (c.due_date is not None, c.due_date or dt.date.min, c.id))
    return out


def _shown(seen: dict, kind: str, value: str) -> str:
    if (kind, value) not in seen:
        seen[(kind, value)] = shown(kind, value)
    return seen[(kind, value)]


def _columns(session: Session, shape: tuple, params: dict, limits: dict[int, int] | None,
             stage_ids: list[int] | None = None, fields: list | None = None) -> list[Column]:
    """Counts (one GROUP BY) then cards (one UNION ALL) for the pipeline's stages, or only `stage_ids`."""
    stmt = _counts_statement(session.connection().dialect.name, *shape, only_some=stage_ids is not None)
    if stage_ids is not None:
        params = dict(params, stage_ids=stage_ids)
    rows = session.connection().execute(stmt, params).all()
    columns = [Column(id=r[0], name=r[1], count=r[2]) for r in rows]
    limits = limits or {}
    windows = [(c.id, 0, limits.get(c.id, PAGE)) for c in columns if c.count]
    cards = _cards(session, shape, params, windows, fields)
    for c in columns:
        c.cards = cards.get(c.id, [])
    return columns


def load_board(session: Session, actor: Actor, pipeline_id: int, *, assignee_id: int | None = None,
               tag_id: int | None = None, limits: dict[int, int] | None = None,
               field_filter: FieldFilter | None = None, fields: list | None = None) -> list[Column]:
    """Columns of the pipeline with counts and each stage's first cards (`limits` per stage, default 50);
    `field_filter` narrows the jobs by a custom field, `fields` (custom fields) are shown on each card."""
    get_pipeline(session, pipeline_id)
    shape, params = _params(actor, pipeline_id, assignee_id, tag_id, field_filter)
    return _columns(session, shape, params, limits, fields=fields)


def load_columns(session: Session, actor: Actor, pipeline_id: int, stage_ids: list[int], *,
                 assignee_id: int | None = None, tag_id: int | None = None,
                 limits: dict[int, int] | None = None, field_filter: FieldFilter | None = None,
                 fields: list | None = None) -> list[Column]:
    """Only some columns of the board (after a move): their counts and first cards, in stage order."""
    if not stage_ids:
        return []
    shape, params = _params(actor, pipeline_id, assignee_id, tag_id, field_filter)
    return _columns(session, shape, params, limits, stage_ids=sorted(set(stage_ids)), fields=fields)


def load_more(session: Session, actor: Actor, pipeline_id: int, stage_id: int, offset: int, *,
              assignee_id: int | None = None, tag_id: int | None = None, limit: int = PAGE,
              field_filter: FieldFilter | None = None, fields: list | None = None) -> list[Card]:
    """The next cards of one column ("show more")."""
    shape, params = _params(actor, pipeline_id, assignee_id, tag_id, field_filter)
    return _cards(session, shape, params, [(stage_id, offset, limit)], fields).get(stage_id, [])
