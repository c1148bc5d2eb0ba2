"""The board filtered by a field's value ("Return type is 1040", or its cards' accounts' "Filing status is MFJ"): on
SQLite it reads each stage's first cards from a board index per value the database keeps (`BoardFieldEntry`), and the
counts from tables kept from it. After random sequences of every kind of write (values set, changed, cleared by the
services or by plain SQL; jobs added, moved, given a due date, archived, deleted, moved to another pipeline or account;
accounts merged; members starting or stopping to see an account; a field's type changed or the field deleted) the
board shows exactly the cards, in the same order, and the counts that a plain filter of the jobs gives, for the owner
and for an employee without "view all"; and the kept index and counts equal those made from scratch. The values the
cards show in their columns (read from the values each job and account keeps, `field_values`) are those a plain read of
the values gives, and the kept values equal those made from scratch."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlalchemy import delete, event, insert, text

from practice.db import get_engine, read_session, write_session
from practice.models import Account, AccountTeam, CustomField, CustomValue, Pipeline
from practice.services.automation import field_types
from practice.services.work import board, csv_import, custom_fields, field_views, jobs, merge, removal
from practice.services.work.custom_values import shown
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_job, make_pipeline

DATES = [None, dt.date(2027, 3, 15), dt.date(2027, 4, 15), dt.date(2027, 4, 15), dt.date(2027, 10, 15)]
CHOICES = {"kind": ["1040", "1065", "990"], "signed": ["yes", "no"], "status": ["Single", "MFJ"], "vip": ["yes", "no"],
           "note": ["call", "mail"]}


def a_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner="Olivia", employees={"bob": "Bob"})
        boss = staff["owner"]
        pipes = [make_pipeline(s, boss, name=n) for n in ("1040 Return", "Payroll")]
        define = custom_fields.define_field
        fields = {
            "kind": define(s, boss, entity="job", label="Return type", type="choice", options=CHOICES["kind"]).id,
            "signed": define(s, boss, entity="job", label="Signed", type="yesno").id,
            "status": define(s, boss, entity="account", label="Filing status", type="choice",
                             options=CHOICES["status"]).id,
            "vip": define(s, boss, entity="account", label="VIP", type="yesno").id,
            "note": define(s, boss, entity="job", label="Note", type="text").id,
            "fee": define(s, boss, entity="job", label="Fee", type="money").id,
            "email": define(s, boss, entity="contact", label="Other email", type="choice", options=["a"]).id,
        }
        return dict(**staff, pipes=[p.id for p in pipes], fields=fields,
                    stages={p.id: [x.id for x in stages_of(s, p.id)] for p in pipes})


pytestmark = [pytest.mark.firm(build=a_firm), pytest.mark.sqlite_only("the board index is kept by SQLite triggers")]

ENTRIES = "SELECT job_id, field_id, value, stage_id, due_date, account_id FROM boardfieldentry"
FRESH_ENTRIES = (
    "SELECT job.id, cv.field_id, cv.value, job.stage_id, job.due_date, job.account_id FROM customvalue cv "
    "JOIN customfield f ON f.id = cv.field_id AND f.type IN ('choice', 'yesno') JOIN job ON job.archived = 0 AND "
    "((f.entity = 'job' AND job.id = cv.item_id) OR (f.entity = 'account' AND job.account_id = cv.item_id))")
KEPT = {
    "fieldstagecount": "SELECT field_id, value, stage_id, n FROM fieldstagecount WHERE n <> 0",
    "accountfieldstagecount": "SELECT account_id, field_id, value, stage_id, n FROM accountfieldstagecount WHERE n <> 0",
    "memberfieldstagecount": "SELECT member_id, field_id, value, stage_id, n FROM memberfieldstagecount WHERE n <> 0",
}
_E = f"FROM ({FRESH_ENTRIES}) e"
FRESH = {
    "fieldstagecount": f"SELECT e.field_id, e.value, e.stage_id, count(*) {_E} GROUP BY 1, 2, 3",
    "accountfieldstagecount": f"SELECT e.account_id, e.field_id, e.value, e.stage_id, count(*) {_E} GROUP BY 1, 2, 3, 4",
    # What a member may see without "view all", by the rule of actor.account_visible.
    "memberfieldstagecount": f"SELECT m.id, e.field_id, e.value, e.stage_id, count(*) {_E} JOIN teammember m ON "
                             "EXISTS (SELECT 1 FROM accountteam t WHERE t.account_id = e.account_id AND t.member_id = m.id) "
                             "OR EXISTS (SELECT 1 FROM jobassignee a JOIN job j ON j.id = a.job_id "
                             "WHERE j.account_id = e.account_id AND a.member_id = m.id) GROUP BY 1, 2, 3, 4",
}


def assert_kept_agrees() -> None:
    with read_session() as s:
        assert sorted(map(tuple, s.execute(text(ENTRIES)))) == sorted(map(tuple, s.execute(text(FRESH_ENTRIES))))
        for table, sql in KEPT.items():
            assert sorted(map(tuple, s.execute(text(sql)))) == sorted(map(tuple, s.execute(text(FRESH[table])))), table


def assert_kept_values_agree() -> None:
    """Each job's and account's kept values are what its values in `customvalue` make (a contact's never count)."""
    with read_session() as s:
        for entity in ("job", "account"):
            fresh: dict[int, dict] = {}
            for item_id, field_id, value in s.execute(text(
                    "SELECT cv.item_id, cv.field_id, cv.value FROM customvalue cv JOIN customfield f ON "
                    f"f.id = cv.field_id AND f.entity = '{entity}' JOIN {entity} ON {entity}.id = cv.item_id")):
                fresh.setdefault(item_id, {})[str(field_id)] = value
            kept = {i: json.loads(v) for i, v in s.execute(text(
                f"SELECT id, field_values FROM {entity} WHERE field_values IS NOT NULL"))}
            assert kept == fresh, entity


def assert_columns_agree(firm, rnd: random.Random) -> None:
    """Every field of the jobs and their accounts shown as a column: each card shows (label, value as people read it)
    for each of those holding a value, as a plain read of the values gives, on the plain board and a filtered one."""
    for who in ("owner", "bob"):
        actor = firm[who]
        with read_session() as s:
            shown_ = [f for f in field_views.view_fields(s, actor, "board")]
            rnd.shuffle(shown_)
            fields = field_views.shown_fields(shown_)
            held = {(f, i): v for f, i, v in s.execute(text("SELECT field_id, item_id, value FROM customvalue"))}
            filters = [None] + [field_views.make_filter(s, actor, "board", field_id=f.id, value=rnd.choice(f.options))
                                for f in shown_ if f.type == "choice"][:1]
            for pipeline_id in firm["pipes"]:
                for flt in filters:
                    cards = [c for col in board.load_board(s, actor, pipeline_id, field_filter=flt, fields=fields)
                             for c in col.cards]
                    for card in cards:
                        want = [(field_views.view_label(f, "board"), shown(f.type, v)) for f in shown_
                                if (v := held.get((f.id, card.id if f.entity == "job" else card.account_id)))]
                        assert card.fields == want, (who, card.id, flt and flt.summary)


def expected_board(s, member_id: int | None, pipeline_id: int, field_id: int, entity: str, value: str,
                   stage_ids: list[int], page: int, assignee_id: int | None = None) -> list[tuple[int, int, list[int]]]:
    """Each stage's (id, count, first cards' ids) by a plain filter of the jobs in Python: the board's order is the
    due date (none first), then the id."""
    assigned = set(s.execute(text("SELECT job_id FROM jobassignee WHERE member_id = :m"), {"m": assignee_id}).scalars())
    held = dict(s.execute(text("SELECT item_id, value FROM customvalue WHERE field_id = :f"), {"f": field_id}).all())
    seen = None
    if member_id is not None:
        seen = set(s.execute(text(
            "SELECT account_id FROM accountteam WHERE member_id = :m UNION SELECT job.account_id FROM jobassignee "
            "JOIN job ON job.id = jobassignee.job_id WHERE jobassignee.member_id = :m"), {"m": member_id}).scalars())
    by_stage: dict[int, list] = {st: [] for st in stage_ids}
    for job_id, account_id, stage_id, due in s.execute(text(
            "SELECT id, account_id, stage_id, due_date FROM job WHERE pipeline_id = :p AND archived = 0"),
            {"p": pipeline_id}):
        if held.get(job_id if entity == "job" else account_id) != value or (seen is not None and account_id not in seen):
            continue
        if assignee_id is not None and job_id not in assigned:
            continue
        by_stage[stage_id].append((due is not None, due or "", job_id))
    return [(st, len(found), [j for *_, j in sorted(found)[:page]]) for st, found in by_stage.items()]


def assert_board_agrees(firm, rnd: random.Random) -> None:
    for who in ("owner", "bob"):
        actor = firm[who]
        member_id = None if who == "owner" else actor.member_id
        for pipeline_id in firm["pipes"]:
            stage_ids = firm["stages"][pipeline_id]
            for name, field_id in firm["fields"].items():
                with read_session() as s:
                    kept = s.get(CustomField, field_id)
                    if kept is None or kept.type not in ("choice", "yesno") or kept.entity == "contact":
                        continue
                    value = rnd.choice(kept.options if kept.type == "choice" else ["yes", "no"])
                    flt = field_views.make_filter(s, actor, "board", field_id=field_id, value=value)
                    page = rnd.choice([2, 3, 50])
                    columns = board.load_board(s, actor, pipeline_id, field_filter=flt,
                                               limits={st: page for st in stage_ids})
                    got = [(c.id, c.count, [card.id for card in c.cards]) for c in columns]
                    want = expected_board(s, member_id, pipeline_id, field_id, kept.entity, value, stage_ids, page)
                    assert got == want, (who, name, value)
                    # "Show more" reads the next cards of one column from the same index.
                    stage_id, count, _ = rnd.choice(want)
                    more = board.load_more(s, actor, pipeline_id, stage_id, page, field_filter=flt, limit=50)
                    rest = expected_board(s, member_id, pipeline_id, field_id, kept.entity, value, stage_ids, 10**6)
                    assert [c.id for c in more] == dict((st, ids) for st, _, ids in rest)[stage_id][page:page + 50]
                    # With the board's assignee filter too (counted over the jobs, the cards from the index).
                    bob = firm["bob"].member_id
                    columns = board.load_board(s, actor, pipeline_id, field_filter=flt, assignee_id=bob,
                                               limits={st: page for st in stage_ids})
                    assert [(c.id, c.count, [card.id for card in c.cards]) for c in columns] == expected_board(
                        s, member_id, pipeline_id, field_id, kept.entity, value, stage_ids, page, bob), (who, name)


def _pick(s, sql: str, rnd: random.Random, **params):
    found = list(s.execute(text(sql), params).scalars())
    return rnd.choice(found) if found else None


class Walk:
    """Random writes, as the app or a plain SQL statement makes them: each method is one (given a write session)."""

    def __init__(self, firm, rnd: random.Random):
        self.firm, self.rnd = firm, rnd
        self.boss, self.f, self.bob = firm["owner"], firm["fields"], firm["bob"].member_id

    def job(self, s, live: bool = False):
        return _pick(s, "SELECT id FROM job" + (" WHERE archived = 0" if live else ""), self.rnd)

    def account(self, s):
        return _pick(s, "SELECT id FROM account", self.rnd)

    def step(self):
        """One random write (a function of a session)."""
        return self.rnd.choices(
            [self.set_job_value, self.set_account_value, self.sql_value, self.new_job, self.move, self.move_many,
             self.due, self.archive, self.other_pipeline, self.delete_job, self.new_account, self.merge_two, self.team,
             self.assign, self.csv_import, self.set_fee, self.other_account, self.contact_value],
            weights=[6, 4, 2, 3, 3, 2, 3, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1])[0]

    def set_job_value(self, s):
        name = self.rnd.choice(["kind", "signed", "kind", "note"])
        if (j := self.job(s)) is not None and s.get(CustomField, self.f[name]) is not None:
            field = s.get(CustomField, self.f[name])
            options = field.options if field.type == "choice" else ["yes", "no"] if field.type == "yesno" else ["x"]
            custom_fields.set_value(s, self.boss, "job", j, self.f[name], self.rnd.choice([*options, ""]))

    def set_account_value(self, s):
        name = self.rnd.choice(["status", "vip"])
        if (a := self.account(s)) is not None and s.get(CustomField, self.f[name]) is not None:
            custom_fields.set_value(s, self.boss, "account", a, self.f[name], self.rnd.choice([*CHOICES[name], ""]))

    def set_fee(self, s):
        if (j := self.job(s)) is not None:
            custom_fields.set_value(s, self.boss, "job", j, self.f["fee"], self.rnd.choice(["1250", "99.5", ""]))

    def other_account(self, s):  # a job moved to another account by plain SQL: its card shows the new one's values
        if (j := self.job(s)) is not None and (a := self.account(s)) is not None:
            s.execute(text("UPDATE job SET account_id = :a WHERE id = :j"), {"a": a, "j": j})

    def contact_value(self, s):  # a contact's value under the same id as a job or account: never on a card
        if s.get(CustomField, self.f["email"]) is not None and (j := self.job(s)) is not None:
            s.execute(text("INSERT OR REPLACE INTO customvalue (field_id, item_id, value) VALUES (:f, :i, 'a')"),
                      {"f": self.f["email"], "i": j})

    def sql_value(self, s):  # a value changed, moved to another item, or removed by plain SQL
        row = s.execute(text("SELECT field_id, item_id FROM customvalue WHERE field_id IN (:a, :b, :c, :d)"),
                        {"a": self.f["kind"], "b": self.f["status"], "c": self.f["signed"], "d": self.f["vip"]}).all()
        if not row:
            return
        field_id, item_id = self.rnd.choice(row)
        what = self.rnd.choice(["value", "item", "delete"])
        if what == "value":
            options = {v for vals in CHOICES.values() for v in vals}
            s.execute(text("UPDATE customvalue SET value = :v WHERE field_id = :f AND item_id = :i"),
                      {"v": self.rnd.choice(sorted(options)), "f": field_id, "i": item_id})
        elif what == "item":
            table = "job" if field_id in (self.f["kind"], self.f["signed"]) else "account"
            other = _pick(s, f"SELECT id FROM {table} WHERE id NOT IN (SELECT item_id FROM customvalue "
                             "WHERE field_id = :f)", self.rnd, f=field_id)
            if other is not None:
                s.execute(text("UPDATE customvalue SET item_id = :o WHERE field_id = :f AND item_id = :i"),
                          {"o": other, "f": field_id, "i": item_id})
        else:
            s.execute(delete(CustomValue).where(CustomValue.field_id == field_id, CustomValue.item_id == item_id))

    def new_job(self, s):
        pipeline_id = self.rnd.choice(self.firm["pipes"])
        if (a := self.account(s)) is not None:
            make_job(s, self.boss, account=s.get(Account, a), pipeline=s.get(Pipeline, pipeline_id),
                     stage_id=self.rnd.choice(self.firm["stages"][pipeline_id]), due_date=self.rnd.choice(DATES),
                     assignee_ids=[self.bob] if self.rnd.random() < 0.2 else [])

    def move(self, s):
        if (j := self.job(s, live=True)) is not None:
            pipeline_id = s.execute(text("SELECT pipeline_id FROM job WHERE id = :j"), {"j": j}).scalar()
            jobs.move_job(s, self.boss, j, self.rnd.choice(self.firm["stages"][pipeline_id]))

    def move_many(self, s):
        pipeline_id = self.rnd.choice(self.firm["pipes"])
        ids = list(s.execute(text("SELECT id FROM job WHERE pipeline_id = :p AND archived = 0"),
                             {"p": pipeline_id}).scalars())
        if ids:
            jobs.move_jobs(s, self.boss, self.rnd.sample(ids, min(len(ids), self.rnd.randint(1, 4))),
                           self.rnd.choice(self.firm["stages"][pipeline_id]))

    def due(self, s):
        if (j := self.job(s, live=True)) is not None:
            jobs.update_job(s, self.boss, j, due_date=self.rnd.choice(DATES))

    def archive(self, s):
        if (j := self.job(s)) is not None:
            archived = s.execute(text("SELECT archived FROM job WHERE id = :j"), {"j": j}).scalar()
            jobs.archive_job(s, self.boss, j, not archived)

    def other_pipeline(self, s):  # no page does it; a plain SQL update must keep the index right too
        if (j := self.job(s)) is not None:
            pipeline_id = self.rnd.choice(self.firm["pipes"])
            s.execute(text("UPDATE job SET pipeline_id = :p, stage_id = :s WHERE id = :j"),
                      {"p": pipeline_id, "s": self.rnd.choice(self.firm["stages"][pipeline_id]), "j": j})

    def delete_job(self, s):
        if (j := self.job(s)) is not None:
            removal.delete_job(s, self.boss, j)

    def new_account(self, s):
        make_account(s, self.boss)

    def merge_two(self, s):
        ids = list(s.execute(text("SELECT id FROM account")).scalars())
        if len(ids) > 3:
            keep, drop = self.rnd.sample(ids, 2)
            merge.merge_accounts(s, self.boss, keep, drop)

    def team(self, s):
        if (a := self.account(s)) is not None:
            if s.get(AccountTeam, (a, self.bob)) is None:
                s.add(AccountTeam(account_id=a, member_id=self.bob))
            else:
                s.delete(s.get(AccountTeam, (a, self.bob)))

    def csv_import(self, s):  # a file fills an existing account's empty Filing status (and adds a new account)
        name = _pick(s, "SELECT name FROM account WHERE id NOT IN (SELECT item_id FROM customvalue WHERE field_id = :f)",
                     self.rnd, f=self.f["status"])
        if name is not None:
            status = self.rnd.choice(CHOICES["status"])
            data = f"Account name,Filing status\n{name},{status}\nNew {self.rnd.random()},{status}\n".encode()
            result = csv_import.import_rows(s, self.boss, data, answers={"2:account": "join"})
            assert result.custom_values == 2, result

    def assign(self, s):
        if (j := self.job(s, live=True)) is not None:
            jobs.assign_job(s, self.boss, j, self.rnd.choice([[], [self.bob]]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_filtered_board_shows_what_a_plain_filter_shows_after_random_writes(firm, seed):
    rnd = random.Random(seed)
    boss, f = firm["owner"], firm["fields"]
    with write_session() as s:
        accounts = [make_account(s, boss) for _ in range(6)]
        for _ in range(30):
            pipeline_id = rnd.choice(firm["pipes"])
            job = make_job(s, boss, account=rnd.choice(accounts), pipeline=s.get(Pipeline, pipeline_id),
                           stage_id=rnd.choice(firm["stages"][pipeline_id]), due_date=rnd.choice(DATES))
            custom_fields.set_value(s, boss, "job", job.id, f["kind"], rnd.choice(CHOICES["kind"]))
        for a in accounts:
            custom_fields.set_value(s, boss, "account", a.id, f["status"], rnd.choice(CHOICES["status"]))
    assert_kept_agrees()
    assert_kept_values_agree()
    assert_board_agrees(firm, rnd)
    assert_columns_agree(firm, rnd)
    walk = Walk(firm, rnd)
    for n in range(50):
        step = walk.step()
        if n == 25:  # a text field becomes a list: its values now filter and count
            def step(s):
                field_types.change_type(s, boss, f["note"], "choice", CHOICES["note"] + ["x"])
        elif n == 40:  # and a filtered field goes
            def step(s):
                custom_fields.delete_field(s, boss, f["vip"])
        elif n == 45:  # the contact field goes (with its values), and a new account field may take its id
            def step(s):
                custom_fields.delete_field(s, boss, f["email"])
                f["vip"] = custom_fields.define_field(s, boss, entity="account", label="Region", type="choice",
                                                      options=CHOICES["vip"]).id
        with write_session() as s:
            step(s)
        assert_kept_agrees()
        assert_kept_values_agree()
        assert_board_agrees(firm, rnd)
        assert_columns_agree(firm, rnd)


def steps_and_plans(load) -> tuple[int, list[list[str]]]:
    """The SQLite virtual-machine steps (hundreds) of one load and the plans of the statements it sends."""
    sent, steps = [], [0]

    def keep(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            sent.append((statement, parameters))

    def step() -> int:
        steps[0] += 1
        return 0

    event.listen(get_engine(), "before_cursor_execute", keep)
    try:
        with read_session() as s:
            raw = s.connection().connection.dbapi_connection
            raw.set_progress_handler(step, 100)
            try:
                load(s)
            finally:
                raw.set_progress_handler(None, 0)
    finally:
        event.remove(get_engine(), "before_cursor_execute", keep)
    with read_session() as s:
        raw = s.connection().connection.dbapi_connection
        return steps[0], [[row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)] for sql, params in sent]


@pytest.mark.parametrize("who", ["owner", "bob"])
def test_a_filtered_board_reads_about_what_the_plain_board_reads(firm, who):
    """4,000 generated jobs, a job field and an account field on every job and account (a quarter of each holding the
    value filtered by): the filtered board seeks the index per value for each stage's first 50 cards, with or without
    the planner's statistics, and does about the plain board's work (not four jobs walked per card shown). The demo
    generator's bulk load rebuilds the index from scratch."""
    from practice.services import demo

    f = firm["fields"]
    rnd = random.Random(5)
    with write_session() as s:
        pipeline_id = demo.generate_large(s, n_accounts=400, n_jobs=4000, pipeline_name="Generated")
        conn = s.connection()
        conn.execute(insert(CustomValue), [{"field_id": f["kind"], "item_id": j, "value": rnd.choice(["1040", "1065", "990", "x"])}
                                           for j in conn.execute(text("SELECT id FROM job")).scalars()] + [
            {"field_id": f["status"], "item_id": a, "value": rnd.choice(["Single", "MFJ", "MFJ", "Single", "x", "y"])}
            for a in conn.execute(text("SELECT id FROM account")).scalars()])
    assert_kept_agrees()
    with write_session() as s:  # another bulk load: the index and counts made again from the data
        demo.generate_large(s, n_accounts=10, n_jobs=100, pipeline_name="Second")
    assert_kept_agrees()
    actor = firm[who]
    with read_session() as s:
        filters = [field_views.make_filter(s, actor, "board", field_id=f["kind"], value="1040"),
                   field_views.make_filter(s, actor, "board", field_id=f["status"], value="MFJ")]
    plain, plain_plans = steps_and_plans(lambda s: board.load_board(s, actor, pipeline_id))
    for flt in filters:
        def load(s, flt=flt):
            return board.load_board(s, actor, pipeline_id, field_filter=flt)
        with write_session() as s:
            s.connection().exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        steps, without = steps_and_plans(load)
        with write_session() as s:
            s.connection().exec_driver_sql("ANALYZE")
        _, with_ = steps_and_plans(load)
        assert with_ == without and len(without) == 3
        cards = "\n".join(without[2])
        assert "ix_boardfieldentry_board (field_id=? AND value=? AND stage_id=?)" in cards and "TEMP B-TREE" not in cards
        assert steps < plain * 1.15, (flt.label, steps, plain)
        with read_session() as s:
            shown = board.load_board(s, actor, pipeline_id, field_filter=flt)
        assert all(len(c.cards) == 50 for c in shown) and len(shown) == 10
