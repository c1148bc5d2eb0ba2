"""The base of every page state: who is logged in, the one decorator that says who may call a handler, and the
sidebar's unread badge that every staff page starts.

Any public method of a Reflex state can be called by any browser with any arguments, so every
public event handler is wrapped by `allow(...)`; `tests/security` fails if one is not. `allow` resolves
the caller once per event (handlers read it with `_require()`), and turns a `PracticeError` a service
raises into the person's sentence: a toast, or, inside `shown_in(state, var)`, the page's inline message.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import json
import logging
import time
from typing import Any, Callable, Iterator

import reflex as rx
from reflex_base.registry import RegistrationContext
from starlette.requests import cookie_parser

from practice import config, i18n, routes
from practice.i18n import _, lazy
from practice.db import read_session, write_session
from practice.services import audit, firm, inbox
from practice.services.access import auth, device_cookies, session_handoff, team, two_factor
from practice.services.billing import time as time_entries
from practice.services.chats import threads as chat_threads
from practice.services.formatting import format_time
from practice.services.actor import Actor, ContactActor
from practice.services.errors import PermissionDenied, PracticeError, disk_problem
from practice.state import handler_args, page_access
from practice.state.page_access import ADMIN, ANYONE, CONTACT, LEVELS, OWNER, STAFF  # noqa: F401 - re-exported

# The levels `allow` takes live beside the pages' table (page_access.py); portal states' `_actor` gives a
# ContactActor, which only CONTACT lets in.


def _permits(level: str, actor: Actor | ContactActor | None) -> bool:
    if level == ANYONE:
        return True
    if level == CONTACT:
        return isinstance(actor, ContactActor)
    # Staff levels need a staff member: a portal contact never passes them.
    if not isinstance(actor, Actor):
        return False
    if level == STAFF:
        return True
    if level == ADMIN:
        return actor.is_admin
    return actor.role == "owner"


def login_sentence(state) -> str:
    """Why a visitor is sent to log in: their session ended, or they never logged in in this browser."""
    session_id = getattr(state, "_session_id", None)
    had_session = bool(session_id and session_id())
    return _("Your session has ended. Log in again.") if had_session else _("Log in to continue.")


def client_address(state) -> str:
    """The visitor's address: who connected, or what a trusted proxy says it saw (`PRACTICE_TRUSTED_PROXIES`)."""
    forwarded = state.router.headers.raw_headers.get("x-forwarded-for", "")
    return config.client_address(str(state.router.session.client_ip or ""), forwarded)[:64]


def request_cookie(state, name: str) -> str:
    """A cookie the browser sent when this tab connected, HttpOnly ones included (scripts cannot read those; the
    server reads them from the websocket's handshake). Up to 4 KB: the device cookie holds several signed entries."""
    return cookie_parser(str(state.router.headers.cookie or "")).get(name, "")[:4096]


def remember_device(principal: str) -> rx.event.EventSpec:
    """After a login: the page trades a fresh one-time grant for this browser's HttpOnly device cookie (see
    services/access/device_cookies.py), so attacks on the login page never lock this browser out."""
    # keepalive: the request still completes when the page goes on to a full page load right after.
    request = json.dumps({"method": "POST", "body": device_cookies.grant(principal), "credentials": "same-origin",
                          "headers": {"Content-Type": "text/plain"}, "keepalive": True})
    return rx.call_script(f"fetch({json.dumps(routes.REMEMBER_DEVICE)}, {request})")


def full_page_load(path: str):
    """Send the browser to one of the backend's own routes (a page load, so its cookies take effect)."""
    return rx.call_script(f"window.location.assign({json.dumps(path)})")


def start_browser_session(kind: str, sid: str, next_path: str):
    """After a login: the browser trades a one-time token for its HttpOnly session cookie at the backend, then
    opens `next_path` (`session_routes.start_session`); the session id itself never reaches the page."""
    token = run(session_handoff.hand_off, kind, sid, next_path)
    return full_page_load(f"{routes.SESSION_START}?token={token}")


# The caller `allow` resolved for the event being handled: (the state handling it, its actor).
_EVENT_ACTOR: contextvars.ContextVar[tuple[object, Any] | None] = contextvars.ContextVar("event_actor", default=None)


def language_of(state, actor) -> str:
    """The language to serve this caller in: the logged-in person's (theirs or the firm's default), else the one
    this tab shows (a visitor's, the firm's default from the page's load)."""
    return i18n.supported(getattr(actor, "language", "")) or i18n.supported(getattr(state, "lang", ""))


@contextlib.contextmanager
def _acting(state, actor) -> Iterator[None]:
    """While a handler's code runs, `_require()` on its state answers `actor` without asking the database again,
    and sentences are made in the caller's language."""
    token = _EVENT_ACTOR.set((state, actor) if actor is not None else None)
    try:
        with i18n.using_locale(language_of(state, actor)):
            yield
    finally:
        _EVENT_ACTOR.reset(token)


def event_actor(state) -> Any:
    """The caller `allow` resolved for the event `state` is handling (None outside such an event)."""
    current = _EVENT_ACTOR.get()
    return current[1] if current is not None and current[0] is state else None


@contextlib.contextmanager
def shown_in(state, var: str) -> Iterator[None]:
    """Show a `PracticeError` raised in the block in the page's inline message `var` (instead of a toast);
    the rest of the block is skipped."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - only a person's error is kept; anything else goes on up
        setattr(state, var, str(person_error(exc)))


def person_error(exc: Exception) -> PracticeError:
    """The sentence for a failed handler: a service's `PracticeError`, or a write the disk refused (full,
    read-only); anything else is raised again."""
    if isinstance(exc, PracticeError):
        return exc
    problem = disk_problem(exc)
    if problem is None:
        raise exc
    return problem


def _guard(level: str, during_setup: bool, handler: str) -> Callable:
    """The check `allow` runs before a handler: (None, the caller) when it may go ahead, else (what to send
    back instead, None)."""
    def admit(self):
        if level == ANYONE:
            return None, None
        # Portal states have no two-factor setup step; staff states report it with `_access`.
        access = getattr(self, "_access", None)
        actor, needs_setup = access() if access else (self._actor(), False)
        i18n.switch_locale(language_of(self, actor))  # a refusal is said in the caller's language
        if actor is None:
            # Portal states send their visitors to the portal's login page.
            login_url = getattr(self, "_login_url", lambda: routes.LOGIN)()
            return [rx.toast.error(login_sentence(self)), rx.redirect(login_url)], None
        if not _permits(level, actor):
            if isinstance(actor, Actor):
                _record_denial(actor, f"{type(self).__name__}.{handler}")
            # On a page the table refuses them, the page already says why (no second message in a toast).
            return ([] if getattr(self, "page_refusal", "") else rx.toast.error(str(PermissionDenied()))), None
        if needs_setup and not during_setup:
            return [rx.toast.error(str(SETUP_FIRST)), rx.redirect(routes.ACCOUNT_SECURITY)], None
        return None, actor
    return admit


def _admit_call(admit: Callable, fn: Callable, state, args: tuple, kwargs: dict) -> tuple[Any, Any]:
    """`admit`'s answer, then a sentence instead of the call when its arguments are not ones `fn` declares
    (handler_args.py): a browser may send anything."""
    # A refusal is said in the tab's language (the caller is not known yet, or not let in).
    with i18n.using_locale(getattr(state, "lang", "")):
        try:
            no, actor = admit(state)
        except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
            return rx.toast.error(str(person_error(exc))), None
        if no is None and handler_args.malformed(fn, args, kwargs):
            return rx.toast.error(str(handler_args.NOT_UNDERSTOOD)), None
    return no, actor


def _async_generator_handler(fn: Callable, admit: Callable) -> Callable:
    @functools.wraps(fn)
    async def wrapper(self, *args, **kwargs):
        no, actor = _admit_call(admit, fn, self, args, kwargs)
        if no is not None:
            yield no
            return
        steps = fn(self, *args, **kwargs)
        while steps is not None:
            with _acting(self, actor):
                try:
                    item = await steps.__anext__()
                except StopAsyncIteration:
                    return
                except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
                    item, steps = rx.toast.error(str(person_error(exc))), None
            yield item
    return wrapper


def _generator_handler(fn: Callable, admit: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        no, actor = _admit_call(admit, fn, self, args, kwargs)
        if no is not None:
            yield no
            return
        steps = fn(self, *args, **kwargs)
        while steps is not None:
            with _acting(self, actor):
                try:
                    item = next(steps)
                except StopIteration as done:
                    return done.value
                except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
                    item, steps = rx.toast.error(str(person_error(exc))), None
            yield item
    return wrapper


def _coroutine_handler(fn: Callable, admit: Callable) -> Callable:
    @functools.wraps(fn)
    async def wrapper(self, *args, **kwargs):
        no, actor = _admit_call(admit, fn, self, args, kwargs)
        if no is not None:
            return no
        with _acting(self, actor):
            try:
                return await fn(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
                return rx.toast.error(str(person_error(exc)))
    return wrapper


def _plain_handler(fn: Callable, admit: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        no, actor = _admit_call(admit, fn, self, args, kwargs)
        if no is not None:
            return no
        with _acting(self, actor):
            try:
                return fn(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
                return rx.toast.error(str(person_error(exc)))
    return wrapper


def _wrapper_kind(fn: Callable) -> Callable:
    """Reflex handlers come in four shapes; each gets a wrapper of the same shape."""
    if inspect.isasyncgenfunction(fn):
        return _async_generator_handler
    if inspect.isgeneratorfunction(fn):
        return _generator_handler
    if inspect.iscoroutinefunction(fn):
        return _coroutine_handler
    return _plain_handler


def allow(level: str, *, during_setup: bool = False) -> Callable:
    """Declare who may call this event handler; others get a plain message and nothing happens.

    While the firm requires two-factor sign-in and the member has not set it up, only handlers
    marked `during_setup` (the setup page's) run for them. A `PracticeError` the handler lets out
    reaches the person as a toast with its sentence."""
    if level not in LEVELS:
        raise ValueError(f"unknown access level {level!r}")

    def decorate(fn: Callable) -> Callable:
        guard = _guard(level, during_setup, fn.__name__)
        wrapper = _wrapper_kind(fn)(fn, guard)
        wrapper.__practice_access__ = level
        # The upload gate runs the same check before Reflex reads an upload's body (practice/upload_gate.py).
        wrapper.__practice_guard__ = guard
        return wrapper

    return decorate


SETUP_FIRST = lazy("Your firm requires two-factor sign-in. Set it up to continue.")


def _record_denial(actor: Actor, handler: str) -> None:
    """Audit a logged-in member calling a handler above their role (rare: the UI hides such buttons)."""
    try:
        with write_session() as session:
            audit.record(session, actor, "access_denied", "handler", None,
                         f"{actor.name} was refused {handler}", handler=handler)
    except Exception:  # noqa: BLE001 - the refusal itself must still reach the browser
        pass


def run(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Call a service in a write transaction (a `PracticeError` rolls it back and goes on up; so does a write the
    disk refused, as a `DiskProblem` with its sentence)."""
    try:
        with write_session() as session:
            return fn(session, *args, **kwargs)
    except PracticeError:
        raise
    except Exception as exc:  # noqa: BLE001 - person_error raises what is not a person's error
        raise person_error(exc) from exc


async def run_off_loop(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """`run` in a worker thread, for services slow on purpose (checking a password's hash takes a good part of a
    second): the event loop stays free, so a flood of wrong logins never holds up anybody else's clicks."""
    return await asyncio.to_thread(run, fn, *args, **kwargs)


def read(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Call a service in a read session (a `PracticeError` goes on up)."""
    with read_session() as session:
        return fn(session, *args, **kwargs)


def write_and_refresh(state, fn: Callable[..., Any], *args, shown: str = "error", **kwargs) -> bool:
    """Run a service write as the caller, then reload the page (`state._refresh()`) either way; a refusal is
    shown in the inline message `shown` (cleared first). True when the write went through."""
    setattr(state, shown, "")
    with shown_in(state, shown):
        try:
            run(fn, state._require(), *args, **kwargs)
        finally:
            state._refresh()
        return True
    return False


async def write_off_loop_and_refresh(state, fn: Callable[..., Any], *args, shown: str = "error", **kwargs) -> bool:
    """`write_and_refresh` with the write in a worker thread: for services that wait on a limited child (a template
    filled in, a PDF laid out), so the event loop, and everybody else's clicks, stay free meanwhile."""
    setattr(state, shown, "")
    with shown_in(state, shown):
        try:
            await run_off_loop(fn, state._require(), *args, **kwargs)
        finally:
            state._refresh()
        return True
    return False


def remount_if_changed(state, key: str, shown: object, *, force: bool = False) -> None:
    """Re-key the form whose `key` (an int state var) the page gives it, but only when what the form shows (the
    record, the stored values its inputs start from) differs from the last time, or when `force`d (the person
    asked for another record or an empty form): a page load arriving after the person began typing then leaves
    the typed text alone. The state declares a backend var `_{key}_shows: str`."""
    mark = repr(shown)
    if force or getattr(state, f"_{key}_shows") != mark:
        setattr(state, f"_{key}_shows", mark)
        setattr(state, key, getattr(state, key) + 1)


class LangState(rx.State):
    """The language this tab's pages are shown in (components/i18n.py's `t` reads it in the browser): set from the
    logged-in person's preference on each page load, from the firm's default for visitors. The parent of the staff
    and the portal states, so any handler sets it with `self.lang = ...`."""

    lang: str = ""

    def _show_language(self, code: str) -> None:
        """Show this tab's pages in `code`, and make the rest of the handler's sentences in it."""
        code = i18n.supported(code) or i18n.SOURCE
        i18n.switch_locale(code)
        if self.lang != code:  # an assignment sends the var even when equal
            self.lang = code

    def _show_visitor_language(self) -> None:
        """On a page for visitors (the login pages): the language this tab already shows, else the firm's default."""
        self._show_language(self.lang or read(firm.default_language))


def running_timer_label(session, actor) -> tuple[str, str]:
    """(what the member's running timer is on, since when on the firm's clock), or ("", "")."""
    timer = time_entries.running_timer(session, actor)
    if timer is None:
        return "", ""
    return (timer.task_title or timer.job_name or timer.account_name,
            format_time(timer.started_at, firm.get_firm(session).timezone))


class AppState(LangState):
    """Login state shared by every page state (they inherit from it)."""

    # The browser keeps the session's random id in an HttpOnly cookie (set by session_routes, never in this
    # state); the server keeps its hash.
    member_name: str = ""
    member_role: str = ""
    # Whether the member sees billing (a right some employees are given): the sidebar's "Billing" shows then.
    sees_billing: bool = False
    # Whether the member may open the Time page (tracks time, edits others' time or sees billing).
    reads_time: bool = False
    # The member's running timer as the sidebar and the phone's bar show it ("" when none runs): what it is on, and
    # since when (read at each page load; the Time page and the job page show it as it changes).
    timer_on: str = ""
    timer_since: str = ""
    # The sentence shown instead of a page this member's role may not open (page_access.PAGES); "" when they may.
    page_refusal: str = ""
    flash: str = ""
    # When this tab last noted the session's activity (time.monotonic()); never sent to the browser.
    _touched_at: float = float("-inf")

    def _session_id(self) -> str:
        """The browser's staff session id, from its HttpOnly cookie."""
        return request_cookie(self, routes.STAFF_SESSION_COOKIE)

    def _actor(self) -> Actor | None:
        """The logged-in member, checked against the database (revocation is immediate)."""
        with read_session() as session:
            return auth.actor_for_session(session, self._session_id())

    def _access(self) -> tuple[Actor | None, bool]:
        """The logged-in member, and whether they must set up two-factor sign-in before anything else."""
        actor = self._actor()
        if actor is None or not actor.member_id:
            return actor, False
        with read_session() as session:
            return actor, two_factor.must_set_up(session, actor.member_id)

    def _require(self) -> Actor:
        """The member calling this handler (resolved once per event by `allow`)."""
        actor = event_actor(self) or self._actor()
        if actor is None:
            raise PermissionDenied(_("Your session has ended. Log in again."))
        return actor

    @rx.var
    def is_admin(self) -> bool:
        return self.member_role in ("owner", "admin")

    @rx.var
    def is_owner(self) -> bool:
        return self.member_role == "owner"

    def _show_rights(self, actor: Actor) -> None:
        """What the menus show beyond the role: the rights' pages, and the running timer."""
        self.sees_billing, self.reads_time = actor.sees_billing, actor.reads_time
        self.timer_on, self.timer_since = read(running_timer_label, actor) if actor.tracks_time else ("", "")

    @allow(ANYONE)
    def require_login(self):
        """on_load of every staff page: send strangers to the login page; start this tab's unread-badge watcher."""
        actor, needs_setup = self._access()
        if actor is None:
            self.member_name = self.member_role = ""
            self.sees_billing = self.reads_time = False
            return rx.redirect(routes.LOGIN)
        self.member_name, self.member_role = actor.name, actor.role.value if hasattr(actor.role, "value") else actor.role
        self._show_language(actor.language)
        self._show_rights(actor)
        self.page_refusal = page_access.refusal(self.member_role, self.router.url.path, page_access.rights_of(actor))
        if time.monotonic() - self._touched_at >= auth.TOUCH_EVERY.total_seconds():
            # At most once a minute per tab: a staff page view within the minute opens no write transaction.
            run(auth.touch_session, self._session_id())
            self._touched_at = time.monotonic()
        if needs_setup and self.router.url.path.rstrip("/") != routes.ACCOUNT_SECURITY:
            return rx.redirect(routes.ACCOUNT_SECURITY)
        # The sidebar's badges: this tab joins the process's one poller (nothing to do when it already watches
        # this tab's login).
        STAFF_BADGES.watch(self.router.session.client_token, self._session_id())

    @allow(STAFF)
    def choose_language(self, code: str):
        """The member reads the app in `code` from now on (this page is shown again in it)."""
        self._show_language(run(team.set_my_language, self._require(), str(code)[:8]))
        return rx.redirect(self.router.url.path or routes.HOME)

    @allow(ANYONE)
    def log_out(self):
        """The backend ends the session and clears its cookie, then shows the login page."""
        self.member_name = self.member_role = ""
        return full_page_load(routes.SESSION_END)


POLL_SECONDS = 2.0
log = logging.getLogger(__name__)

# How often each process asks the database whether a chat message or an Inbox+ notification arrived.
BELL_SECONDS = 0.25


class ChangeBell:
    """Tells the live parts of the pages, within BELL_SECONDS, that a chat message or an Inbox+ notification arrived,
    whichever process wrote it (this one, another web process, the worker): one statement per process every
    BELL_SECONDS, on the event loop (a read of the newest ids: well under a millisecond), and only while something
    waits. The badges' pollers and the open chat pages wait on it instead of sleeping until their next poll, so a
    message shows on the other side in well under a second; their polls every POLL_SECONDS stay, for what the bell
    does not tell (a message read in another tab)."""

    def __init__(self) -> None:
        self._seen: tuple[int, int] | None = None  # (newest message id, newest notification id)
        self._waiters: list[tuple[int | None, asyncio.Future]] = []
        self._listeners: list[tuple[Callable[[], bool], Callable[[], None]]] = []
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def listen(self, wants: Callable[[], bool], rung: Callable[[], None]) -> None:
        """Call `rung()` on the event loop whenever anything arrived, as long as `wants()`."""
        if (wants, rung) not in self._listeners:
            self._listeners.append((wants, rung))
        self._start()

    async def wait(self, timeout: float, account_id: int | None = None) -> bool:
        """Until a message arrives on `account_id` (on any account, or a notification, when None), or `timeout`
        passes: True when something arrived."""
        self._start()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((account_id, waiter))
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove((account_id, waiter))

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop, self._seen = loop, None
            # A task of its own (not of the event that first waited), so Reflex never cancels it.
            self._task = loop.create_task(self._run(), context=contextvars.copy_context())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(BELL_SECONDS)
            self._listeners = [(wants, rung) for wants, rung in self._listeners if wants()]
            if not self._waiters and not self._listeners:
                return
            try:
                self._ring(*self._read())
            except Exception:
                log.warning("the live pages' change check failed; trying again", exc_info=True)

    def _read(self) -> tuple[tuple[int, int], set[int] | None]:
        with read_session() as session:
            if self._seen is None:  # the first look: where things stand (limit 0: the newest id, no accounts)
                return (chat_threads.changes_since(session, 0, limit=0)[0], inbox.newest_id(session)), set()
            newest, accounts = chat_threads.changes_since(session, self._seen[0])
            return (newest, inbox.newest_id(session)), accounts

    def _ring(self, seen: tuple[int, int], accounts: set[int] | None) -> None:
        before, self._seen = self._seen, seen
        if before is None or seen == before:
            return
        for account_id, waiter in list(self._waiters):
            if not waiter.done() and (account_id is None or accounts is None or account_id in accounts):
                waiter.set_result(True)
        for _wants, rung in self._listeners:
            rung()


CHANGES = ChangeBell()


class TabPoller:
    """Live counts for many tabs with one database read every POLL_SECONDS: each page view registers its tab (the
    Reflex client token) with the login it shows; the poller reads the values of all the registered tabs in one call
    on a worker thread and pushes a tab's value only when it changed. It runs outside Reflex's on_load chains, so a
    navigation neither cancels nor restarts it: a watcher per page view cost a task, a read and a push on every
    page view, which is what held the portal to a tenth of its load (issue 12). A new tab (or a new login in a
    tab) is read at once, with the others that arrived within the same moment; a tab whose socket left this
    process, or whose login ended, is forgotten."""

    def __init__(self, state: type, read: Callable[[dict[str, str]], dict[str, Any]], show: Callable[[Any, Any], None]):
        # read({token: session id}) -> {token: value, or None once that login has ended}; show(state, value).
        self._state, self._read, self._show = state, read, show
        self._tabs: dict[str, str] = {}
        self._shown: dict[str, Any] = {}
        self._new: set[str] = set()
        self._task: asyncio.Task | None = None
        self._woken: asyncio.Event | None = None
        self._everyone_now = False  # the change bell rang: read every tab now, not at the next round

    def watch(self, token: str, sid: str) -> None:
        """The tab `token` shows the login `sid`: keep its value current (called on the event loop)."""
        if self._tabs.get(token) != sid:
            self._tabs[token] = sid
            self._shown.pop(token, None)
            self._new.add(token)
        if self._task is None or self._task.done():
            try:
                app, loop = RegistrationContext.get().app, asyncio.get_running_loop()
            except (LookupError, RuntimeError):  # a handler called outside a running app: nothing to push to
                self._forget(token)
                return
            self._woken = asyncio.Event()
            # A task of its own (not of the event that registered the tab), so Reflex never cancels it.
            self._task = loop.create_task(self._run(app), context=contextvars.copy_context())
            CHANGES.listen(self._listening, self._rung)
        if self._new:
            self._woken.set()

    def _listening(self) -> bool:
        return bool(self._tabs) and self._task is not None and not self._task.done()

    def _rung(self) -> None:
        """Something arrived (the change bell): read every tab at once."""
        self._everyone_now = True
        self._woken.set()

    def watching(self) -> int:
        """How many tabs this poller keeps current (tests read it)."""
        return len(self._tabs) if self._task is not None and not self._task.done() else 0

    def _forget(self, token: str) -> None:
        self._tabs.pop(token, None)
        self._shown.pop(token, None)
        self._new.discard(token)

    async def _run(self, app) -> None:
        next_round = 0.0
        while self._tabs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), max(next_round - time.monotonic(), 0))
            self._woken.clear()
            await asyncio.sleep(0.05)  # the tabs that arrive together are read together
            asked, next_round = self._asked(app, next_round)
            if not asked:
                continue
            try:
                values = await asyncio.to_thread(self._read, asked)
            except Exception:
                log.warning("live count poll failed; trying again in %s s", POLL_SECONDS, exc_info=True)
                continue
            await self._show_all(app, asked, values)

    def _asked(self, app, next_round: float) -> tuple[dict[str, str], float]:
        """The tabs to read now (all of them each round, else the new ones), once the gone ones are forgotten."""
        connected = app.event_namespace.token_to_sid if app.event_namespace is not None else {}
        for token in [t for t in self._tabs if t not in connected]:
            self._forget(token)
        if time.monotonic() >= next_round or self._everyone_now:
            self._everyone_now = False
            asked, next_round = dict(self._tabs), time.monotonic() + POLL_SECONDS
        else:
            asked = {t: self._tabs[t] for t in self._new if t in self._tabs}
        self._new.clear()
        return asked, next_round

    async def _show_all(self, app, asked: dict[str, str], values: dict[str, Any]) -> None:
        for token, value in values.items():
            if self._tabs.get(token) != asked[token]:
                continue  # the tab logged in again meanwhile: its new login is read next
            if value is None:
                self._forget(token)
            elif value != self._shown.get(token, _NOT_SHOWN):
                await self._push(app, token, value)

    async def _push(self, app, token: str, value) -> None:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=self._state)) as root:
                self._show(await root.get_state(self._state), value)
            self._shown[token] = value
        except Exception:
            log.warning("live count push failed; trying again in %s s", POLL_SECONDS, exc_info=True)


_NOT_SHOWN = object()


def _fingerprint(session, sid: str) -> tuple[int, int, int] | None:
    actor = auth.actor_for_session(session, sid)
    if actor is None or not actor.member_id:
        return None
    return (*inbox.fingerprint(session, actor.member_id), chat_threads.unread_total(session, actor))


def unread_fingerprint(sid: str) -> tuple[int, int, int] | None:
    """(inbox unread count, newest id, chat messages from clients unread) for the member logged in with `sid`, or
    None once the login has ended."""
    with read_session() as session:
        return _fingerprint(session, sid)


def unread_fingerprints(tabs: dict[str, str]) -> dict[str, tuple[int, int, int] | None]:
    """unread_fingerprint for each tab (client token -> staff session id): one read transaction, each login once."""
    with read_session() as session:
        by_sid = {sid: _fingerprint(session, sid) for sid in set(tabs.values())}
    return {token: by_sid[sid] for token, sid in tabs.items()}


class InboxBadgeState(AppState):
    """The unread counts shown beside "Inbox" and "Chats" in the sidebar and the phone menu (its own small state, so that
    the poller's updates send one integer, not a page)."""

    unread: int = 0
    # Chat messages from clients this member has not read (the badge beside "Chats").
    chats_unread: int = 0

    def _show(self, count: int, chats: int | None = None) -> None:
        self.unread = max(int(count), 0)
        if chats is not None:
            self.chats_unread = max(int(chats), 0)


def _show_fingerprint(state: InboxBadgeState, fingerprint: tuple[int, int, int]) -> None:
    state._show(fingerprint[0], fingerprint[2])


# The staff tabs' badges, kept current by one poller per process (like the portal's).
STAFF_BADGES = TabPoller(InboxBadgeState, unread_fingerprints, _show_fingerprint)
