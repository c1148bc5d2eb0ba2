"""The app's connections to PostgreSQL: the JIT compiler off (it can spend seconds compiling a list's statement
that runs in milliseconds), and writers taking the one write lock in turn, as on SQLite."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from practice import db


def test_the_apps_connections_run_without_the_jit_compiler(any_postgres):
    any_postgres.sql("CREATE DATABASE engine_settings")
    engine = db.make_engine(any_postgres.url("engine_settings"))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()
        any_postgres.sql("DROP DATABASE engine_settings WITH (FORCE)")


def test_writers_take_the_write_lock_in_turn_readers_never_wait(any_postgres):
    any_postgres.sql("CREATE DATABASE engine_lock")
    engine = db.make_engine(any_postgres.url("engine_lock"))
    try:
        first_in, order = threading.Event(), []

        def writer(name: str, hold: float):
            with engine.connect().execution_options(practice_write=True) as conn, conn.begin():
                order.append(f"{name} in")
                first_in.set()
                time.sleep(hold)
                order.append(f"{name} out")

        first = threading.Thread(target=writer, args=("first", 1.0))
        first.start()
        first_in.wait(10)
        with engine.connect() as conn:  # a reader meanwhile is not held up
            assert conn.execute(text("SELECT 1")).scalar() == 1
        second = threading.Thread(target=writer, args=("second", 0))
        second.start()
        first.join(20)
        second.join(20)
        assert order == ["first in", "first out", "second in", "second out"]
    finally:
        engine.dispose()
        any_postgres.sql("DROP DATABASE engine_lock WITH (FORCE)")
