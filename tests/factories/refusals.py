"""A database that refuses one kind of write, as a broken or tampered database can: a trigger (SQLite's, or a
PostgreSQL function raising an exception) that aborts the insert of a task with a given title. The automations that create such a task fail for real (nothing is
mocked), and dropping the trigger is the fix."""
from __future__ import annotations

import contextlib
import re
from typing import Iterator

from sqlalchemy import text

from practice.db import write_session

REFUSAL = "the database refuses this task"


def refuse_tasks_titled(title: str) -> None:
    """From now on, inserting a task titled `title` fails with REFUSAL."""
    name = _trigger(title)
    quoted = title.replace("'", "''")
    with write_session() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                           f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"))
            s.execute(text(f"CREATE OR REPLACE TRIGGER {name} BEFORE INSERT ON task FOR EACH ROW "
                           f"WHEN (NEW.title = '{quoted}') EXECUTE FUNCTION {name}()"))
            return
        s.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE INSERT ON task WHEN NEW.title = '{quoted}' "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"))


def accept_tasks_titled(title: str) -> None:
    """The fix: tasks titled `title` can be written again."""
    with write_session() as s:
        on_task = " ON task" if s.get_bind().dialect.name == "postgresql" else ""
        s.execute(text(f"DROP TRIGGER IF EXISTS {_trigger(title)}{on_task}"))


@contextlib.contextmanager
def tasks_refused(title: str) -> Iterator[None]:
    refuse_tasks_titled(title)
    try:
        yield
    finally:
        accept_tasks_titled(title)


def _trigger(title: str) -> str:
    return "refuse_task_" + re.sub(r"\W", "_", title.lower())[:40]
