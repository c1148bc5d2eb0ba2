"""Each PostgreSQL test's database is one an earlier test used, emptied (tests/postgres.py's DatabasePool): what a
test wrote, the ids it took and a schema it changed must never reach the next test, nor may a connection it left."""
from __future__ import annotations

import psycopg
import pytest
from sqlmodel import SQLModel

from practice import db
from tests.factories import make_account, make_firm
from tests.postgres import DatabasePool

TEMPLATE = "pool_template"


@pytest.fixture
def pool(any_postgres):
    any_postgres.sql(f"CREATE DATABASE {TEMPLATE}")
    engine = db.make_engine(any_postgres.url(TEMPLATE))
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    made = DatabasePool(any_postgres, TEMPLATE)
    yield made
    for name in [*made.ready, TEMPLATE]:
        any_postgres.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _write_a_firm(url: str, monkeypatch) -> int:
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        with db.write_session() as s:
            owner = make_firm(s)["owner"]
            return make_account(s, owner, name="Hartley Household").id
    finally:
        db.get_engine().dispose()


def _rows(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_next_test_gets_no_row_and_the_same_ids_as_a_fresh_copy(pool, monkeypatch):
    first = pool.take("pool_first")
    first_id = _write_a_firm(first, monkeypatch)
    assert _rows(first, "account") == 1
    pool.give_back("pool_first")
    assert len(pool.ready) == 1
    second = pool.take("pool_second")
    assert not pool.ready  # the same database, under the next test's name
    assert _rows(second, "account") == 0 and _rows(second, "teammember") == 0
    assert _write_a_firm(second, monkeypatch) == first_id  # ids start again where a fresh copy's do
    pool.give_back("pool_second")


def test_a_connection_a_test_left_open_is_ended_and_cannot_reach_the_next_tests_database(pool):
    url = pool.take("pool_left")
    left = psycopg.connect(url, autocommit=True)
    left.execute("SELECT 1")
    pool.give_back("pool_left")
    with pytest.raises(psycopg.OperationalError):
        left.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url).close()  # its old name is gone
    pool.take("pool_next")
    pool.give_back("pool_next")


def test_a_database_whose_schema_a_test_changed_is_dropped_not_reused(pool, any_postgres):
    url = pool.take("pool_changed")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE INDEX account_name_lower ON account (lower(name))")
    pool.give_back("pool_changed")
    assert not pool.ready
    with psycopg.connect(any_postgres.url("postgres")) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'pool_changed'").fetchone()[0] == 0
