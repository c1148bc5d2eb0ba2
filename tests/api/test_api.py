"""The REST API as a firm's program meets it: a token reads what its member sees in the app, pages through long lists
with a cursor, filters, writes through the app's services (audited under the member's name), and every refusal is a
JSON sentence with the right status."""
import pytest
from sqlmodel import select

from practice import api_routes
from practice.db import read_session, write_session
from practice.models import ApiToken, AuditLog, Event, Job, Task, TeamMember
from practice.services.work import accounts
from tests.api.firm import auth, build, client

pytestmark = pytest.mark.firm(build=build)


def get(firm, path, token="owner_read", **params):
    return client().get("/api/v1" + path, params=params, headers=auth(firm["tokens"][token]))


def test_an_employees_token_sees_only_the_accounts_the_employee_sees(firm):
    owner = get(firm, "/accounts").json()
    assert [a["name"] for a in owner["items"]] == ["Avery Household", "Blake Holdings"]
    assert owner["next_cursor"] is None
    eli = get(firm, "/accounts", "eli_read").json()["items"]
    assert [a["name"] for a in eli] == ["Avery Household"]
    for path, key in (("/contacts", "first_name"), ("/jobs", "name"), ("/tasks", "title"), ("/documents", "name")):
        names = [item[key] for item in get(firm, path, "eli_read").json()["items"]]
        assert names and all("B" not in n.split()[-1][:1] for n in names), (path, names)
    assert [d["name"] for d in get(firm, "/documents", "eli_read").json()["items"]] == ["W-2 Amy.pdf"]
    refused = get(firm, f"/accounts/{firm['b']}", "eli_read")
    assert refused.status_code == 403 and "access" in refused.json()["error"]["message"]
    assert get(firm, "/jobs", "eli_read", account_id=firm["b"]).status_code == 403
    events = get(firm, "/events", "eli_read").json()["items"]
    assert events and {e["account_id"] for e in events} == {firm["a"]}
    # Amy is also made a contact of B: Eli still reads Amy, but not that she is a contact of B.
    with write_session() as s:
        accounts.link_contact(s, firm["staff"]["owner"], firm["b"], firm["contact_a"])
    amy = lambda token: [c["account_ids"] for c in get(firm, "/contacts", token).json()["items"]  # noqa: E731
                         if c["id"] == firm["contact_a"]]
    assert amy("eli_read") == [[firm["a"]]] and amy("owner_read") == [[firm["a"], firm["b"]]]


def test_lists_page_by_cursor_and_filter(firm):
    first = get(firm, "/jobs", limit=1).json()
    assert [j["name"] for j in first["items"]] == ["2026 return A"] and first["next_cursor"]
    second = get(firm, "/jobs", limit=1, cursor=first["next_cursor"]).json()
    assert [j["name"] for j in second["items"]] == ["2026 return B"] and second["next_cursor"] is None
    only_b = get(firm, "/tasks", account_id=firm["b"]).json()["items"]
    assert [t["title"] for t in only_b] == ["Ask Ben for 1099"]
    assert get(firm, "/tasks", status="completed").json()["items"] == []
    assert get(firm, "/accounts", created_since="2999-01-01T00:00:00Z").json()["items"] == []
    job = get(firm, f"/jobs/{firm['job_a']}").json()
    assert job["stage"] == "Onboarding" and job["account_id"] == firm["a"]


@pytest.mark.parametrize("params, words", [
    ({"limit": "0"}, "limit must be a whole number"), ({"limit": "500"}, "limit must be at most 200"),
    ({"cursor": "abc"}, "cursor must be the next_cursor of the previous page"),
    ({"status": "finished"}, "status must be one of"),
    ({"created_since": "yesterday"}, "created_since must be a date and time"),
    ({"updated_since": "last week"}, "updated_since must be a date and time such as 2026-12-01T09:00:00Z"),
    ({"updated_since": "2026-12-01T09:00:00"}, "updated_since must say its time zone"),
    ({"updated_since": "2026-12-01T09:00:00Z", "cursor": "12"}, "cursor must be the next_cursor"),
    ({"cursor": "1764932400123456-12"}, "cursor must be the next_cursor"),
    ({"acount_id": "1"}, "no parameter acount_id"),
])
def test_bad_parameters_are_named_in_a_sentence(firm, params, words):
    answer = get(firm, "/tasks", **params)
    assert answer.status_code == 400 and words in answer.json()["error"]["message"]


def test_no_token_a_wrong_one_or_a_revoked_one_is_401_and_a_read_token_cannot_write(firm):
    c = client()
    for headers in ({}, auth("prt_not-a-token"), auth(firm["tokens"]["revoked"]), {"Authorization": "Basic abc"}):
        answer = c.get("/api/v1/accounts", headers=headers)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "token" in answer.json()["error"]["message"]
    answer = c.post("/api/v1/tasks", json={"title": "Call Amy"}, headers=auth(firm["tokens"]["owner_read"]))
    assert answer.status_code == 403 and "may only read" in answer.json()["error"]["message"]
    assert c.get("/api/v1/nowhere", headers=auth(firm["tokens"]["owner_read"])).status_code == 404


def test_a_write_token_creates_a_task_audited_under_its_member(firm):
    c = client()
    answer = c.post("/api/v1/tasks", json={"title": "Call Amy about the W-2", "job_id": firm["job_a"],
                                           "due_date": "2027-01-15"}, headers=auth(firm["tokens"]["eli_write"]))
    assert answer.status_code == 201, answer.text
    task = answer.json()
    assert task["account_id"] == firm["a"] and task["due_date"] == "2027-01-15" and task["status"] == "planned"
    with read_session() as s:
        row = s.exec(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == task["id"])).one()
        assert row.actor_label == "Eli Employee" and row.account_id == firm["a"]
        assert s.exec(select(ApiToken).where(ApiToken.name == "eli_write")).one().last_used_at is not None
    refused = c.post("/api/v1/tasks", json={"title": "Peek", "job_id": firm["job_b"]},
                     headers=auth(firm["tokens"]["eli_write"]))
    assert refused.status_code == 403
    for body, words in (({"title": ""}, "Give the task a title"), ({"title": "x", "due_date": "soon"}, "due_date"),
                        ({"title": "x", "colour": "red"}, "Unknown fields: colour")):
        bad = c.post("/api/v1/tasks", json=body, headers=auth(firm["tokens"]["eli_write"]))
        assert bad.status_code == 400 and words in bad.json()["error"]["message"]
    bad = c.post("/api/v1/tasks", content=b"not json", headers=auth(firm["tokens"]["eli_write"]))
    assert bad.status_code == 400 and "JSON object" in bad.json()["error"]["message"]
    with read_session() as s:
        assert s.exec(select(Task).where(Task.title == "Peek")).first() is None


def test_a_write_token_moves_a_job_as_the_board_does(firm):
    c = client()
    review = firm["stages"]["Review"]
    answer = c.post(f"/api/v1/jobs/{firm['job_a']}/stage", json={"stage_id": review},
                    headers=auth(firm["tokens"]["eli_write"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["stage"] == "Review"
    with read_session() as s:
        assert s.get(Job, firm["job_a"]).stage_id == review
        moved = s.exec(select(AuditLog).where(AuditLog.entity == "job", AuditLog.entity_id == firm["job_a"])
                       .order_by(AuditLog.id.desc())).first()
        assert moved.actor_label == "Eli Employee"
        assert s.exec(select(Event).where(Event.job_id == firm["job_a"], Event.actor_id ==
                                          firm["staff"]["eli"].member_id)).first() is not None
    stale = c.post(f"/api/v1/jobs/{firm['job_a']}/stage", json={"stage_id": review, "from_stage_id":
                                                                 firm["stages"]["Onboarding"]},
                   headers=auth(firm["tokens"]["eli_write"]))
    assert stale.status_code == 409 and "meanwhile" in stale.json()["error"]["message"]
    other = c.post(f"/api/v1/jobs/{firm['job_b']}/stage", json={"stage_id": review},
                   headers=auth(firm["tokens"]["eli_write"]))
    assert other.status_code == 403


def test_calls_beyond_the_rate_are_refused_with_retry_after(firm, monkeypatch):
    c = client()
    monkeypatch.setattr(api_routes.TOKEN_LIMIT, "limit", 3)
    answers = [c.get("/api/v1/accounts", headers=auth(firm["tokens"]["owner_read"])).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = c.get("/api/v1/accounts", headers=auth(firm["tokens"]["owner_read"]))
    assert int(refused.headers["Retry-After"]) >= 1 and "Too many requests" in refused.json()["error"]["message"]
    assert c.get("/api/v1/accounts", headers=auth(firm["tokens"]["admin"])).status_code == 200
    monkeypatch.setattr(api_routes.FAILED_LIMIT, "limit", 2)
    wrong = [c.get("/api/v1/accounts", headers=auth("prt_guess")).status_code for _ in range(3)]
    assert wrong == [401, 401, 429]


def test_the_openapi_document_describes_exactly_what_is_served(firm):
    doc = client().get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    described = {(m.upper(), path) for path, ops in doc["paths"].items() for m in ops}
    served = {(e.method, e.path) for e in api_routes.ENDPOINTS}
    assert described == served
    for endpoint in api_routes.ENDPOINTS:
        names = {p["name"] for p in doc["paths"][endpoint.path][endpoint.method.lower()]["parameters"]}
        assert names == {*endpoint.path_params, *(p.name for p in endpoint.params),
                         *((p.name for p in api_routes.PAGING) if endpoint.listing else ())}
    schema = doc["components"]["schemas"]
    item = get(firm, "/jobs").json()["items"][0]
    assert set(item) == set(schema["Job"]["properties"])
    for name, path in (("Account", "/accounts"), ("Contact", "/contacts"), ("Task", "/tasks"),
                       ("Document", "/documents"), ("Event", "/events")):
        assert set(get(firm, path).json()["items"][0]) == set(schema[name]["properties"]), name


def test_a_french_members_token_reads_its_sentences_in_french(firm):
    with write_session() as s:
        s.get(TeamMember, firm["staff"]["eli"].member_id).language = "fr"
    refused = get(firm, f"/accounts/{firm['b']}", "eli_read")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("Vous n'avez pas accès à ce dossier")
    bad = get(firm, "/tasks", "eli_read", limit="0")
    assert "doit être un nombre entier" in bad.json()["error"]["message"]


def test_an_api_writes_audit_row_names_its_token_and_the_audit_page_says_so(firm):
    from practice.services import audit
    from practice.services.audit import LogFilter
    from practice.state.audit import _items
    c = client()
    made = c.post("/api/v1/tasks", json={"title": "Chase the 1098", "job_id": firm["job_a"]},
                  headers=auth(firm["tokens"]["eli_write"]))
    assert made.status_code == 201, made.text
    owner = firm["staff"]["owner"]
    with read_session() as s:
        token = s.exec(select(ApiToken).where(ApiToken.name == "eli_write")).one()
        row = s.exec(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == made.json()["id"])).one()
        assert (row.api_token_id, row.api_token_label) == (token.id, f"eli_write ({token.prefix}…)")
        assert firm["tokens"]["eli_write"] not in row.api_token_label  # the prefix only, never the secret
        in_app = s.exec(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == firm["task_a"])).one()
        assert in_app.api_token_id is None and in_app.api_token_label == ""
        items = {i.id: i for i in _items(s, [row, in_app], "UTC")}
        assert items[row.id].who == "Eli Employee"
        assert items[row.id].via == f"via API token eli_write ({token.prefix}…)"
        assert items[in_app.id].via == ""
        text, _count = audit.export_csv(s, owner, LogFilter(entity="task"), "UTC")
    assert f"Eli Employee via API token eli_write ({token.prefix}…)" in text



def test_a_sync_program_pages_through_what_changed_since_its_last_run(firm):
    """updated_since lists what changed since T in change order; a row changed while the program pages comes once
    more at the end with its change, none is missed or repeated otherwise, and the next run starts from the last
    updated_at it saw."""
    import datetime as dt

    from practice.services.work import accounts, jobs, pipelines

    owner = firm["staff"]["owner"]
    since = dt.datetime.now(dt.timezone.utc).isoformat()
    # Many changed rows: 7 new tasks and a rename, paged 3 at a time.
    c = client()
    for n in range(7):
        assert c.post("/api/v1/tasks", json={"title": f"Sync {n}", "job_id": firm["job_a"]},
                      headers=auth(firm["tokens"]["owner_write"])).status_code == 201
    with write_session() as s:
        s.get(Task, firm["task_a"]).title = "Ask Amy for the W-2 (renamed)"
    seen, cursor, pages = [], None, 0
    while True:
        params = {"updated_since": since, "limit": "3", **({"cursor": cursor} if cursor else {})}
        page = get(firm, "/tasks", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        if pages == 1:  # changed while the program pages: it comes again, at the end
            with write_session() as s:
                s.get(Task, body["items"][0]["id"]).title = "Changed while paging"
        seen += [(t["id"], t["title"]) for t in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [i for i, _title in seen]
    assert ids[-1] == ids[3] and seen[-1][1] == "Changed while paging"
    assert len(ids) == 9 and len(set(ids)) == 8  # only the row changed meanwhile comes twice
    assert seen[-2] == (firm["task_a"], "Ask Amy for the W-2 (renamed)")
    moments = [dt.datetime.fromisoformat(t["updated_at"].replace("Z", "+00:00")) for t in
               get(firm, "/tasks", updated_since=since, limit="200").json()["items"]]
    assert moments == sorted(moments)
    # Nothing changed since the last change seen but that change itself.
    last = get(firm, "/tasks", updated_since=since, limit="200").json()["items"][-1]
    assert [t["id"] for t in get(firm, "/tasks", updated_since=last["updated_at"]).json()["items"]] == [last["id"]]

    # Links and archiving count as changes; an archived job and a trashed document still show, marked.
    later = dt.datetime.now(dt.timezone.utc).isoformat()
    with write_session() as s:
        accounts.link_contact(s, owner, firm["b"], firm["contact_a"], True, confirmed=True)
        jobs.archive_job(s, owner, firm["job_b"])
    assert [x["id"] for x in get(firm, "/contacts", updated_since=later).json()["items"]] == [firm["contact_a"]]
    archived = get(firm, "/jobs", updated_since=later).json()["items"]
    assert [(j["id"], j["archived"]) for j in archived] == [(firm["job_b"], True)]
    assert get(firm, "/accounts", updated_since=later).json()["items"] == []
    # The employee's token still sees only what the employee sees.
    assert get(firm, "/jobs", "eli_read", updated_since=later).json()["items"] == []
    # A renamed stage changes the jobs in it (they show its name).
    later = dt.datetime.now(dt.timezone.utc).isoformat()
    with write_session() as s:
        pipelines.rename_stage(s, owner, firm["stages"]["Onboarding"], "Welcome")
    renamed = get(firm, "/jobs", updated_since=later).json()["items"]
    assert [(j["id"], j["stage"], j["archived"]) for j in renamed] == [(firm["job_a"], "Welcome", False),
                                                                     (firm["job_b"], "Welcome", True)]
