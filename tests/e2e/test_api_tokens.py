"""Personal access tokens in a browser, used by a real program against the running app: Carla (an employee who sees
only her accounts) makes a read token on her phone through the menu, reads its secret once, and a program using it
lists exactly her accounts; after she revokes it the program is refused. The owner makes a read-and-write token on a
desktop and a program creates a task with it, recorded in the audit log under her name, "via API token" named."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session
from practice.models import AuditLog, Task, TeamMember
from practice.services.actor import Actor
from practice.services.api import reads
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
CARLA = ("carla@example.com", "demo-staff-pass")


def make_token(pg, name: str, scope: str) -> str:
    pg.fill("#token-name", name)
    pg.select_option("#token-scope", scope)
    pg.click("#make-token")
    expect(pg.locator("#new-token")).to_contain_text(name)
    secret = pg.locator("#new-token-secret").inner_text().strip()
    assert secret.startswith("prt_")
    return secret


def api(base_url: str, secret: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(kwargs.pop("method", "GET"), base_url + "/api/v1" + path,
                         headers={"Authorization": f"Bearer {secret}"}, timeout=30, **kwargs)


def test_an_employee_makes_a_read_token_on_her_phone_and_revokes_it(phone_page, base_url):
    pg = phone_page
    log_in(pg, base_url, *CARLA)
    pg.click("#phone-menu")
    pg.get_by_role("menu").get_by_role("menuitem", name="Settings").click()
    pg.wait_for_url(re.compile(r"/settings$"))
    pg.click("#settings-nav-api-tokens")
    pg.wait_for_url(re.compile(r"/settings/api-tokens$"))
    expect(pg.locator("#tokens-card")).to_contain_text("No tokens yet")
    secret = make_token(pg, "Carla's spreadsheet", "read")
    row = pg.locator("#tokens-card tr", has_text="Carla's spreadsheet")
    expect(row).to_contain_text("Read only")
    expect(row).to_contain_text("Never")
    pg.click("#token-saved")
    expect(pg.locator("#new-token")).to_have_count(0)
    expect(pg.locator("body")).not_to_contain_text(secret)

    with read_session() as s:
        carla = Actor.of(s.exec(select(TeamMember).where(TeamMember.email == CARLA[0])).one())
        hers = reads.list_accounts(s, carla, reads.Paging(limit=200)).items
    answer = api(base_url, secret, "/accounts?limit=200")
    assert answer.status_code == 200, answer.text
    names = [a["name"] for a in answer.json()["items"]]
    assert names == [a["name"] for a in hers] and 0 < len(names) < 50
    assert api(base_url, secret, "/tasks", method="POST", json={"title": "x"}).status_code == 403

    pg.reload()
    expect(row).not_to_contain_text("Never")
    row.get_by_role("button", name="Revoke").click()
    pg.click("#confirm-revoke-token")
    expect(row).to_contain_text("Revoked")
    refused = api(base_url, secret, "/accounts")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]


def test_the_owner_makes_a_write_token_and_a_program_adds_a_task(page, base_url):
    log_in(page, base_url)
    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.wait_for_url(re.compile(r"/settings$"))
    page.click("#settings-nav-api-tokens")
    secret = make_token(page, "Practice journey sync", "write")
    expect(page.locator("#tokens-card")).to_contain_text("Read and write")
    account = api(base_url, secret, "/accounts?limit=1").json()["items"][0]
    made = api(base_url, secret, "/tasks", method="POST",
               json={"title": "Journey: call about the organizer", "account_id": account["id"]})
    assert made.status_code == 201, made.text
    with read_session() as s:
        task = s.get(Task, made.json()["id"])
        row = s.exec(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == task.id)).one()
    assert task.account_id == account["id"] and row.actor_label == "Olivia Park"
    # The audit log says the task came through the API, and by which token (its name and prefix, not its secret).
    page.get_by_role("link", name="Audit log").click()
    entry = page.locator(".audit-entry", has_text="Journey: call about the organizer")
    expect(entry).to_contain_text("Olivia Park")
    expect(entry.locator(".audit-via")).to_have_text(f"via API token Practice journey sync ({secret[:10]}…)")
    expect(page.locator("body")).not_to_contain_text(secret)
    page.goto(base_url + "/settings/api-tokens")
    page.locator("#tokens-card tr", has_text="Practice journey sync").get_by_role("button", name="Revoke").click()
    page.click("#confirm-revoke-token")
    expect(page.locator("#tokens-card tr", has_text="Practice journey sync")).to_contain_text("Revoked")
    assert api(base_url, secret, "/accounts").status_code == 401
