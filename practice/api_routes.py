"""The REST API, `/api/v1` (docs/api.md): the firm's other programs read accounts, contacts, jobs, tasks, documents
(their details) and events, create tasks and move jobs, with a team member's personal access token
(`services/access/api_tokens.py`) in `Authorization: Bearer ...`.

A token acts as its member: every call goes through the same services and permission checks as the app (an
employee's token sees only the accounts that employee sees) and its writes are audited under the member's name.
Errors are JSON with a sentence (`{"error": {"status": 404, "message": "..."}}`). Each token may make `RATE` calls
a minute, each address `FAILED_RATE` calls with a missing or wrong token, counted across all web processes; beyond
that the answer is 429 with Retry-After. `ENDPOINTS` is both what is served and what `/api/v1/openapi.json` describes, so the two cannot drift.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from practice import routes
from practice.api_openapi import document
from practice.config import client_address
from practice.db import read_session, write_session
from practice.i18n import _, using_locale
from practice.models import MAX_ROW_ID, TaskStatus
from practice.services.access import api_tokens, rate_limits, two_factor
from practice.services.api import reads, writes
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PracticeError

RATE = 120  # calls a minute per token
FAILED_RATE = 20  # calls a minute per address with a missing or wrong token
WINDOW = 60.0
MAX_BODY = 16 * 1024
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error_response(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                        headers=_HEADERS | (headers or {}))


# --- rate limits ---------------------------------------------------------------------------------------------------


class Limiter:
    """At most `limit` calls per key in any `WINDOW` seconds, counted across every web process of the firm (in Redis
    when REDIS_URL is set, else in the database: `services/access/rate_limits.py`), so several processes behind one
    address do not each give the whole allowance. A key refused is remembered here until the shared count frees a
    call (refused calls are not counted, so nothing frees one sooner): a flood of refused calls costs no writes."""

    def __init__(self, name: str, limit: int):
        self.name, self.limit = name, limit
        self._refused_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float | None = None) -> float:
        """0 when the call may go ahead (and is counted), else the seconds until it may."""
        key = f"{self.name}:{key}"
        now = time.time() if now is None else now
        with self._lock:
            until = self._refused_until.get(key, 0.0)
        if until > now:
            return until - now
        wait = self._shared_wait(key, now)
        if wait:
            with self._lock:
                if len(self._refused_until) > 10_000:  # forget the past refusals rather than grow without end
                    self._refused_until = {k: t for k, t in self._refused_until.items() if t > now}
                self._refused_until[key] = now + wait
        return wait

    def _shared_wait(self, key: str, now: float) -> float:
        url = rate_limits.redis_url()
        if url:
            try:
                return rate_limits.wait_redis(url, key, self.limit, WINDOW, now)
            except rate_limits.Unavailable:
                raise ApiError(503, _("The server cannot count calls right now (its Redis does not answer). Try "
                                      "again in a minute."), {"Retry-After": "60"}) from None
        with write_session() as session:
            return rate_limits.wait_db(session, key, self.limit, WINDOW, now)

    def clear(self) -> None:
        """Forget every call counted (of both limits; for tests)."""
        with self._lock:
            self._refused_until.clear()
        url = rate_limits.redis_url()
        if url:
            rate_limits.clear_redis(url)
        else:
            with write_session() as session:
                rate_limits.clear_db(session)


TOKEN_LIMIT = Limiter("token", RATE)
FAILED_LIMIT = Limiter("address", FAILED_RATE)


def _too_many(wait: float) -> ApiError:
    seconds = max(1, int(wait + 0.999))
    return ApiError(429, _("Too many requests. Try again in {n} seconds.").format(n=seconds),
                    {"Retry-After": str(seconds)})


# --- parameters ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # integer, string, boolean, date-time, cursor, or "enum"
    description: str
    choices: tuple[str, ...] = ()
    default: object = None


def _parse(param: Param, raw: str):
    if param.kind == "integer":
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_ROW_ID:
            raise InvalidInput(_("{name} must be a whole number from 1.").format(name=param.name))
        return int(raw)
    if param.kind == "boolean":
        if raw not in ("true", "false"):
            raise InvalidInput(_("{name} must be true or false.").format(name=param.name))
        return raw == "true"
    if param.kind == "date-time":
        try:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00")) if len(raw) <= 40 else None
            if moment is None or not 1970 <= moment.year <= 9998:
                raise ValueError
        except (ValueError, OverflowError):
            raise InvalidInput(_("{name} must be a date and time such as 2026-12-01T09:00:00Z.").format(
                name=param.name)) from None
        if moment.tzinfo is None and param.name == "updated_since":
            raise InvalidInput(_("{name} must say its time zone, such as 2026-12-01T09:00:00Z or "
                                 "2026-12-01T10:00:00+01:00.").format(name=param.name))
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    if param.kind == "cursor":
        return _cursor(raw)
    if param.kind == "enum":
        if raw not in param.choices:
            raise InvalidInput(_("{name} must be one of: {choices}.").format(name=param.name,
                                                                            choices=", ".join(param.choices)))
        return raw
    if len(raw) > 200:
        raise InvalidInput(_("{name} must be under 200 characters.").format(name=param.name))
    return raw


def _cursor(raw: str) -> tuple[dt.datetime | None, int]:
    """A page's `next_cursor`: an id ("1842"), or with updated_since a change and an id ("1764932400123456-1842")."""
    moment, dash, row_id = raw.rpartition("-")
    try:
        if not row_id.isdigit() or not 1 <= int(row_id) <= MAX_ROW_ID or (dash and not moment.isdigit()) \
                or len(moment) > 17:
            raise ValueError
        return (reads.cursor_moment(int(moment)) if dash else None), int(row_id)
    except (ValueError, OverflowError):
        raise InvalidInput(_("cursor must be the next_cursor of the previous page, as it was given.")) from None


PAGING = (
    Param("limit", "integer", "How many items a page holds (1 to 200; 50 when not given)."),
    Param("cursor", "cursor", "The `next_cursor` of the previous page (with the same filters); the first page when "
                              "not given."),
    Param("created_since", "date-time", "Only items created (documents: uploaded) at or after this moment "
                                        "(ISO 8601; UTC when no offset is given)."),
    Param("updated_since", "date-time", "Only items changed at or after this moment (ISO 8601 with its offset, "
                                        "such as 2026-12-01T09:00:00Z), in the order they were changed, then by "
                                        "id; archived ones and documents put in the trash included (events: "
                                        "created, as they never change)."),
)
ACCOUNT_ID = Param("account_id", "integer", "Only those of this account (refused if you may not see it).")
JOB_ID = Param("job_id", "integer", "Only those of this job (refused if you may not see it).")
ARCHIVED = Param("archived", "boolean", "Archived ones instead of the others (false when not given; both with "
                                        "updated_since).")


def _query(request: Request, params: tuple[Param, ...]) -> dict:
    known = {p.name: p for p in (*PAGING, *params)}
    values = {}
    for name, raw in request.query_params.multi_items():
        if name not in known:
            raise InvalidInput(_("This endpoint has no parameter {name}. It takes: {names}.").format(
                name=name[:50], names=", ".join(known)))
        if name in values:
            raise InvalidInput(_("Give {name} only once.").format(name=name))
        values[name] = _parse(known[name], raw)
    return values


def _paging(values: dict) -> reads.Paging:
    limit = values.pop("limit", reads.DEFAULT_LIMIT)
    if limit > reads.MAX_LIMIT:
        raise InvalidInput(_("limit must be at most {n}.").format(n=reads.MAX_LIMIT))
    after_change, after = values.pop("cursor", (None, 0))
    updated_since = values.pop("updated_since", None)
    if (after_change is not None) != (updated_since is not None and after > 0):
        raise InvalidInput(_("cursor must be the next_cursor of the previous page, as it was given.")) from None
    return reads.Paging(limit=limit, after=after, created_since=values.pop("created_since", None),
                        updated_since=updated_since, after_change=after_change)


# --- authentication ------------------------------------------------------------------------------------------------


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _space, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _authenticate(request: Request, write: bool) -> api_tokens.TokenUse:
    address = client_address(request.client.host if request.client else None,
                             request.headers.get("x-forwarded-for"))
    secret = _bearer(request)
    with read_session() as session:
        used = api_tokens.use_token(session, secret) if secret else None
        no_two_factor = used is not None and two_factor.must_set_up(session, used.actor.member_id)
    # The limits count outside the read above: they write (the calls are kept where every web process sees them).
    if used is None:
        wait = FAILED_LIMIT.wait(address)
        if wait:
            raise _too_many(wait)
        message = _("Send your API token as 'Authorization: Bearer <token>'. Make one in Settings, API tokens.") \
            if not secret else _("That API token is not valid: it was revoked, or mistyped. Make a new one in "
                                 "Settings, API tokens.")
        raise ApiError(401, message, {"WWW-Authenticate": 'Bearer realm="practice"'})
    wait = TOKEN_LIMIT.wait(str(used.token_id))
    if wait:
        raise _too_many(wait)
    if no_two_factor:
        raise ApiError(403, _("Set up two-factor sign-in first (the firm requires it)."))
    if write and not used.may_write:
        raise ApiError(403, _("This token may only read. Make a token that may read and write to do this."))
    return used


def _touch(token_id: int) -> None:
    with write_session() as session:
        api_tokens.touch_token(session, token_id)


# --- endpoints -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # under /api/v1, OpenAPI style: /jobs/{job_id}
    summary: str
    schema: str  # the response item's schema name
    run: Callable
    params: tuple[Param, ...] = ()
    listing: bool = False
    write: bool = False
    body: str | None = None  # the request body's schema name
    path_params: tuple[str, ...] = field(default=())

    @property
    def route(self) -> str:
        path = self.path
        for name in self.path_params:
            path = path.replace("{" + name + "}", "{" + name + ":int}")
        return routes.API + path


def _list(fn, archived: bool = False):
    """`archived`: the list has an archived filter; following changes (updated_since) lists both unless it is given."""
    def run(session, actor, values, path, body):
        paging = _paging(values)
        if archived and paging.updated_since is not None:
            values.setdefault("archived", None)
        if "status" in values:
            values["status"] = TaskStatus(values["status"])
        page = fn(session, actor, paging, **values)
        return {"items": page.items, "next_cursor": page.next_cursor}
    return run


def _one(fn, name):
    def run(session, actor, values, path, body):
        return fn(session, actor, path[name])
    return run


def _create_task(session, actor, values, path, body):
    return writes.create_task(session, actor, body)


def _move_job(session, actor, values, path, body):
    return writes.move_job(session, actor, path["job_id"], body)


ENDPOINTS = (
    Endpoint("GET", "/accounts", "The accounts you may see.", "Account", _list(reads.list_accounts, archived=True),
             (ARCHIVED, Param("search", "string", "Only accounts whose name contains this.")), listing=True),
    Endpoint("GET", "/accounts/{account_id}", "One account.", "Account", _one(reads.account, "account_id"),
             path_params=("account_id",)),
    Endpoint("GET", "/contacts", "The contacts of the accounts you may see.", "Contact", _list(reads.list_contacts),
             (ACCOUNT_ID,), listing=True),
    Endpoint("GET", "/jobs", "The jobs of the accounts you may see.", "Job", _list(reads.list_jobs, archived=True),
             (ACCOUNT_ID, Param("pipeline_id", "integer", "Only jobs of this pipeline."),
              Param("stage_id", "integer", "Only jobs in this stage."), ARCHIVED), listing=True),
    Endpoint("GET", "/jobs/{job_id}", "One job.", "Job", _one(reads.job, "job_id"), path_params=("job_id",)),
    Endpoint("POST", "/jobs/{job_id}/stage", "Move a job to another stage of its pipeline (the automations run as "
             "when it is moved on the board).", "Job", _move_job, write=True, body="JobMove",
             path_params=("job_id",)),
    Endpoint("GET", "/tasks", "The tasks of the accounts you may see, and those assigned to you.", "Task",
             _list(reads.list_tasks),
             (ACCOUNT_ID, JOB_ID, Param("status", "enum", "Only tasks with this status.",
                                        tuple(s.value for s in TaskStatus)),
              Param("assignee_id", "integer", "Only tasks assigned to this team member.")), listing=True),
    Endpoint("POST", "/tasks", "Create a task (of an account or a job you may see, or of nobody's).", "Task",
             _create_task, write=True, body="TaskNew"),
    Endpoint("GET", "/documents", "The documents (not their content) of the accounts you may see, trash excepted.",
             "Document", _list(reads.list_documents), (ACCOUNT_ID, JOB_ID), listing=True),
    Endpoint("GET", "/events", "What happened to the accounts you may see (a job moved, a document uploaded...), "
             "oldest first: the events the automations react to.", "Event", _list(reads.list_events),
             (ACCOUNT_ID, JOB_ID, Param("kind", "string", "Only events of this kind, such as job.stage_changed.")),
             listing=True),
)


async def _json_body(request: Request) -> dict:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise InvalidInput(_("The request body is too large (at most 16 KB)."))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise InvalidInput(_("The request body is too large (at most 16 KB)."))
    try:
        value = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The request body must be a JSON object.")) from None
    if not isinstance(value, dict):
        raise InvalidInput(_("The request body must be a JSON object."))
    return value


def _serve(endpoint: Endpoint, request: Request, body: dict | None) -> Response:
    try:
        path = {}
        for name in endpoint.path_params:
            value = request.path_params[name]
            if not 1 <= value <= MAX_ROW_ID:
                raise NotFound(_("That does not exist."))
            path[name] = value
        used = _authenticate(request, endpoint.write)
        # From here on, the sentences are in the token member's language.
        with using_locale(used.actor.language):
            values = _query(request, endpoint.params)
            with (write_session() if endpoint.write else read_session()) as session:
                result = endpoint.run(session, used.actor, values, path, body)
        _touch(used.token_id)
        return JSONResponse(result, status_code=201 if endpoint.method == "POST" and not endpoint.path_params
                            else 200, headers=_HEADERS)
    except ApiError as err:
        return error_response(err.status, err.message, err.headers)
    except PermissionDenied as err:
        return error_response(403, str(err))
    except NotFound as err:
        return error_response(404, str(err))
    except Conflict as err:
        return error_response(409, str(err))
    except InvalidInput as err:
        return error_response(400, str(err))
    except PracticeError as err:
        return error_response(400, str(err))


def _handler(endpoint: Endpoint):
    if endpoint.body is not None:
        async def handle_write(request: Request) -> Response:
            try:
                body = await _json_body(request)
            except InvalidInput as err:
                return error_response(400, str(err))
            return await run_in_threadpool(_serve, endpoint, request, body)
        return handle_write

    def handle(request: Request) -> Response:
        return _serve(endpoint, request, None)
    return handle


def openapi_document(request: Request) -> Response:
    return JSONResponse(document(ENDPOINTS, PAGING), headers={"Cache-Control": "no-cache"})


def not_an_endpoint(request: Request) -> Response:
    return error_response(404, _("There is no such API endpoint. The list is at {url}.").format(
        url=routes.API + "/openapi.json"))


def _routes() -> list[Route]:
    by_path: dict[str, dict[str, Callable]] = {}
    for endpoint in ENDPOINTS:
        by_path.setdefault(endpoint.route, {})[endpoint.method] = _handler(endpoint)
    built = [Route(routes.API + "/openapi.json", openapi_document, methods=["GET"])]
    for path, methods in by_path.items():
        if len(methods) == 1:
            (method, handler), = methods.items()
            built.append(Route(path, handler, methods=[method]))
        else:
            async def dispatch(request: Request, methods=methods) -> Response:
                handler = methods[request.method]
                if hasattr(handler, "__code__") and handler.__code__.co_flags & 0x80:  # a coroutine function
                    return await handler(request)
                return await run_in_threadpool(handler, request)
            built.append(Route(path, dispatch, methods=list(methods)))
    built.append(Route(routes.API + "/{rest:path}", not_an_endpoint,
                       methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
    return built


API_ROUTES = _routes()
