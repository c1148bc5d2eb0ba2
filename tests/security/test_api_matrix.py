"""The API's authorization matrix: every route × token scope × actor (owner, admin, an employee who cannot see
account B, a revoked token, no token) answers as declared here, on the records of account A (the employee's) and B.
A new endpoint without its row here fails `test_every_api_route_has_a_decided_case`."""
import pytest

from practice import api_routes
from tests.api.firm import auth, build, client

pytestmark = [pytest.mark.security, pytest.mark.firm(build=build)]

# Who is asking: the token's key in the firm (None: no token).
TOKENS = {"none": None, "revoked": "revoked", "owner_read": "owner_read", "owner_write": "owner_write",
          "admin_write": "admin", "employee_read": "eli_read", "employee_write": "eli_write"}


def _write_ok(ok):
    return {"none": 401, "revoked": 401, "owner_read": 403, "owner_write": ok, "admin_write": ok,
            "employee_read": 403, "employee_write": ok}


def _read(ok, employee):
    return {"none": 401, "revoked": 401, "owner_read": ok, "owner_write": ok, "admin_write": ok,
            "employee_read": employee, "employee_write": employee}


# (method, path template, which account's record, body) -> status per token
CASES = [
    ("GET", "/accounts", None, None, _read(200, 200)),
    ("GET", "/accounts/{account}", "a", None, _read(200, 200)),
    ("GET", "/accounts/{account}", "b", None, _read(200, 403)),
    ("GET", "/contacts", None, None, _read(200, 200)),
    ("GET", "/contacts?account_id={account}", "b", None, _read(200, 403)),
    ("GET", "/jobs", None, None, _read(200, 200)),
    ("GET", "/jobs?account_id={account}", "b", None, _read(200, 403)),
    ("GET", "/jobs/{job}", "a", None, _read(200, 200)),
    ("GET", "/jobs/{job}", "b", None, _read(200, 403)),
    ("POST", "/jobs/{job}/stage", "a", "move", _write_ok(200)),
    ("POST", "/jobs/{job}/stage", "b", "move", {**_write_ok(200), "employee_write": 403}),
    ("GET", "/tasks", None, None, _read(200, 200)),
    ("GET", "/tasks?job_id={job}", "b", None, _read(200, 403)),
    ("POST", "/tasks", "a", "task", _write_ok(201)),
    ("POST", "/tasks", "b", "task", {**_write_ok(201), "employee_write": 403}),
    ("GET", "/documents", None, None, _read(200, 200)),
    ("GET", "/documents?account_id={account}", "b", None, _read(200, 403)),
    ("GET", "/events", None, None, _read(200, 200)),
    ("GET", "/events?account_id={account}", "b", None, _read(200, 403)),
    # Following changes: the same visibility, and the same refusals.
    *[("GET", f"/{name}?updated_since=2000-01-01T00:00:00Z", None, None, _read(200, 200))
      for name in ("accounts", "contacts", "jobs", "tasks", "documents", "events")],
    ("GET", "/jobs?updated_since=2000-01-01T00:00:00Z&account_id={account}", "b", None, _read(200, 403)),
]
SINCE = "?updated_since=2000-01-01T00:00:00Z"
# What a list returns of account B's records to the employee: nothing.
B_NAMES = {"/accounts": "Blake Holdings", "/contacts": "Ben", "/jobs": "2026 return B", "/tasks": "Ask Ben",
           "/documents": "1099 Ben"}


def test_every_api_route_has_a_decided_case():
    decided = {(method, path.split("?")[0].replace("{account}", "{account_id}").replace("{job}", "{job_id}"))
               for method, path, *_rest in CASES}
    served = {(e.method, e.path) for e in api_routes.ENDPOINTS}
    assert served <= decided, f"add API matrix rows for {sorted(served - decided)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]} {c[2] or ''}")
def test_each_route_answers_each_token_as_declared(firm, case):
    method, template, which, body, expected = case
    c = client()
    for who, status in expected.items():
        key = TOKENS[who]
        path = template.format(account=firm[which] if which else "", job=firm[f"job_{which}"] if which else "")
        payload = None
        if body == "move":
            payload = {"stage_id": firm["stages"]["Preparation"]}
        elif body == "task":
            payload = {"title": f"Check with {who}", "job_id": firm[f"job_{which}"]}
        headers = auth(firm["tokens"][key]) if key else {}
        answer = c.request(method, "/api/v1" + path, json=payload, headers=headers)
        assert answer.status_code == status, (who, method, path, answer.text)
        assert answer.headers["content-type"].startswith("application/json")
        if status >= 400:
            assert answer.json()["error"]["message"].endswith((".", ")"))


@pytest.mark.parametrize("query", ["", SINCE], ids=["all", "updated_since"])
@pytest.mark.parametrize("path", sorted(B_NAMES))
def test_the_employees_lists_hold_nothing_of_account_b(firm, path, query):
    answer = client().get("/api/v1" + path + query, headers=auth(firm["tokens"]["eli_read"]))
    assert answer.status_code == 200 and answer.json()["items"]
    assert B_NAMES[path] not in answer.text
    assert B_NAMES[path] in client().get("/api/v1" + path + query, headers=auth(firm["tokens"]["owner_read"])).text
