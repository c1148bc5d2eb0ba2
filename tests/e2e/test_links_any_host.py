"""Documents and signing page images load at whatever host name the app is opened at: the harness answers at
`localhost` and `127.0.0.1` alike, and each journey runs at both. Links are relative, so the browser sends the
login cookie of the host it is on (before, they pointed at the backend's configured address, and at the other
host name staff were told "Log in to download documents" and the page to sign was an empty image)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from practice.db import write_session
from practice.services.documents import files as document_files
from tests.e2e.conftest import log_in
from tests.factories import demo_owner, portal_client, make_signature_request, normal_pdf

pytestmark = pytest.mark.e2e

CLIENT_PASS = "copper-meadow-kettle-8"
LETTER = normal_pdf(2)
ORGANIZER = normal_pdf(1)
HOSTS = ("localhost", "127.0.0.1")


@pytest.fixture(scope="module")
def letter(harness):
    """An account whose contact has a portal login, an organizer and a two-page letter in its documents, and
    requests (sent) for the contact to sign the letter, one per host name."""
    owner = demo_owner()
    account_id, contact_id = portal_client(account="Linden Household", first_name="Rhea", last_name="Linden",
                                           email="rhea@linden.example", password=CLIENT_PASS, staff=owner)
    doc = document_files.upload(owner, account_id, None, "Engagement letter.pdf", LETTER)
    document_files.upload(owner, account_id, None, "Tax organizer.pdf", ORGANIZER)
    requests = {}
    for host in HOSTS:  # one each, as a signer opens a request once
        with write_session() as s:
            requests[host] = make_signature_request(s, owner, account_id, title="Engagement letter 2026",
                                                    document_id=doc.id, signer_contact_ids=[contact_id]).id
    return {"account_id": account_id, "requests": requests, "email": "rhea@linden.example"}


def _at(base_url: str, host: str) -> str:
    return re.sub(r"://[^:/]+", f"://{host}", base_url, count=1)


def _expect_image_drawn(img) -> None:
    expect(img).to_have_js_property("complete", True)
    assert img.evaluate("img => img.naturalWidth") > 0, "the page image did not load"


@pytest.mark.parametrize("host", HOSTS)
def test_staff_download_a_document_and_see_the_pages_to_sign_at_either_host_name(page, base_url, letter, host):
    site = _at(base_url, host)
    log_in(page, site)
    page.goto(f"{site}/accounts/{letter['account_id']}")
    link = page.locator(".document-row", has_text="Engagement letter.pdf").locator("a.document-link")
    expect(link).to_have_attribute("href", re.compile(r"^/files/\d+$"))
    with page.expect_download() as info:
        link.click()
    assert open(info.value.path(), "rb").read() == LETTER

    page.goto(f"{site}/signatures/{letter['requests'][host]}")
    expect(page.locator("#request-title")).to_have_text("Engagement letter 2026")
    _expect_image_drawn(page.locator("#sign-page-0 img"))
    _expect_image_drawn(page.locator("#sign-page-1 img"))


@pytest.mark.parametrize("host", HOSTS)
def test_client_sees_the_page_to_sign_and_downloads_a_document_at_either_host_name(phone_page, base_url, letter,
                                                                                    host):
    site = _at(base_url, host)
    phone_page.goto(f"{site}/portal/login")
    phone_page.fill("#portal-email", letter["email"])
    phone_page.fill("#portal-password", CLIENT_PASS)
    phone_page.click("#portal-login-submit")
    expect(phone_page).to_have_url(re.compile(r"/portal$"))

    phone_page.goto(f"{site}/portal/sign/{letter['requests'][host]}")
    # The contact consents to sign electronically once, at the first request they open.
    expect(phone_page.locator("#sign-disclosure, #sign-pages").first).to_be_visible()
    if phone_page.locator("#sign-disclosure").is_visible():
        phone_page.click("#consent-agree")
        phone_page.click("#consent-continue")
    expect(phone_page.locator(".sign-page img")).to_have_count(2)
    _expect_image_drawn(phone_page.locator(".sign-page img").first)

    phone_page.goto(f"{site}/portal/documents")
    link = phone_page.locator("a.portal-document-link", has_text="Tax organizer.pdf")
    expect(link).to_have_attribute("href", re.compile(r"^/files/\d+$"))
    with phone_page.expect_download() as info:
        link.click()
    assert open(info.value.path(), "rb").read() == ORGANIZER
