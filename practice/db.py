"""The database engine and the two kinds of session: reading, and writing in one immediate transaction.

SQLite is tuned the way the house rules say: WAL, synchronous=FULL, a busy timeout, and every
write transaction opened with BEGIN IMMEDIATE, so two processes doing read-then-write never lose
an update and never see "database is locked" (the default deferred BEGIN upgrades its lock too
late to wait for it).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from practice.config import database_url

BUSY_TIMEOUT_MS = 30_000


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's begin event, not the driver, decide when transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
        # SQLite's own lower() folds ASCII only: "MÜLLER" would not find "Müller". Searches and name
        # matching use lower() on both sides, so Python's full Unicode folding replaces it here.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get("practice_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


# PostgreSQL: every write transaction first takes this transaction-scoped advisory lock, so writers follow one
# another as they do on SQLite (BEGIN IMMEDIATE) and the read-then-write code (numbering, unique names, claims)
# keeps its guarantees; readers are never blocked. The number spells "practice".
WRITE_LOCK_KEY = 0x7072616374696365


def _tune_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("practice_write"):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get the pragmas and immediate write transactions, PostgreSQL the
    write lock."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3, the driver the project installs
    # PostgreSQL's JIT compiler is for long analytical queries: it starts on the planner's cost estimate, and a
    # list's statement over 50,000 jobs can be estimated past it and spend seconds compiling a query that runs in
    # tens of milliseconds (docs/benchmarks.md, "The employee's board and lists on PostgreSQL"). Off for the app.
    postgres = url.startswith("postgresql+psycopg://")
    engine = create_engine(url, pool_pre_ping=True, **({"connect_args": {"options": "-c jit=off"}} if postgres else {}))
    if engine.dialect.name == "postgresql":
        _tune_postgresql(engine)
    return engine


@lru_cache(maxsize=None)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured DATABASE_URL."""
    return _engine_for(database_url())


def reset_engine() -> None:
    """Forget cached engines (tests switch databases between modules)."""
    for engine in list(_engine_cache_values()):
        engine.dispose()
    _engine_for.cache_clear()


def _engine_cache_values():
    # lru_cache keeps no public iterator; keep it simple and dispose the current one only.
    try:
        yield get_engine()
    except Exception:  # pragma: no cover - nothing to dispose
        return


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reading; nothing it does is committed."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session() -> Iterator[Session]:
    """A session whose transaction takes the write lock at once and commits on success."""
    engine = get_engine().execution_options(practice_write=True)
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def rehearsal_session() -> Iterator[Session]:
    """A write transaction that is always rolled back: to find out what a piece of work would need (the worker
    rehearses a batch to collect the templates it must fill in before it holds the write lock for real)."""
    engine = get_engine().execution_options(practice_write=True)
    with Session(engine, expire_on_commit=False) as session:
        session.begin()
        try:
            yield session
        finally:
            session.rollback()


def driver_connection(session: Session):
    """The driver's own connection under the session's current transaction when the database is SQLite (a
    `sqlite3.Connection`), else None. For the worker's hot path: plain SQL with no statement building and no type
    processing, so its callers convert values exactly as the models store them (`practice.models.stored_moment`)."""
    transaction = session.get_transaction()
    held = session.info.get("practice_driver")
    if held is not None and held[0] is transaction:
        return held[1]
    connection = session.connection()
    driver = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
    session.info["practice_driver"] = (transaction, driver)
    return driver


# Rows ANALYZE reads per index: the planner's statistics stay close enough while the run stays in
# milliseconds on any size (a full ANALYZE of 200,000 jobs takes a quarter of a second).
ANALYSIS_LIMIT = 1000


def refresh_statistics(connection=None) -> None:
    """Give the query planner current statistics (SQLite's ANALYZE), after the data changed in bulk.

    Runs on `connection` (inside its transaction) or on a connection of its own."""
    if connection is None:
        with get_engine().begin() as conn:
            refresh_statistics(conn)
        return
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")


def optimize() -> None:
    """SQLite's periodic upkeep (`PRAGMA optimize`): analyses again only the tables whose statistics went stale."""
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("PRAGMA optimize")


def insert_many(conn: Connection, table: Table, rows: list[dict], *, ids: bool = False) -> list[int]:
    """Insert `rows` (dicts with the same keys) into `table` in one executemany; with `ids`, give back
    their new ids in the rows' order.

    For thousands of rows (a schedule's jobs, an import) on SQLite, two costs of SQLAlchemy's own
    insert are avoided. It cannot batch `INSERT ... RETURNING` when the ids must come back in order,
    and then sends one INSERT per row; but inside a write transaction nobody else inserts, and SQLite
    numbers new rows above the largest id in the order they are inserted, so the new ids are read
    back in one query. And it converts every value of every row (a datetime to text, a dict to JSON)
    although most rows repeat the same moment or the same JSON: here each object is converted once,
    by the column type's own converter, so the stored text is the same. Other databases (whose
    RETURNING SQLAlchemy batches in order), and rows of different lengths, take SQLAlchemy's insert."""
    if not rows:
        return []
    width = len(rows[0])
    if conn.dialect.name != "sqlite" or any(len(row) != width for row in rows):  # rows of different keys too
        return _sqlalchemy_insert(conn, table, rows, ids)
    if not ids:
        _sqlite_executemany(conn, table, rows)
        return []
    before = conn.execute(select(func.max(table.c.id))).scalar() or 0
    _sqlite_executemany(conn, table, rows)
    new_ids = list(conn.execute(select(table.c.id).where(table.c.id > before).order_by(table.c.id)).scalars())
    if len(new_ids) != len(rows):  # only if ids ran out (SQLite then picks them at random) or a trigger inserted
        raise RuntimeError(f"inserted {len(rows)} rows into {table.name} but found {len(new_ids)} new ids")
    return new_ids


def _sqlalchemy_insert(conn: Connection, table: Table, rows: list[dict], ids: bool) -> list[int]:
    if not ids:
        conn.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in conn.execute(statement, rows)]


def _sqlite_executemany(conn: Connection, table: Table, rows: list[dict]) -> None:
    keys = list(rows[0])
    defaults = [c for c in table.c if c.key not in rows[0] and c.default is not None]
    # A default computed per row goes through SQLAlchemy's insert; one that is the same for every row of an insert
    # (the moment, for `updated_at`) is computed once.
    if any(not c.default.is_scalar and not c.info.get("one_value_per_insert") for c in defaults):
        conn.execute(insert(table), rows)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys + [c.key for c in defaults])
    fixed = {c.key: c.default.arg if c.default.is_scalar else c.default.arg(None) for c in defaults}
    params = []
    for key in compiled.positiontup:
        convert = table.c[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if key in fixed:
            value = fixed[key]
            params.append([convert(value) if convert else value] * len(rows))
        elif convert is None:
            params.append([row[key] for row in rows])
        else:
            params.append(_converted([row[key] for row in rows], convert))
    conn.exec_driver_sql(compiled.string, list(zip(*params, strict=True)))


def _converted(values: list, convert) -> list:
    """`convert` applied to each value, once per object: rows repeat the same objects (one moment, one
    enum member, one shared dict), and the rows keep every value alive meanwhile, so ids are safe keys."""
    seen: dict = {}
    out = []
    for value in values:
        done = seen.get(id(value), seen)
        if done is seen:
            done = seen[id(value)] = convert(value)
        out.append(done)
    return out
