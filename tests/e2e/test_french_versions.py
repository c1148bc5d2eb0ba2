"""Firm-written texts in French (issue 14): the owner writes the French version of a proposal template, of the
consent disclosure and of a document template through the menus (a broken French text gets its sentence and keeps
what was typed), previews the French proposal; then a client who reads French reads the French versions on the
portal, and a client who reads English the main texts. At desktop size and on a 390x844 phone."""
from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from practice import routes
from practice.db import read_session, write_session
from practice.models import Contact, Document, DocumentTemplate, SigningSettings
from practice.services.documents import storage
from practice.services.proposals import sending
from practice.services.signing import requests
from practice.services.work import catalog
from tests.e2e.conftest import DESKTOP, PHONE, log_in, portal_log_in
from tests.factories import demo_owner, portal_client

pytestmark = pytest.mark.e2e
PASSWORD = "amber-kettle-orchard-4"
DISCLOSURE = "{{ firm }} sends your records electronically; ask us for paper at any time."
DISCLOSURE_FR = "{{ firm }} vous transmet vos documents par voie électronique ; le papier reste possible sur demande."


@pytest.fixture
def clients(base_url):
    """A client who reads French and one who reads English, both on the portal; the consent texts are put back."""
    tag = uuid.uuid4().hex[:6]
    made = {}
    for who, (first, last, language) in {"fr": ("Camille", "Durand", "fr"), "en": ("Ann", "Baker", "en")}.items():
        email = f"{first.lower()}.{tag}@{last.lower()}.example"
        account_id, contact_id = portal_client(account=f"{last} {tag}", first_name=first, last_name=last,
                                               email=email, password=PASSWORD)
        with write_session() as s:
            s.get(Contact, contact_id).language = language
        made[who] = {"email": email, "account": account_id, "contact": contact_id, "first": first}
    with write_session() as s:
        catalog.create_service(s, demo_owner(), name=f"Bilan {tag}", rate_cents=150000)
        before = {row.id: (row.disclosure_text, row.disclosure_text_fr) for row in s.exec(select(SigningSettings))}
    yield {"tag": tag, **made}
    with write_session() as s:  # other journeys read the default disclosure (the row may be made by this one)
        for row in s.exec(select(SigningSettings)):
            row.disclosure_text, row.disclosure_text_fr = before.get(row.id, ("", ""))


def go(pg, phone: bool, name: str) -> None:
    """Open a page from the sidebar, or from the phone's menu."""
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menuitem", name=name, exact=True).click()
    else:
        pg.get_by_role("link", name=name, exact=True).first.click()


def open_details(pg, summary: str) -> None:
    """Open a "French version" part from the keyboard (it is open already when the firm wrote one)."""
    if not pg.locator(summary).evaluate("e => e.parentElement.open"):
        pg.locator(summary).focus()
        pg.keyboard.press("Enter")
    expect(pg.locator(summary).locator("xpath=..")).to_have_attribute("open", "")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def write_the_proposal_template(pg, phone: bool, name: str, tag: str) -> None:
    go(pg, phone, "Proposals")
    expect(pg).to_have_url(re.compile(r"/proposals/templates$"))
    expect(pg.locator("#step-read")).not_to_have_value("")  # the page has loaded
    pg.fill("#proposal-template-name", name)
    pg.fill("#proposal-template-intro", "Dear {{ contact.first_name }}, thank you for your trust.")
    pg.fill("#proposal-template-terms", "Fees are due within 30 days.")
    pg.click("#proposal-add-service")
    pg.get_by_role("option", name=re.compile(f"Bilan {tag}")).click()
    expect(pg.locator(".draft-line", has_text=f"Bilan {tag}")).to_be_visible()
    open_details(pg, "#proposal-template-french-summary")
    pg.fill("#proposal-template-intro-fr", "Bonjour {{ contact.first_name }}, merci de votre confiance.")
    pg.fill("#proposal-template-terms-fr", "Honoraires payables à 30 jours {{ account.name")
    pg.click("#save-proposal-template")
    expect(pg.get_by_text("The French terms has a mistake on line 1", exact=False)).to_be_visible(timeout=15_000)
    expect(pg.locator("#proposal-template-intro-fr")).to_have_value(  # nothing typed is lost
        "Bonjour {{ contact.first_name }}, merci de votre confiance.")
    pg.fill("#proposal-template-terms-fr", "Honoraires payables à 30 jours.")
    pg.click("#save-proposal-template")
    expect(pg.get_by_text("Proposal template saved.")).to_be_visible(timeout=15_000)
    row = pg.locator(".proposal-template-row", has_text=name)
    with pg.expect_download() as download:
        row.get_by_role("button", name=f"Preview the French version of {name} as PDF").click()
    french = pdf_text(open(download.value.path(), "rb").read())
    assert "Bonjour Jane, merci de votre confiance." in french and "Honoraires payables" in french
    assert "Dear" not in french


def write_the_french_disclosure(pg, phone: bool) -> None:
    go(pg, phone, "Settings")
    pg.click("#settings-nav-signing")
    expect(pg).to_have_url(re.compile(r"/settings/signing$"))
    expect(pg.locator("#disclosure")).to_be_visible()
    pg.fill("#disclosure", DISCLOSURE)
    open_details(pg, "#disclosure-french-summary")
    expect(pg.locator("#disclosure-fr")).to_have_attribute("placeholder", re.compile("^Consentement à la signature"))
    pg.fill("#disclosure-fr", DISCLOSURE_FR)
    pg.click("#save-disclosure")
    expect(pg.get_by_text("Saved. Clients are asked to agree to the new text", exact=False)).to_be_visible()
    with read_session() as s:
        row = s.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
        assert (row.disclosure_text, row.disclosure_text_fr) == (DISCLOSURE, DISCLOSURE_FR)


def write_the_document_template(pg, phone: bool, name: str) -> None:
    go(pg, phone, "Document templates")
    expect(pg).to_have_url(re.compile(r"/signatures/templates$"))
    pg.click("#new-doc-template")
    pg.fill("#doc-template-name", name)
    pg.fill("#doc-template-body", "<h1>Engagement letter</h1><p>Dear {{ contact.first_name }}.</p>")
    open_details(pg, "#doc-template-french-summary")
    pg.fill("#doc-template-body-fr", "<h1>Lettre de mission</h1><p>Bonjour {{ contact.first_name }}.</p>{% if %}")
    pg.click("#save-doc-template")
    expect(pg.get_by_text("The French version of the document template has a mistake", exact=False)).to_be_visible(
        timeout=15_000)
    pg.fill("#doc-template-body-fr", "<h1>Lettre de mission</h1><p>Bonjour {{ contact.first_name }}.</p>")
    pg.click("#save-doc-template")
    expect(pg.locator("#doc-template-notice")).to_have_text("Template saved.", timeout=15_000)
    with read_session() as s:
        row = s.exec(select(DocumentTemplate).where(DocumentTemplate.name == name)).one()
        assert row.body_fr.startswith("<h1>Lettre de mission</h1>") and row.body.startswith("<h1>Engagement")




@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_owner_writes_french_versions_and_each_client_reads_their_own(browser, base_url, clients, size):
    phone = size == PHONE
    tag = clients["tag"]
    staff = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
    pg = staff.new_page()
    pg.set_default_timeout(20_000)
    pg.goto(base_url + "/login", timeout=90_000)  # a fresh server's first page can be slow to build
    log_in(pg, base_url)
    write_the_proposal_template(pg, phone, f"Mission {tag}", tag)
    write_the_french_disclosure(pg, phone)
    write_the_document_template(pg, phone, f"Lettre {tag}")
    staff.close()

    owner = demo_owner()
    sent = {}
    for who in ("fr", "en"):
        client = clients[who]
        with write_session() as s:
            proposal = sending.send_proposal(s, owner, client["account"], f"Mission {tag}").id
            req = requests.create_request(s, owner, client["account"], title=f"Lettre {tag}",
                                          signer_contact_ids=[client["contact"]], template_name=f"Lettre {tag}")
            requests.send(s, owner, req.id)
            sent[who] = (proposal, req.id, req.document_id)
    with read_session() as s:
        letters = {who: pdf_text(storage.open_stored(s.get(Document, doc).stored_key).read_bytes())
                   for who, (_, _, doc) in sent.items()}
    assert "Lettre de mission" in letters["fr"] and "Bonjour Camille." in letters["fr"]
    assert "Engagement letter" in letters["en"] and "Dear Ann." in letters["en"]

    expected = {"fr": ("Bonjour Camille, merci de votre confiance.", "vous transmet vos documents"),
                "en": ("Dear Ann, thank you for your trust.", "sends your records electronically")}
    for who, (introduction, disclosure) in expected.items():
        context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone)
        client = context.new_page()
        client.set_default_timeout(20_000)
        portal_log_in(client, base_url, clients[who]["email"], PASSWORD)
        proposal, request_id, _ = sent[who]
        client.goto(base_url + routes.portal_proposal_url(proposal))
        expect(client.locator("#proposal-introduction")).to_have_text(introduction)
        client.click("#proposal-next")
        expect(client.locator("#proposal-disclosure")).to_contain_text(disclosure)
        client.goto(base_url + routes.portal_sign_url(request_id))
        expect(client.locator("#sign-disclosure")).to_contain_text(disclosure)
        context.close()
