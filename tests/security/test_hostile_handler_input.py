"""Every event handler of the app, called by a visitor it lets in with what a hostile browser can send (non-numeric
ids, huge numbers, wrong types, missing and extra arguments, forms with missing keys or nested values): no
exception escapes, and input of the wrong shape changes nothing in the database."""
from __future__ import annotations

import inspect
import sqlite3
import typing

import psycopg
import pytest
from practice.state import base
from practice.state.base import AppState
from practice.state.portal import PortalState
from tests.security.test_authorization_matrix import CONTACT_AB, OWNER_, outcome, two_accounts_with_everything
from tests.security.test_state_surface import app_states

pytestmark = [pytest.mark.security, pytest.mark.slow, pytest.mark.firm(build=lambda monkeypatch: two_accounts_with_everything())]

HUGE = 10 ** 40


class EveryKey(dict):
    """A submitted form whose every field the handler reads holds `value` (a form has whatever fields a hostile
    browser puts in it)."""

    def __init__(self, value):
        super().__init__(name=value, id=value)
        self.value = value

    def __missing__(self, key):
        return self.value

    def get(self, key, default=None):
        return self.value


# Values of the wrong shape for an annotation: refused, nothing changes.
MALFORMED = {
    int: ["abc", "9" * 40, HUGE, -HUGE, 1.5, None, {}, [1], True],
    float: ["abc", None, {}, [1]],
    str: [{}, [], {"a": 1}, [1, 2]],
    bool: [{}, [1]],
    dict: ["abc", None, 5, []],
    list: ["abc", None, 5, {}, [{"x": [1]}]],
}
# Values of the right shape but junk content: answered with a sentence (or ignored), never an exception.
JUNK = {
    int: [0, 2 ** 63 - 1, "12"],
    float: [-1.0, 1e300],
    str: ["", "abc", "9" * 40, "doc-abc", "x" * 20_000, "../../etc/passwd"],
    bool: [True],
    dict: [{}, EveryKey("abc"), EveryKey("9" * 40), EveryKey({"x": [1]}), EveryKey(None), EveryKey(HUGE)],
    list: [[], ["abc"], [{}]],
}


def _kind(hint) -> type | None:
    """The shape an annotation asks for (int, float, str, bool, dict, list), or None when it asks for none."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kinds = {_kind(a) for a in typing.get_args(hint) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    hint = origin or hint
    return hint if hint in MALFORMED else (list if hint in (tuple, set) else None)


def _params(fn) -> list[tuple[str, type | None]]:
    original = inspect.unwrap(fn)
    hints = typing.get_type_hints(original)
    return [(name, _kind(hints.get(name))) for name in list(inspect.signature(original).parameters)[1:]]


class Commits:
    """Whether anything was written: SQLite's data_version, read on a connection of its own, moves with every
    commit another connection makes (the app's writes). On PostgreSQL every transaction that writes gets an id:
    anything committed since `version()` is one of the ids given out since, with the status "committed" (a write
    that failed and rolled back has an id too, and is not counted)."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            self.connection = psycopg.connect(url, autocommit=True)
        else:
            self.connection = sqlite3.connect(url.removeprefix("sqlite:///"))

    def version(self) -> int:
        if self.postgres:
            return int(self.connection.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
                       .fetchone()[0])
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def committed_since(self, before: int) -> bool:
        if not self.postgres:
            return self.version() != before
        return bool(self.connection.execute(
            "SELECT count(*) FROM generate_series(%s::bigint, %s::bigint - 1) AS x "
            "WHERE pg_xact_status(x::text::xid8) = 'committed'", (before, self.version())).fetchone()[0])


def _calls(params) -> list[tuple[tuple, dict, bool]]:
    """(args, kwargs, malformed) for one handler: each parameter in turn gets each hostile value while the others
    keep a plain one, then a missing argument and an unknown one."""
    plain = [JUNK[k][0] if k else "" for _, k in params]
    calls = []
    for i, (_, kind) in enumerate(params):
        for malformed, table in ((True, MALFORMED), (False, JUNK)):
            for value in table.get(kind, MALFORMED[str]):
                args = list(plain)
                args[i] = value
                calls.append((tuple(args), {}, malformed))
    calls.append(((), {"no_such_argument": 1}, True))
    if params:
        calls.append((tuple(plain[:-1]), {}, False))  # the last argument left out
    return calls


def _log_in(cls, firm, monkeypatch) -> None:
    """Staff states see the owner, portal states a contact of both accounts (as `allow` finds them)."""
    actor = firm["actor"][CONTACT_AB if issubclass(cls, PortalState) else OWNER_]
    monkeypatch.setattr(cls, "_actor", lambda self: actor)
    if issubclass(cls, AppState):
        monkeypatch.setattr(cls, "_access", lambda self: (actor, False))


def _call(fn, cls, args, kwargs, escaped: list) -> None:
    try:
        outcome(lambda state: fn(state, *args, **kwargs), cls())
    except LookupError as err:
        if "EventContext" not in str(err):  # reaching another state needs Reflex's event loop, absent here
            escaped.append(f"{cls.__name__}.{fn.__name__}{args!r:.80}: LookupError: {err!s:.120}")
    except Exception as err:  # noqa: BLE001 - what the test looks for
        escaped.append(f"{cls.__name__}.{fn.__name__}{args!r:.80}{kwargs or ''}: {type(err).__name__}: {err!s:.120}")


def test_every_handler_refuses_hostile_input_with_a_sentence(firm, fresh_db, monkeypatch):
    escaped, changed, commits = [], [], Commits(fresh_db)
    monkeypatch.setattr(base, "_record_denial", lambda actor, handler: None)
    for cls in app_states():
        if cls is base.LangState:  # the tab's language only: no handler, behind neither login
            continue
        _log_in(cls, firm, monkeypatch)
        for name, handler in sorted(cls.event_handlers.items()):
            if name.startswith("_") or name == "setvar" or handler.is_background:
                continue
            calls = _calls(_params(handler.fn))
            before = commits.version()
            for args, kwargs, _ in [c for c in calls if c[2]]:
                _call(handler.fn, cls, args, kwargs, escaped)
            if commits.committed_since(before):
                changed.append(f"{cls.__name__}.{name}")
            for args, kwargs, _ in [c for c in calls if not c[2]]:
                _call(handler.fn, cls, args, kwargs, escaped)
    assert not escaped, f"{len(escaped)} exceptions escaped:\n" + "\n".join(escaped[:80])
    assert not changed, "malformed input changed data: " + ", ".join(changed)
