"""A client request's link, probed through the web layer: every event handler of the link's page state (enumerated
from the class, so a handler added later is probed too) and every backend route, called as a hostile browser would.

- With request A's link open on a browser that proved the address (the same browser proved B's too), every handler
  called with another request's item and file ids (another account's, and another request of the same account)
  changes nothing of that request and shows nothing of it (titles, messages, labels, notes, answers, file names) in
  the tab's state or in what the handler sends back.
- A revoked link and a completed request's link reach nothing: no handler writes, none shows the request's data.
- On a browser that has not entered the emailed code, no handler shows or changes the request's items.
- Guessed links are throttled per address (the sentence, never data), whichever handler guesses.
- No backend route takes the link's token as a key: each answers A's token with another request's ids, or a revoked
  token, without data.
- The upload route (POST /_upload, through the app's upload gate) takes no byte for another request's item, a
  revoked or completed link, a browser without the code or a guessed link: 403 with the sentence, nothing stored.
- The same probe on the portal's Messages page: a client's page never shows the firm's internal notes nor another
  account's conversation, whatever thread, task or message ids its handlers are sent (the services' checks are in
  test_chats_refused.py; the chats browser journey checks the note on the phone's page).

The services' own probes are in tests/services/client_requests/test_requests.py."""
from __future__ import annotations

import io
import itertools
import json
import re
import warnings
from pathlib import Path

import pytest
import reflex as rx
from reflex import constants
from reflex.istate.data import RouterData
from reflex.utils.format import format_event_handler
from sqlmodel import func, select
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():  # as in the authorization matrix: Starlette's TestClient on the httpx it ships with
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import practice.practice  # noqa: F401 - loads every page and state
from practice import routes, upload_gate
from practice.db import read_session, write_session
from practice.models import ChatMessage, ChatRead, ChatThread, ClientRequest, ClientRequestDevice, ClientTask, Document
from practice.services.access import login_safety
from practice.services.client_requests import answering, sending
from practice.services.portal import logins
from practice.state.portal_messages import PortalMessagesState
from practice.state.request_link import RequestLinkState
from tests.factories import make_account, make_firm
from tests.security.test_authorization_matrix import _backend_routes, outcome
from tests.security.test_chats_refused import PASSWORD as CHAT_PASSWORD, SECRET as CHAT_SECRET, two_households
from tests.security.test_hostile_handler_input import Commits, _params
from tests.security.test_upload_gate import reflex_like_endpoint
from tests.services.client_requests.test_requests import DEVICE, ITEMS, fill, items, send, token_of, verify

NEW_DEVICE = "browser-never-seen-0123456789"
PROBE_IP = "198.51.100.20"
# The API's description, public like any API's: the one backend answer a stranger gets (it holds no data).
PUBLIC_API_DOCUMENT = routes.API + "/openapi.json"
EMPTY_COOKIE = re.compile(r'^[\w-]+=("")?;')
# Each secret of a request the probes must never show to another request's link (A's own show on its own link).
SECRETS = {
    "A": ("A-Private answer 4471", "a-private-statement.txt"),
    "B_other": ("Osei-secret answer 9902", "osei-secret-return.txt"),
    "B_same": ("Hartley-second answer 5513", "hartley-second-paystub.txt"),
    "R": ("Withdrawn answer 6620", "withdrawn-upload.txt"),
}


def _items_for(mark: str) -> list[dict]:
    """ITEMS' four kinds (two files, a short answer, a yes/no), labelled and noted so the probes can spot them."""
    return [{**item, "label": f"{mark} {item['label']}", "note": f"{mark} note: {item['label']}"} for item in ITEMS]


def _answer(token: str, rid: int, key: str) -> None:
    """Give a request some answers (a file on the first item, a short answer) so that it has data to leak."""
    text, filename = SECRETS[key]
    its = items(rid)
    answering.upload_file(token, its[0].id, filename, b"private bytes", device=DEVICE)
    with write_session() as s:
        answering.answer_text(s, token, its[2].id, text, device=DEVICE)


def firm_with_requests(monkeypatch):
    """Requests of the Hartley household (A: the one whose link is open; B_same: a second one; R: revoked; C:
    completed) and one of the Osei household (B_other), all answered in part on the same verified browser."""
    with write_session() as s:
        staff = make_firm(s)
        hartley = make_account(s, staff["owner"], name="Hartley Household")
        osei = make_account(s, staff["owner"], name="Osei Household")
    f = {**staff, "account": hartley.id, "other": osei.id}
    f["rid"] = {
        "A": send(f, title="Refinance documents", items=_items_for("Alpha"), message="Alpha message"),
        "B_other": send(f, account="other", title="Osei secret request", items=_items_for("Osei-secret"),
                        message="Osei-secret message", email="old-accountant@cpa.example"),
        "B_same": send(f, title="Hartley second request", items=_items_for("Hartley-second"),
                       message="Hartley-second message", email="second@lender.example"),
        "R": send(f, title="Withdrawn request", items=_items_for("Withdrawn"), message="Withdrawn message",
                  email="gone@lender.example"),
        "C": send(f, title="Completed request", items=_items_for("Finished"), message="Finished message",
                  email="done@lender.example"),
    }
    f["token"] = {key: token_of(rid) for key, rid in f["rid"].items()}
    for key in ("A", "B_other", "B_same", "R", "C"):
        verify(f["token"][key])
    for key in ("A", "B_other", "B_same", "R"):
        _answer(f["token"][key], f["rid"][key], key)
    fill(f["token"]["C"], f["rid"]["C"])
    with write_session() as s:
        answering.complete(s, f["token"]["C"], device=DEVICE)
        sending.revoke(s, staff["owner"], f["rid"]["R"])
    return f


pytestmark = [pytest.mark.security, pytest.mark.slow, pytest.mark.firm(build=firm_with_requests)]


def secrets_of(f, key: str) -> set[str]:
    """What of a request only its own (verified) link may show: title, message, labels, notes, answers, file
    names, the recipient's address."""
    with read_session() as s:
        request = s.get(ClientRequest, f["rid"][key])
        its = sending.items_of(s, request.id)
        names = [d.name for d in s.exec(select(Document).where(
            Document.id.in_([d for i in its for d in i.document_ids])))]
        found = {request.title, request.message, request.recipient_email, *names}
        for item in its:
            found |= {item.label, item.note, item.answer_text}
    return {text for text in found if text}


def item_secrets_of(f, key: str) -> set[str]:
    """What of a request shows only once the browser proved the address (its title and the firm's name show
    before, to say what the code is for)."""
    return secrets_of(f, key) - {title_of(f, key)}


def title_of(f, key: str) -> str:
    with read_session() as s:
        return s.get(ClientRequest, f["rid"][key]).title


def snapshot(f, key: str) -> tuple:
    """Everything of a request a link could change: the request, its items, its browsers, its account's files (but
    those A's recipient uploads: A's link may add files to its own request, also when it shares B's account)."""
    with read_session() as s:
        request = s.get(ClientRequest, f["rid"][key])
        row = (request.status, request.completed_at, request.code_hash, request.code_attempts, request.last_opened_at)
        its = [(i.id, i.answer_text, i.answer_yes, tuple(i.document_ids), i.answered_at)
               for i in sending.items_of(s, request.id)]
        devices = s.exec(select(func.count()).select_from(ClientRequestDevice)
                         .where(ClientRequestDevice.request_id == request.id)).one()
        a_uploader = answering.recipient_actor(s, s.get(ClientRequest, f["rid"]["A"])).name
        files = s.exec(select(func.count()).select_from(Document).where(
            Document.account_id == request.account_id, Document.uploaded_by_label != a_uploader)).one()
    return row, its, devices, files


def ids_of(f, key: str) -> tuple[list[int], list[int]]:
    """A request's item ids and the ids of the files on them."""
    its = items(f["rid"][key])
    return [i.id for i in its], [d for i in its for d in i.document_ids]


# --- driving the page state as the browser does ------------------------------------------------------------------

def link_tab(token: str, device: str = DEVICE, ip: str = PROBE_IP) -> RequestLinkState:
    """A tab on /request/<token>, its page loaded: `load` asks the browser for its device id, whose answer comes
    back to `with_device` (what the page's script does)."""
    tab = RequestLinkState()
    tab.router = RouterData.from_router_data({
        constants.RouteVar.PATH: routes.client_request_url(token), constants.RouteVar.QUERY: {"token": token},
        constants.RouteVar.CLIENT_IP: ip, constants.RouteVar.HEADERS: {}})
    outcome(RequestLinkState.event_handlers["load"].fn, tab)
    outcome(lambda state: RequestLinkState.event_handlers["with_device"].fn(state, device), tab)
    return tab


def handlers(cls=RequestLinkState) -> dict:
    """Every event handler of a page state (Reflex's generic `setvar` only reaches `set_` handlers; a background
    handler is the page's own poller, which takes no argument and writes nothing)."""
    found = {name: h for name, h in cls.event_handlers.items()
             if not name.startswith("_") and name != "setvar" and not h.is_background}
    if cls is RequestLinkState:
        assert {"load", "with_device", "send_code", "enter_code", "save_text", "save_yes_no", "remove_file",
                "choose", "upload", "complete"} <= set(found)
    return found


def _upload(name: str) -> rx.UploadFile:
    """A file as Reflex hands it to an upload handler."""
    return rx.UploadFile(file=io.BytesIO(b"probe bytes"), path=Path(name), size=11)


def calls(handler, ints: list[int], picks: list[int] | None = None) -> list[tuple]:
    """(the tab's chosen upload item, the arguments) for each probe of one handler: every id given where a number
    goes (each pair where two do), a short answer, a yes, a form (a code, a text, a subject), a file. With `picks`,
    a handler taking no number runs once for each chosen upload item (the link page's upload takes its item from the
    tab, which the page's "Add a file" set)."""
    values = {int: ints, str: ["yes", "Probe wrote this"], list: [[_upload("probe.txt")]], None: [""],
              dict: [{"code": "123456", "text": "Probe wrote this", "subject": "Probe subject"}]}
    params = [kind for _name, kind in _params(handler.fn)]
    combos = list(itertools.product(*[values.get(kind, [""]) for kind in params]))
    chosen = picks if picks and not any(kind is int for kind in params) else [0]
    return [(pick, args) for pick in chosen for args in combos]


def call(tab, handler, pick: int, args: tuple) -> str:
    """Run one handler on the tab; the tab's vars as the browser receives them and what the handler sent back."""
    if pick:
        tab.upload_for = pick
    sent = outcome(lambda state: handler.fn(state, *args), tab)
    return json.dumps(tab.dict(), default=str) + repr(sent)


def shown(text: str, secrets: set[str]) -> list[str]:
    return sorted(secret for secret in secrets if secret in text)


# --- 1. A's link, B's ids --------------------------------------------------------------------------------------

def test_a_link_reaches_only_its_own_requests_items_whatever_ids_the_browser_sends(firm):
    f = firm
    others = ("B_other", "B_same")
    before = {key: snapshot(f, key) for key in others}
    secrets = set().union(*(secrets_of(f, key) for key in others))
    their_items = [i for key in others for i in ids_of(f, key)[0]]
    their_files = [d for key in others for d in ids_of(f, key)[1]]
    own_items, own_files = ids_of(f, "A")
    assert their_files and own_files
    # Their ids, and A's own file item (with their files on it) so that A's item and B's file meet too.
    ints = their_items + their_files + own_items[:1]
    tab = link_tab(f["token"]["A"])
    assert not tab.needs_code and {i.id for i in tab.items} == set(own_items)  # A's link is open on this browser
    leaks, probes, refusals = [], 0, set()
    for name, handler in sorted(handlers().items()):
        for pick, args in calls(handler, ints, ints):
            seen = call(tab, handler, pick, args)
            probes += 1
            refusals |= set(tab.item_error.values())
            if found := shown(seen, secrets):
                leaks.append(f"{name}{args!r:.60} (upload item {pick}) showed {found}")
            # A handler that closed the tab or gave it another device id: the next probe opens A's link afresh.
            tab = link_tab(f["token"]["A"]) if tab.done or tab.closed or tab.needs_code else tab
    assert probes > 100
    assert not leaks, "\n".join(leaks[:30])
    assert {key: snapshot(f, key) for key in others} == before, "a probe through A's link changed B"
    # The probes reached the item check (not some earlier refusal), which answered with its sentence; the same
    # upload onto A's own item went through.
    assert "probe.txt" in [file.name for item in link_tab(f["token"]["A"]).items for file in item.files]
    assert {"That item is not part of this request.", "That file is not one of this item's."} <= refusals, refusals
    assert {i.id for i in link_tab(f["token"]["A"]).items} == set(own_items)


# --- 2. a revoked link, a completed request's link --------------------------------------------------------------

@pytest.mark.parametrize("key, sentence", [("R", "withdrew this request"), ("C", "request is complete")])
def test_a_revoked_or_completed_link_reaches_nothing_through_any_handler(firm, fresh_db, key, sentence):
    f = firm
    own_items, own_files = ids_of(f, key)
    secrets = secrets_of(f, key)
    before, commits = snapshot(f, key), Commits(fresh_db)
    version = commits.version()
    leaks, probes = [], 0
    for name, handler in sorted(handlers().items()):
        # Its own ids: the browser proved the address before the firm withdrew it (or it was completed).
        for pick, args in calls(handler, own_items + own_files, own_items + own_files):
            tab = link_tab(f["token"][key])
            assert tab.closed and sentence in tab.closed and not tab.items
            seen = call(tab, handler, pick, args)
            probes += 1
            if found := shown(seen, secrets):
                leaks.append(f"{name}{args!r:.60} showed {found}")
    assert probes > 50
    assert not leaks, "\n".join(leaks[:30])
    assert not commits.committed_since(version), "a handler wrote through a closed link"
    assert snapshot(f, key) == before


# --- 3. a new browser, no code entered --------------------------------------------------------------------------

def test_a_browser_that_has_not_entered_the_code_sees_and_changes_none_of_the_items(firm):
    f = firm
    own_items, own_files = ids_of(f, "A")
    secrets = item_secrets_of(f, "A")
    with read_session() as s:
        address = s.get(ClientRequest, f["rid"]["A"]).recipient_email
    before_items = snapshot(f, "A")[1:]  # the request row takes the codes asked for; its items, browsers and files not
    leaks = []
    for name, handler in sorted(handlers().items()):
        for pick, args in calls(handler, own_items + own_files, own_items + own_files):
            tab = link_tab(f["token"]["A"], device=NEW_DEVICE)
            assert tab.needs_code and not tab.items and tab.email != address
            seen = call(tab, handler, pick, args)
            if found := shown(seen, secrets):
                leaks.append(f"{name}{args!r:.60} showed {found}")
            if tab.items or (not tab.needs_code and not tab.closed):
                leaks.append(f"{name}{args!r:.60} opened the request")
    assert not leaks, "\n".join(leaks[:30])
    assert snapshot(f, "A")[1:] == before_items


# --- 4. guessing links -----------------------------------------------------------------------------------------

def test_guessing_links_through_any_handler_is_throttled_per_address(firm, monkeypatch):
    f = firm
    secrets = secrets_of(f, "A")
    # The throttle's clock stands still, so the pause earned below lasts through the checks on a slow machine (on a
    # loaded PostgreSQL run they took longer than the pause, and the real link rightly opened again).
    frozen = login_safety.utcnow()
    monkeypatch.setattr(login_safety, "utcnow", lambda: frozen)
    guesses = iter(f"guessed-link-{n:04d}-0123456789abcdef" for n in itertools.count())
    tried = 0
    for _name, handler in sorted(handlers().items()):
        for pick, args in calls(handler, [1], [1]):
            tab = link_tab(next(guesses))
            call(tab, handler, pick, args)
            tried += 1
    assert tried > login_safety.LINK_POLICY.slow_after
    # The address is paused now: even A's real link answers it with a sentence, nothing of the request.
    tab = link_tab(f["token"]["A"])
    assert tab.closed.startswith("Too many attempts. Try again in"), tab.closed
    assert not shown(json.dumps(tab.dict(), default=str), secrets) and not tab.items
    for name, handler in sorted(handlers().items()):
        for pick, args in calls(handler, ids_of(f, "A")[0][:1], ids_of(f, "A")[0][:1]):
            assert not shown(call(link_tab(f["token"]["A"]), handler, pick, args), secrets), name
    # Another address is not held up.
    assert [i.id for i in link_tab(f["token"]["A"], ip="192.0.2.44").items] == ids_of(f, "A")[0]


# --- 5. the backend routes over HTTP -----------------------------------------------------------------------------

def _filled(path: str, value: int) -> str:
    """A route's path with every parameter set to `value` (its int parts) or to a page number 0."""
    out, rest = "", path
    while "{" in rest:
        head, _, tail = rest.partition("{")
        spec, _, rest = tail.partition("}")
        out += head + ("0" if spec.startswith("page") else str(value))
    return out + rest


def test_no_backend_route_takes_the_link_as_a_key(firm):
    """Every backend route (downloads, page images, login cookies, the API), asked with A's link token (as a query,
    a bearer token and both login cookies) for the others' requests, items and files, and with the revoked link."""
    f = firm
    backend = [r for r in _backend_routes().values() if isinstance(r, Route)]
    app = Starlette(routes=[Route(r.path, r.endpoint, methods=sorted(r.methods or ["GET"])) for r in backend])
    secrets = set().union(*(secrets_of(f, key) for key in ("A", "B_other", "B_same", "R")))
    targets = [f["rid"][key] for key in ("B_other", "B_same", "R")]
    for key in ("B_other", "B_same", "R", "A"):
        targets += ids_of(f, key)[1] + ids_of(f, key)[0]
    urls = sorted({(_filled(r.path, target).replace(":int", ""), method) for r in backend for target in targets
                   for method in (r.methods or {"GET"}) - {"HEAD"}})
    wrong, probes = [], 0
    for key in ("A", "R"):  # A's open link with the others' ids, and the revoked link
        token = f["token"][key]
        with TestClient(app, follow_redirects=False) as client:
            for url, method in urls:
                answer = client.request(method, url, params={"token": token},
                                        headers={"Authorization": f"Bearer {token}"},
                                        cookies={"practice_sid": token, "portal_sid": token})
                probes += 1
                body = answer.content
                # A cookie may only be cleared (the logout routes clear whatever login there is).
                given = [c for c in answer.headers.get_list("set-cookie") if not EMPTY_COOKIE.match(c)]
                refused = answer.status_code >= 300 or url == PUBLIC_API_DOCUMENT
                if not refused or given or b"private bytes" in body \
                        or shown(body.decode("utf-8", "replace"), secrets):
                    wrong.append(f"{method} {url} with {key}'s link: {answer.status_code} {body[:80]!r} {given}")
    assert probes > 100
    assert not wrong, "\n".join(wrong[:30])


# --- 6. the portal's conversations: another account's threads, the firm's internal notes -------------------------

def households_with_amy_logged_in(monkeypatch):
    """test_chats_refused's two households (Amy of the Jones household, a thread on each account, an internal note
    on the Jones thread), Amy logged in to the portal."""
    f = two_households(monkeypatch)
    with write_session() as s:
        f["sid"] = logins.log_in(s, "amy@jones.example", CHAT_PASSWORD)
    with read_session() as s:
        f["note"] = s.exec(select(ChatMessage.id).where(ChatMessage.internal == True)).one()  # noqa: E712
    return f


def portal_tab(sid: str) -> PortalMessagesState:
    """A tab on the portal's Messages page, its page loaded (the HttpOnly cookie, as the websocket carries it)."""
    tab = PortalMessagesState()
    tab.router = RouterData.from_router_data({
        constants.RouteVar.PATH: routes.PORTAL_MESSAGES, constants.RouteVar.CLIENT_IP: PROBE_IP,
        constants.RouteVar.HEADERS: {"cookie": f"{routes.PORTAL_SESSION_COOKIE}={sid}"}})
    outcome(PortalMessagesState.event_handlers["load"].fn, tab)
    return tab


def smith_snapshot(f) -> tuple:
    with read_session() as s:
        thread = s.get(ChatThread, f["st"])
        said = s.exec(select(ChatMessage.id, ChatMessage.text, ChatMessage.edited_at)
                      .where(ChatMessage.thread_id == f["st"]).order_by(ChatMessage.id)).all()
        tasks = s.exec(select(ClientTask.id, ClientTask.done_at).where(ClientTask.account_id == f["smith"])).all()
        reads = s.exec(select(ChatRead.contact_id, ChatRead.last_read_message_id)
                       .where(ChatRead.thread_id == f["st"])).all()
    return thread.subject, thread.archived_at, tuple(said), tuple(tasks), tuple(reads)


@pytest.mark.firm(build=households_with_amy_logged_in)
def test_a_clients_messages_page_shows_no_internal_note_and_no_other_accounts_thread(firm):
    f = firm
    secrets = {CHAT_SECRET, "Smith return", "Smith only", "Smith task"}
    before = smith_snapshot(f)
    tab = portal_tab(f["sid"])
    outcome(lambda state: PortalMessagesState.event_handlers["open_thread"].fn(state, f["jt"]), tab)
    # The Jones thread is open on Amy's page: the firm's message shows, its internal note does not.
    assert "Please upload your W-2" in [m.text for m in tab.messages]
    assert not shown(json.dumps(tab.dict(), default=str), secrets)
    leaks, probes = [], 0
    for name, handler in sorted(handlers(PortalMessagesState).items()):
        for _pick, args in calls(handler, [f["st"], f["smith_task"], f["smith_message"], f["note"]]):
            seen = call(tab, handler, 0, args)
            probes += 1
            if found := shown(seen, secrets):
                leaks.append(f"{name}{args!r:.60} showed {found}")
        # Back on the Jones thread for the next handler (one may have opened another, or none).
        outcome(lambda state: PortalMessagesState.event_handlers["open_thread"].fn(state, f["jt"]), tab)
    assert probes > 10
    assert not leaks, "\n".join(leaks[:30])
    assert smith_snapshot(f) == before, "a probe from Amy's page changed the Smith family's conversation"


# --- 7. the upload route: POST /_upload through the app's upload gate -------------------------------------------

def _post_upload(monkeypatch, tab, *, token: str = "tab-1") -> tuple[int, str, list]:
    """POST a small file to the link page's upload handler from `tab` (the state the upload's client token names),
    through the app's upload gate; (status, body, what reached Reflex's endpoint behind it)."""
    async def this_tab(ident, state_cls):
        assert state_cls is RequestLinkState
        return tab

    monkeypatch.setattr(upload_gate, "_visitor_state", this_tab)
    seen: list = []
    content = (b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"probe.txt\"\r\n\r\nprobe bytes\r\n"
               b"--x--\r\n")
    headers = {"reflex-event-handler": format_event_handler(RequestLinkState.upload),
               "content-type": "multipart/form-data; boundary=x"}
    if token:
        headers["reflex-client-token"] = token
    with TestClient(upload_gate.UploadGate(reflex_like_endpoint(seen))) as client:
        answer = client.post(upload_gate.UPLOAD_PATH, content=content, headers=headers)
    return answer.status_code, answer.text, seen


def test_the_upload_route_takes_no_byte_for_another_requests_item_or_a_closed_link(firm, monkeypatch):
    f = firm
    secrets = set().union(*(secrets_of(f, key) for key in ("B_other", "B_same", "R", "C")))
    own_items = ids_of(f, "A")[0]
    tab = link_tab(f["token"]["A"])
    tab.upload_for = own_items[0]  # A's own file item, as "Add a file" chose it: the upload goes through
    status, _body, seen = _post_upload(monkeypatch, tab)
    assert status == 200 and len(seen) == 1
    wrong = []

    def refused(label: str, tab, sentence: str, **kw) -> None:
        status, body, seen = _post_upload(monkeypatch, tab, **kw)
        if status != 403 or seen or sentence not in body or shown(body, secrets):
            wrong.append(f"{label}: {status} {body[:160]!r}, {len(seen)} reached the endpoint")

    for key in ("B_other", "B_same"):
        for item in ids_of(f, key)[0]:
            tab = link_tab(f["token"]["A"])
            tab.upload_for = item
            refused(f"A's link, {key}'s item {item}", tab, "not part of this request")
    tab = link_tab(f["token"]["A"])
    tab.upload_for = own_items[2]  # A's short answer: no files there
    refused("A's short answer item", tab, "answered another way")
    for key, sentence in (("R", "withdrew this request"), ("C", "request is complete")):
        tab = link_tab(f["token"][key])
        tab.upload_for = ids_of(f, key)[0][0]
        refused(f"{key}'s link", tab, sentence)
    tab = link_tab(f["token"]["A"], device=NEW_DEVICE)
    tab.upload_for = own_items[0]
    refused("a browser without the code", tab, "Enter the code")
    refused("no tab named", link_tab(f["token"]["A"]), "not a place to upload", token="")
    for n in range(login_safety.LINK_POLICY.slow_after + 1):
        tab = link_tab(f"guessed-upload-link-{n:04d}-0123456789")
    refused("a guessed link", tab, "Too many attempts")
    assert not wrong, "\n".join(wrong)
