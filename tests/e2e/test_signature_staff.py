"""Staff side of signatures at desktop size: a request on an uploaded two-page PDF for two contacts (the
second also asked for a code by email, ticked with the keyboard), one signature field each placed by
clicking on the page images, sent, and the signers' statuses and identity checks; and the
document templates editor (create, preview as PDF)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Role, SignatureField, SignatureRequest, Signer, TeamMember
from practice.services.work import accounts
from practice.services.actor import Actor
from tests.e2e.conftest import log_in
from tests.factories import give_portal_login
from tests.factories.hostile_pdfs import normal_pdf

pytestmark = pytest.mark.e2e

CLIENT_PASS = "harbor-violet-lantern-4"


def _owner() -> Actor:
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.role == Role.owner)).first())


def _account_with_two_portal_contacts(family: str = "Quill") -> int:
    """A new account whose two contacts have active portal logins, and a third with none."""
    owner = _owner()
    with write_session() as s:
        account = accounts.create_account(s, owner, name=f"{family} Household", type="Individual")
        ids = [accounts.create_contact(s, owner, account_ids=[account.id], first_name=first, last_name=family,
                                       email=f"{first.lower()}@{family.lower()}.example").id
               for first in ("Hana", "Omar")]
        accounts.create_contact(s, owner, account_ids=[account.id], first_name="Nell", last_name=family)
        account_id = account.id
    for contact_id in ids:
        give_portal_login(owner, contact_id, CLIENT_PASS)
    return account_id


def test_staff_request_two_signatures_by_clicking_on_the_pages(page, base_url, tmp_path):
    base = base_url
    account_id = _account_with_two_portal_contacts()
    log_in(page, base)
    page.goto(f"{base}/accounts/{account_id}")
    section = page.locator("#signatures-section")
    expect(section).to_contain_text("No signature requests yet")

    pdf = tmp_path / "2025 Form 8879.pdf"
    pdf.write_bytes(normal_pdf(2))
    page.locator("#document-upload input[type=file]").set_input_files(str(pdf))
    expect(page.locator(".document-row", has_text="2025 Form 8879.pdf")).to_contain_text("2 pages")

    page.click("#request-signature")
    page.wait_for_url(re.compile(rf".*/accounts/{account_id}/signatures/new$"))
    expect(page.locator(".signer-not-offered")).to_contain_text("Nell Quill has no email address")
    page.select_option("#signature-source", label="2025 Form 8879.pdf")
    page.fill("#signature-title", "Form 8879 for 2025")
    page.fill("#signature-message", "Please sign both pages.")
    page.get_by_role("button", name="Add Hana Quill as a signer").click()
    page.get_by_role("button", name="Add Omar Quill as a signer").click()
    expect(page.locator(".signer-choice[aria-pressed=true]")).to_have_count(2)
    # Omar (only) is also asked for a code sent by email: ticked from the keyboard.
    omar_code = page.get_by_role("checkbox", name="Ask Omar Quill for a code sent by email")
    omar_code.focus()
    page.keyboard.press("Space")
    expect(omar_code).to_be_checked()
    expect(page.get_by_role("checkbox", name="Ask Hana Quill for a code sent by email")).not_to_be_checked()
    page.click("#create-signature-request")
    page.wait_for_url(re.compile(r".*/signatures/\d+$"))
    request_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator("#request-title")).to_have_text("Form 8879 for 2025")
    expect(page.locator(".request-status")).to_contain_text("Draft")
    checks = page.locator(".signer-row .signer-check")
    expect(checks).to_have_text(["Identity check: portal login",
                                 "Identity check: portal login + a code sent by email"])
    expect(page.locator("#signers-section")).to_contain_text("Omar Quill also types a code sent by email")
    with read_session() as s:
        assert [(x.name, x.require_email_code) for x in s.exec(
            select(Signer).where(Signer.request_id == request_id).order_by(Signer.position))] == [
            ("Hana Quill", False), ("Omar Quill", True)]

    # Both pages are shown as images (served by the backend) before any field is placed.
    first_page, second_page = page.locator("#sign-page-0"), page.locator("#sign-page-1")
    expect(first_page.locator("img")).to_have_js_property("complete", True)
    assert first_page.locator("img").evaluate("img => img.naturalWidth") > 100
    expect(second_page.locator("img")).to_have_js_property("complete", True)

    # Sending with no field is refused with the service's sentence.
    page.click("#send-request")
    expect(page.get_by_role("alert")).to_contain_text("Place a signature field for Hana Quill before sending.")
    expect(page.locator(".request-status")).to_contain_text("Draft")

    # Hana signs on page 1, Omar on page 2: click where each signature goes.
    page.select_option("#tool-signer", label="Hana Quill")
    box = first_page.bounding_box()
    first_page.click(position={"x": box["width"] * 0.30, "y": box["height"] * 0.80})
    expect(page.locator(".placed-field")).to_have_count(1)
    page.select_option("#tool-signer", label="Omar Quill")
    box = second_page.bounding_box()
    second_page.click(position={"x": box["width"] * 0.60, "y": box["height"] * 0.50})
    fields = page.locator(".placed-field")
    expect(fields).to_have_count(2)
    expect(first_page.locator(".placed-field")).to_have_attribute("data-signer", "Hana Quill")
    expect(second_page.locator(".placed-field")).to_have_attribute("data-signer", "Omar Quill")
    expect(page.locator("#fields-unsaved")).to_be_visible()

    # Without a mouse: a third field placed by typing where it goes, then (selected) deleted.
    page.click("#place-by-keyboard")
    page.fill("#place-page", "1")
    page.fill("#place-x", "50")
    page.fill("#place-y", "20")
    page.press("#place-y", "Enter")
    expect(fields).to_have_count(3)
    expect(first_page.locator(".placed-field[aria-pressed=true]")).to_have_attribute("data-signer", "Omar Quill")
    page.click("#delete-field")
    expect(fields).to_have_count(2)

    page.click("#save-fields")
    expect(page.locator("#request-notice")).to_contain_text("Fields saved")
    with read_session() as s:
        saved = s.exec(select(SignatureField).where(SignatureField.request_id == request_id)
                       .order_by(SignatureField.page)).all()
    assert [(f.page, f.kind) for f in saved] == [(0, "signature"), (1, "signature")]
    # The click marks the field's middle (fractions of the page, from the top left).
    assert abs(saved[0].x + saved[0].width / 2 - 0.30) < 0.02 and abs(saved[0].y + saved[0].height / 2 - 0.80) < 0.02
    assert abs(saved[1].x + saved[1].width / 2 - 0.60) < 0.02 and abs(saved[1].y + saved[1].height / 2 - 0.50) < 0.02

    page.fill("#remind-every", "3")
    page.fill("#remind-times", "2")
    page.click("#send-request")
    expect(page.locator(".request-status")).to_contain_text("Waiting for signatures")
    rows = page.locator(".signer-row")
    expect(rows.nth(0)).to_contain_text("Hana Quill")
    expect(rows.nth(0).locator(".signer-status")).to_have_text("may sign now")
    expect(rows.nth(1).locator(".signer-status")).to_have_text("waiting for an earlier signer")
    expect(page.locator(".signing-timeline")).not_to_be_empty()
    expect(page.locator("#original-link")).to_be_visible()
    with read_session() as s:
        assert s.get(SignatureRequest, request_id).status == "sent"

    # The account page lists it with its signers.
    page.click("#request-account-link")
    page.wait_for_url(re.compile(rf".*/accounts/{account_id}$"))
    row = page.locator(".signature-request-row", has_text="Form 8879 for 2025")
    expect(row).to_contain_text("Hana Quill (may sign now)")
    expect(row).to_contain_text("Waiting for signatures")


def test_admin_writes_a_document_template_and_previews_it(page, base_url):
    base = base_url
    log_in(page, base)
    page.goto(base + "/accounts")
    page.get_by_role("link", name="Document templates").first.click()
    page.wait_for_url(re.compile(r".*/signatures/templates$"))
    page.click("#new-doc-template")
    page.fill("#doc-template-name", "Engagement letter 2026")
    page.fill("#doc-template-body", "<h1>Engagement letter for {{ account.name }}</h1>\n"
                                    "<p>Sign here: <span id=\"sign-1-signature\"></span></p>")
    page.click("#save-doc-template")
    expect(page.locator("#doc-template-list")).to_contain_text("Engagement letter 2026")

    with page.expect_download() as info:
        page.click("#preview-doc-template")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert open(download.path(), "rb").read()[:5] == b"%PDF-"

    # A request made from the template carries the template's signature field for the first signer.
    account_id = _account_with_two_portal_contacts("Marsh")
    page.goto(f"{base}/accounts/{account_id}/signatures/new")
    page.select_option("#signature-source", label="Template: Engagement letter 2026")
    page.fill("#signature-title", "Engagement letter")
    page.get_by_role("button", name="Add Hana Marsh as a signer").click()
    page.click("#create-signature-request")
    page.wait_for_url(re.compile(r".*/signatures/\d+$"))
    expect(page.locator("#sign-page-0 .placed-field")).to_have_attribute("data-signer", "Hana Marsh")
    expect(page.locator("#sign-page-0 img")).to_have_js_property("complete", True)

    # A template with a mistake says what is wrong instead of saving.
    page.goto(base + "/signatures/templates")
    page.locator(".doc-template-item", has_text="Engagement letter 2026").click()
    page.fill("#doc-template-body", "<p>{{ account.name </p>")
    page.click("#save-doc-template")
    expect(page.get_by_role("alert")).to_contain_text("document template")
    expect(page).to_have_url(re.compile(r".*/signatures/templates$"))
