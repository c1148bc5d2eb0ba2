"""The portal on a phone (390x844): after choosing a folder with a long name and uploading into it, nothing on
the Documents page reaches past the screen's edge; the signing page's dialog fits the screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Role, TeamMember
from practice.services.actor import Actor
from practice.services.documents import files as document_files, folders
from practice.services.work import accounts
from tests.e2e.conftest import portal_log_in
from tests.factories import give_portal_login, make_signature_request, normal_pdf

pytestmark = pytest.mark.e2e

CLIENT_PASS = "meadow-copper-lantern-2"
LONG_FOLDER = "2026 Individual income tax return and supporting statements"
LONG_FILE = "Form-W-2-Wage-and-Tax-Statement-2025-from-Northwind-Logistics-Incorporated.pdf"


@pytest.fixture(scope="module")
def client(harness):
    with read_session() as s:
        owner = Actor.of(s.exec(select(TeamMember).where(TeamMember.role == Role.owner)).first())
    with write_session() as s:
        account = accounts.create_account(s, owner, name="Marlowe Household", type="Individual")
        contact = accounts.create_contact(s, owner, account_ids=[account.id], first_name="Ines", last_name="Marlowe",
                                          email="ines@marlowe.example")
        parent = folders.create_folder(s, owner, account.id, "Taxes")
        folders.create_folder(s, owner, account.id, LONG_FOLDER, parent_id=parent.id)
        account_id, contact_id = account.id, contact.id
    give_portal_login(owner, contact_id, CLIENT_PASS)
    doc = document_files.upload(owner, account_id, None, "Engagement letter.pdf", normal_pdf(1))
    with write_session() as s:
        request_id = make_signature_request(s, owner, account_id, title="Engagement letter 2026",
                                            document_id=doc.id, signer_contact_ids=[contact_id]).id
    return {"email": "ines@marlowe.example", "request_id": request_id}




def _fits_the_screen(pg) -> None:
    width = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"


def _inside_the_screen(pg, locator) -> None:
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= pg.viewport_size["width"] + 0.5, box


def test_uploading_into_a_long_folder_keeps_the_documents_page_on_screen(phone_page, base_url, client, tmp_path):
    portal_log_in(phone_page, base_url, client["email"], CLIENT_PASS)
    phone_page.click("#portal-nav-documents")
    expect(phone_page).to_have_url(re.compile(r"/portal/documents$"))
    phone_page.click("#portal-upload-folder")
    phone_page.get_by_role("option", name=f"Taxes/{LONG_FOLDER}").click()
    expect(phone_page.locator("#portal-upload-folder")).to_contain_text("Taxes/2026")
    _inside_the_screen(phone_page, phone_page.locator("#portal-upload-folder"))

    w2 = tmp_path / LONG_FILE
    w2.write_bytes(normal_pdf(1))
    phone_page.locator("#portal-upload input[type=file]").set_input_files(str(w2))
    expect(phone_page.locator("#portal-documents-notice")).to_contain_text(LONG_FILE)
    expect(phone_page.locator("#portal-document-list")).to_contain_text(LONG_FILE)
    _fits_the_screen(phone_page)
    _inside_the_screen(phone_page, phone_page.locator("#portal-documents-notice"))
    _inside_the_screen(phone_page, phone_page.locator("#portal-upload-folder"))


def test_the_decline_dialog_fits_a_phone_screen(phone_page, base_url, client):
    portal_log_in(phone_page, base_url, client["email"], CLIENT_PASS)
    phone_page.goto(f"{base_url}/portal/sign/{client['request_id']}")
    phone_page.click("#sign-decline")
    dialog = phone_page.locator("#sign-decline-dialog")
    expect(dialog).to_be_visible()
    _inside_the_screen(phone_page, dialog)
    _inside_the_screen(phone_page, phone_page.locator("#decline-confirm"))
    phone_page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    _fits_the_screen(phone_page)
