"""Issue 11's document journeys: nothing staff upload reaches the client by accident.

(a) A signature request's unsigned original never appears in the client's portal (not in "What needs your
    attention", not in Documents, not by its address), while the sealed copy does once everyone signed. The
    request is prepared and signed through the services (the signing journey covers those screens); the
    portal is checked in the browser, on a phone.
(b) A document in an internal folder shows in the client's portal only after staff share it, from the
    account's Documents section: sharing the folder alone does not reveal its internal documents.
"""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Signer, TeamMember
from practice.services.actor import Actor
from practice.services.documents import files as document_files, folders as document_folders, html_pdf
from practice.services.signing import requests, signer_flow
from practice.services.work import accounts
from tests.e2e.conftest import log_in, portal_log_in
from tests.factories import contact_actor, give_portal_login

pytestmark = pytest.mark.e2e
PASSWORD = "amber-kettle-orchard-4"
LETTER = "<h1>Engagement letter</h1><p>Park &amp; Lee prepares the 2026 returns of the household.</p>"


def _owner() -> Actor:
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one())


def _household(staff: Actor, tag: str) -> dict:
    """An account with one contact who has a portal login (activated through the invitation's link)."""
    with write_session() as s:
        account = accounts.create_account(s, staff, name=f"Lindqvist Household {tag}")
        contact = accounts.create_contact(s, staff, account_ids=[account.id], first_name="Maja", last_name="Lindqvist",
                                          email=f"maja.{tag}@lindqvist.example")
        ids = {"account": account.id, "contact": contact.id, "email": contact.email, "name": account.name}
    give_portal_login(staff, ids["contact"], PASSWORD)
    return ids




def _open_account(page, name: str) -> None:
    """Accounts in the sidebar, the search, the account's row."""
    page.get_by_role("link", name="Accounts", exact=True).first.click()
    page.fill("#account-search", name)
    page.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))


def _portal_documents(pg) -> None:
    pg.click("#portal-nav-documents")
    expect(pg).to_have_url(re.compile(r"/portal/documents$"))
    expect(pg.get_by_role("heading", name="Documents")).to_be_visible()


def test_a_signing_original_stays_out_of_the_portal_and_the_signed_copy_arrives(phone_page, base_url):
    staff, tag = _owner(), uuid.uuid4().hex[:6]
    ids = _household(staff, tag)
    original = document_files.upload(staff, ids["account"], None, "Engagement letter.pdf", html_pdf.render_pdf(LETTER))
    with write_session() as s:
        req = requests.create_request(s, staff, ids["account"], title="Engagement letter 2026",
                                      signer_contact_ids=[ids["contact"]], document_id=original.id)
        signer = s.exec(select(Signer).where(Signer.request_id == req.id)).one()
        requests.set_fields(s, staff, req.id, [{"signer_id": signer.id, "kind": "signature", "page": 0, "x": 0.1,
                                                "y": 0.7, "width": 0.35, "height": 0.07}])
        requests.send(s, staff, req.id)
        request_id = req.id

    pg = phone_page
    portal_log_in(pg, base_url, ids["email"], PASSWORD)
    attention = pg.locator("#attention-list")
    expect(attention).to_contain_text("Engagement letter 2026")  # asked to sign: yes
    expect(pg.locator(".look-link")).to_have_count(0)  # but no "New from the firm" original
    _portal_documents(pg)
    expect(pg.get_by_text("There are no documents on this account yet.")).to_be_visible()

    who = contact_actor(ids["contact"])
    with write_session() as s:
        signer_flow.open_for_signing(s, who, request_id)
        signer_flow.give_consent(s, who, request_id)
        signer_flow.sign(s, who, request_id, signature_kind="typed", signature={"text": "Maja Lindqvist"})

    pg.click("#portal-nav-home")
    new = pg.locator(".look-link")
    expect(new).to_have_count(1)
    expect(new).to_contain_text("Engagement letter 2026 – signed.pdf")
    _portal_documents(pg)
    listed = pg.locator(".portal-document")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Engagement letter 2026 – signed.pdf")
    with pg.expect_download() as info:
        pg.locator("a.portal-document-link").click()
    assert info.value.suggested_filename == "Engagement letter 2026 – signed.pdf"
    # The original's address, typed or guessed from the signed copy's, is refused.
    signed_url = pg.evaluate("h => new URL(h, location.href).href", pg.locator("a.portal-document-link").get_attribute("href"))
    original_url = re.sub(r"/files/\d+", f"/files/{original.id}", signed_url)
    assert pg.request.get(signed_url).status == 200
    answer = pg.request.get(original_url)
    assert answer.status == 403 and "not shared" in answer.text()
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_internal_folders_document_reaches_the_portal_only_once_staff_share_it(page, phone_page, base_url):
    staff, tag = _owner(), uuid.uuid4().hex[:6]
    ids = _household(staff, tag)
    with write_session() as s:
        folder = document_folders.create_folder(s, staff, ids["account"], "Working papers", shared=False)
    document_files.upload(staff, ids["account"], folder.id, "Draft return 2026.pdf", html_pdf.render_pdf(LETTER))
    document_files.upload(staff, ids["account"], None, "Welcome letter.pdf", html_pdf.render_pdf(LETTER))

    client = phone_page
    portal_log_in(client, base_url, ids["email"], PASSWORD)
    _portal_documents(client)
    expect(client.locator(".portal-document")).to_have_count(1)
    expect(client.locator("#portal-document-list")).to_contain_text("Welcome letter.pdf")
    expect(client.get_by_text("Working papers")).to_have_count(0)

    # Staff open the account from the sidebar and its Documents section.
    log_in(page, base_url)
    _open_account(page, ids["name"])
    section = page.locator("#documents-section")
    page.get_by_role("button", name="Open folder Working papers").click()
    row = section.locator(".document-row", has_text="Draft return 2026.pdf")
    expect(row.locator(".document-visibility")).to_have_text("Internal")

    # Sharing the folder alone keeps its internal document internal.
    page.get_by_role("button", name="Share folder Working papers with the client").click()
    expect(page.locator("#documents-notice")).to_contain_text("1 document in it marked Internal stays internal")
    client.reload()
    expect(client.locator(".portal-document")).to_have_count(1)
    expect(client.locator("#portal-document-list")).not_to_contain_text("Draft return 2026.pdf")

    # Sharing the document shows it to the client.
    row.get_by_role("button", name="Share Draft return 2026.pdf with the client").click()
    expect(row.locator(".document-visibility")).to_have_text("Shared")
    expect(page.locator("#documents-notice")).to_contain_text('"Draft return 2026.pdf" is shared with the client.')
    client.reload()
    shared = client.locator(".portal-document", has_text="Draft return 2026.pdf")
    expect(shared).to_be_visible()
    expect(shared).to_contain_text("Working papers")
    client.click("#portal-nav-home")
    expect(client.locator(".look-link", has_text="Draft return 2026.pdf")).to_be_visible()

    # Made internal again, it leaves the portal; the audit log names who did each.
    row.get_by_role("button", name="Make Draft return 2026.pdf internal").click()
    expect(row.locator(".document-visibility")).to_have_text("Internal")
    _portal_documents(client)
    expect(client.locator("#portal-document-list")).not_to_contain_text("Draft return 2026.pdf")
    with read_session() as s:
        rows = s.exec(select(AuditLog.actor_label, AuditLog.summary).where(AuditLog.entity.in_(("document", "folder")),
                                                                          AuditLog.action.in_(("share", "unshare")))
                      .order_by(AuditLog.id)).all()
    assert rows[-3:] == [("Olivia Park", 'Shared folder "Working papers" with the client'),
                         ("Olivia Park", 'Shared document "Draft return 2026.pdf" with the client'),
                         ("Olivia Park", 'Made internal document "Draft return 2026.pdf"')]


def test_staff_rename_move_delete_and_undo_from_the_documents_section(page, base_url):
    staff, tag = _owner(), uuid.uuid4().hex[:6]
    ids = _household(staff, tag)
    with write_session() as s:
        document_folders.create_folder(s, staff, ids["account"], "Tax returns")
    document_files.upload(staff, ids["account"], None, "scan0001.pdf", html_pdf.render_pdf(LETTER))

    log_in(page, base_url)
    _open_account(page, ids["name"])
    section = page.locator("#documents-section")
    row = section.locator(".document-row", has_text="scan0001.pdf")
    expect(row).to_contain_text("No folder")

    # Rename and move in one dialog; Enter saves.
    row.get_by_role("button", name="Rename or move scan0001.pdf").click()
    page.fill("#edit-document-name", "W-2 2026.pdf")
    page.click("#edit-document-folder")
    page.get_by_role("option", name="Tax returns", exact=True).click()
    page.locator("#edit-document-name").press("Enter")
    moved = section.locator(".document-row", has_text="W-2 2026.pdf")
    expect(moved).to_contain_text("Tax returns")
    expect(section.locator(".document-row", has_text="scan0001.pdf")).to_have_count(0)

    # A wrong extension is refused with a sentence and nothing is lost.
    moved.get_by_role("button", name="Rename or move W-2 2026.pdf").click()
    page.fill("#edit-document-name", "W-2 2026.exe")
    page.click("#save-document")
    expect(page.get_by_role("dialog")).to_contain_text('must end in ".pdf"')
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Delete, then Undo; delete again and restore from Recently deleted.
    moved.get_by_role("button", name="Delete W-2 2026.pdf").click()
    expect(page.locator("#undo-notice")).to_contain_text('Deleted "W-2 2026.pdf"')
    expect(section.locator(".document-row", has_text="W-2 2026.pdf")).to_have_count(0)
    page.click("#undo-delete")
    expect(section.locator(".document-row", has_text="W-2 2026.pdf")).to_be_visible()
    section.locator(".document-row", has_text="W-2 2026.pdf").get_by_role("button", name="Delete W-2 2026.pdf").click()
    trash = page.locator("#documents-trash")
    expect(trash).to_contain_text("Deleted by Olivia Park")
    trash.get_by_role("button", name="Restore W-2 2026.pdf").click()
    expect(section.locator(".document-row", has_text="W-2 2026.pdf")).to_contain_text("Tax returns")
    with read_session() as s:
        summaries = list(s.exec(select(AuditLog.summary).where(AuditLog.entity == "document")
                                .order_by(AuditLog.id)))[-5:]
    assert summaries == ['Moved document "scan0001.pdf" to "Tax returns" as "W-2 2026.pdf"',
                         'Deleted document "W-2 2026.pdf"', 'Restored document "W-2 2026.pdf" from the trash',
                         'Deleted document "W-2 2026.pdf"', 'Restored document "W-2 2026.pdf" from the trash']
