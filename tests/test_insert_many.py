"""`db.insert_many`: the rows it writes read back exactly as SQLAlchemy's own insert writes them, and the
ids it gives back are the rows' own, in order."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from practice import db
from practice.models import AuditLog, Event, EventStatus


def _rows(n: int) -> list[dict]:
    now = dt.datetime(2027, 4, 15, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    shared = {"pipeline": "1040 Return", "depth": 1}
    return [{"kind": f"kind {i}", "job_id": i if i % 3 else None, "account_id": 7, "actor_id": None,
             "payload": shared if i % 2 else {"n": i, "when": "later"},
             "status": (EventStatus.pending, EventStatus.handled)[i % 2],
             "created_at": now + dt.timedelta(minutes=i), "handled_at": now if i % 2 else None}
            for i in range(n)]


def _stored(conn, table: str, ids: list[int]) -> list[tuple]:
    got = {row[0]: row[1:] for row in conn.exec_driver_sql(f"SELECT * FROM {table}")}  # noqa: S608
    return [got[i] for i in ids]


def test_rows_read_back_as_sqlalchemys_insert_writes_them_with_their_ids_in_order(fresh_db):
    with db.get_engine().begin() as conn:
        conn.execute(insert(Event.__table__), _rows(40))  # the reference: ids 1..40
        ids = db.insert_many(conn, Event.__table__, _rows(40), ids=True)
        assert ids == list(range(41, 81))
        assert _stored(conn, "event", ids) == _stored(conn, "event", list(range(1, 41)))
        # Columns left out take their defaults (status pending, attempts 0), as with SQLAlchemy's insert.
        short = [{"kind": "short", "payload": {}, "created_at": dt.datetime.now(dt.timezone.utc)}] * 3
        conn.execute(insert(Event.__table__), short)
        assert db.insert_many(conn, Event.__table__, short, ids=True) == [84, 85, 86]
        assert _stored(conn, "event", [84, 85, 86]) == _stored(conn, "event", [81, 82, 83])
        assert db.insert_many(conn, AuditLog.__table__, []) == []
        at = dt.datetime.now(dt.timezone.utc)
        db.insert_many(conn, AuditLog.__table__, [{"at": at, "action": "create", "entity": "job", "detail": {}}] * 2)
        assert conn.execute(text("SELECT count(*) FROM auditlog")).scalar() == 2



def test_rows_of_different_keys_are_written_as_sqlalchemys_insert_writes_them(fresh_db):
    at = dt.datetime.now(dt.timezone.utc)
    rows = [{"kind": "a", "payload": {}, "created_at": at}, {"kind": "b", "payload": {}, "created_at": at, "job_id": 5}]
    with db.get_engine().begin() as conn:
        conn.execute(insert(Event.__table__), rows)
        assert db.insert_many(conn, Event.__table__, rows, ids=True) == [3, 4]
        assert _stored(conn, "event", [3, 4]) == _stored(conn, "event", [1, 2])
