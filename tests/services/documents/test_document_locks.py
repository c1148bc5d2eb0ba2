"""A document locked until an invoice is paid: the client sees it listed with the invoice to pay, and cannot open it
(at the service, at the download route, through the drive) until that invoice is paid in full; staff always open
it; only an unpaid invoice of the same account locks it, and only people who manage invoices lock and unlock."""
from __future__ import annotations

import base64
import dataclasses
import warnings
from urllib.parse import quote

import httpx

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette would rather have httpx2; the httpx it ships with works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from practice import routes
from practice.db import read_session, write_session
from practice.drive_app import make_app
from practice.http_routes import HTTP_ROUTES
from practice.models import Contact, Invoice
from practice.services.access import auth
from practice.services.billing import document_locks, invoices
from practice.services.documents import drive, files as document_files
from practice.services.errors import Conflict, NotFound, PermissionDenied
from practice.services.payments import refunds
from practice.services.portal import logins, pages
from tests.factories import PASSWORD, give_portal_login, make_firm, make_household

CLIENT_PASS = "lock-until-paid-7"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))


def hartley_with_a_return(monkeypatch):
    """Hartley Household (June, on the portal) owes invoice 1 ($480); Other Client (Sam) owes its own invoice;
    Bob is on Hartley's team without the billing rights."""
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Park", "email": "olivia@firm.example"},
                          employees={"bob": "Bob Stone"})
        owner = staff["owner"]
        account, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False,
                                          team_member_ids=[staff["bob"].member_id])
        other, (sam,) = make_household(s, owner, "Other Client", "Other", ("Sam",), invite=False)
        ids = {}
        for key, account_id, dollars in (("invoice", account.id, "480"), ("other_invoice", other.id, "90"),
                                         ("second_invoice", account.id, "60")):
            draft = invoices.save_draft(s, owner, account_id=account_id, lines=[{"name": "Tax return",
                                                                                  "rate": dollars}])
            ids[key] = invoices.issue(s, owner, draft.id).id
        ids["draft"] = invoices.save_draft(s, owner, account_id=account.id, lines=[{"name": "Advice",
                                                                                     "rate": "50"}]).id
        emails = {"june": june.email, "sam": sam.email}
    for contact in (june, sam):
        give_portal_login(owner, contact.id, CLIENT_PASS)
    with write_session() as s:
        sids = {key: logins.log_in(s, email, CLIENT_PASS) for key, email in emails.items()}
        sids["olivia"], _ = auth.log_in(s, "olivia@firm.example", PASSWORD)
    with read_session() as s:
        actors = {key: logins.actor_for_portal_session(s, sids[key]) for key in ("june", "sam")}
    return {**staff, **ids, **actors, "account": account.id, "other": other.id, "sid": sids}


pytestmark = pytest.mark.firm(build=hartley_with_a_return)


def a_return(firm) -> int:
    return document_files.upload(firm["owner"], firm["account"], None, "Return 2025.txt", b"the finished return").id


def lock(firm, doc: int, invoice: int, who: str = "owner"):
    with write_session() as s:
        return document_locks.lock_document(s, firm[who], doc, invoice)


def pay(firm, invoice: int, dollars: int) -> None:
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], invoice, amount_cents=dollars * 100, method="check")


def downloaded_by(firm, who: str, doc: int):
    """The download route's answer to `who` (a portal contact, or "olivia" signed in as staff)."""
    cookie = routes.STAFF_SESSION_COOKIE if who == "olivia" else routes.PORTAL_SESSION_COOKIE
    with TestClient(Starlette(routes=HTTP_ROUTES), cookies={cookie: firm["sid"][who]}) as client:
        return client.get(routes.file_url(doc))


def listed(firm, who: str = "june") -> dict[str, pages.DocumentItem]:
    with read_session() as s:
        return {d.name: d for d in pages.documents_page(s, firm[who]).documents}


def test_a_locked_document_is_listed_for_the_client_but_opens_only_once_its_invoice_is_paid(firm, files):
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])
    with read_session() as s:
        number = s.get(Invoice, firm["invoice"]).number
    shown = listed(firm)["Return 2025.txt"]
    assert shown.lock is not None and shown.lock.invoice_id == firm["invoice"] and shown.lock.number == number
    with read_session() as s, pytest.raises(PermissionDenied, match=f"opens once invoice {number} is paid"):
        document_files.document_for_download(s, firm["june"], doc)
    refused = downloaded_by(firm, "june", doc)
    assert refused.status_code == 403 and f"invoice {number} is paid" in refused.text
    # Staff always open it.
    assert downloaded_by(firm, "olivia", doc).content == b"the finished return"
    with read_session() as s:
        assert document_files.document_for_download(s, firm["bob"], doc).filename == "Return 2025.txt"

    pay(firm, firm["invoice"], 200)  # a part: still locked
    assert downloaded_by(firm, "june", doc).status_code == 403
    assert listed(firm)["Return 2025.txt"].lock is not None

    pay(firm, firm["invoice"], 280)  # the rest: it opens
    assert downloaded_by(firm, "june", doc).content == b"the finished return"
    assert listed(firm)["Return 2025.txt"].lock is None


def test_the_drive_lists_a_locked_document_and_refuses_its_bytes_until_paid(firm, files):
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])
    with read_session() as s:
        label = drive.account_label(firm["account"], "Hartley Household")
        email = s.get(Contact, firm["june"].contact_id).email
    client = httpx.Client(transport=httpx.WSGITransport(app=make_app()), base_url="http://drive.test")
    june = {"Authorization": "Basic " + base64.b64encode(f"{email}:{CLIENT_PASS}".encode()).decode()}
    top = client.request("PROPFIND", f"/{quote(label)}/", headers={"Depth": "1", **june})
    assert "Return%202025.txt" in top.text or "Return 2025.txt" in top.text
    assert client.get(f"/{quote(label)}/Return%202025.txt", headers=june).status_code == 403
    pay(firm, firm["invoice"], 480)
    assert client.get(f"/{quote(label)}/Return%202025.txt", headers=june).content == b"the finished return"


def test_only_an_unpaid_sent_invoice_of_the_same_account_locks_it(firm, files):
    doc = a_return(firm)
    with write_session() as s, pytest.raises(NotFound, match="invoice of this document's account"):
        document_locks.lock_document(s, firm["owner"], doc, firm["other_invoice"])
    with write_session() as s, pytest.raises(Conflict, match="not sent yet"):
        document_locks.lock_document(s, firm["owner"], doc, firm["draft"])
    pay(firm, firm["second_invoice"], 60)
    with write_session() as s, pytest.raises(Conflict, match="paid or void"):
        document_locks.lock_document(s, firm["owner"], doc, firm["second_invoice"])
    with read_session() as s:
        offered = [i.id for i in document_locks.lockable_invoices(s, firm["owner"], doc)]
    assert offered == [firm["invoice"]]
    assert listed(firm)["Return 2025.txt"].lock is None


def test_only_people_who_manage_invoices_lock_and_unlock(firm, files):
    doc = a_return(firm)
    with write_session() as s, pytest.raises(PermissionDenied, match="manage invoices"):
        document_locks.lock_document(s, firm["bob"], doc, firm["invoice"])
    with write_session() as s, pytest.raises(PermissionDenied):
        document_locks.lock_document(s, firm["june"], doc, firm["invoice"])
    biller = dataclasses.replace(firm["bob"], can_manage_billing=True, can_see_billing=True)
    with write_session() as s:
        document_locks.lock_document(s, biller, doc, firm["invoice"])
    assert downloaded_by(firm, "june", doc).status_code == 403
    with write_session() as s, pytest.raises(PermissionDenied):
        document_locks.unlock_document(s, firm["bob"], doc)
    with write_session() as s:
        document_locks.unlock_document(s, biller, doc)
    assert downloaded_by(firm, "june", doc).status_code == 200


def test_a_contact_of_another_account_never_sees_the_locked_document(firm, files):
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])
    assert "Return 2025.txt" not in listed(firm, "sam")
    answer = downloaded_by(firm, "sam", doc)
    assert answer.status_code == 403 and "invoice" not in answer.text


def test_a_voided_invoice_keeps_the_document_locked_until_staff_choose_another_or_unlock(firm, files):
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])
    with write_session() as s:
        invoices.void(s, firm["owner"], firm["invoice"], "Wrong amount")
    shown = listed(firm)["Return 2025.txt"]
    assert shown.lock is not None and shown.lock.voided
    answer = downloaded_by(firm, "june", doc)
    assert answer.status_code == 403 and "Ask them to open it" in answer.text
    with read_session() as s:
        staff_row = next(d for d in document_files.list_documents(s, firm["owner"], firm["account"]) if d.id == doc)
    assert staff_row.lock is not None and staff_row.lock.voided
    lock(firm, doc, firm["second_invoice"])
    pay(firm, firm["second_invoice"], 60)
    assert downloaded_by(firm, "june", doc).status_code == 200


def test_the_portal_home_tells_of_a_locked_document_as_new_only_once_it_opens(firm, files):
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])

    def new_from_the_firm() -> list[str]:
        with read_session() as s:
            return [d.name for d in pages.home_page(s, firm["june"]).looks if not d.name.startswith("Invoice")]

    assert new_from_the_firm() == []
    pay(firm, firm["invoice"], 480)
    assert new_from_the_firm() == ["Return 2025.txt"]


def test_a_refund_that_leaves_its_invoice_due_locks_the_document_again_until_paid(firm, files):
    """Locked means "its invoice is not paid in full", read live: money given back makes the invoice due again, and
    the document waits for it again; paying what is due opens it again."""
    doc = a_return(firm)
    lock(firm, doc, firm["invoice"])
    with write_session() as s:
        paid = invoices.record_payment(s, firm["owner"], firm["invoice"], amount_cents=48000, method="check").id
    assert downloaded_by(firm, "june", doc).content == b"the finished return"
    refunds.refund(firm["owner"], paid, amount_cents=5000, reason="Fee charged twice")
    assert downloaded_by(firm, "june", doc).status_code == 403
    assert listed(firm)["Return 2025.txt"].lock is not None
    pay(firm, firm["invoice"], 50)
    assert downloaded_by(firm, "june", doc).content == b"the finished return"
