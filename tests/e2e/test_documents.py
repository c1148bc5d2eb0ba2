"""Documents journey: a folder template, an upload into a folder, who and when, the download, and a
hostile PDF refused with its sentence while the page keeps working."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories.hostile_pdfs import flate_bomb, normal_pdf

pytestmark = pytest.mark.e2e


def test_owner_files_a_return_downloads_it_and_a_bomb_is_refused(page, base_url, tmp_path, browser):
    log_in(page, base_url)

    # An admin describes the firm's folder structure once.
    page.goto(base_url + "/documents/templates")
    page.fill("#template-name", "Individual")
    page.fill("#template-paths", "2026/Tax returns\n2026/Source documents")
    page.click("#save-template")
    expect(page.locator("#templates-section")).to_contain_text("2026/Source documents")

    # A new client, so that no other journey's files are in its documents.
    page.goto(base_url + "/accounts")
    page.click("#new-account")
    page.fill("#account-name", "Fenwick Household")
    page.fill("#contact-first", "Ada")
    page.fill("#contact-last", "Fenwick")
    page.fill("#contact-email", "ada@fenwick.example")
    page.click("#create-account")
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    section = page.locator("#documents-section")
    expect(section).to_contain_text("No documents here yet")

    # Applying the template makes its folders; the chosen folder receives the upload.
    page.click("#apply-folder-template")
    page.get_by_role("option", name="Individual", exact=True).click()
    expect(page.locator("#documents-notice")).to_contain_text("3 new folders")
    page.get_by_role("button", name="Open folder 2026/Tax returns").click()
    expect(page.locator("#documents-folder-heading")).to_have_text("2026/Tax returns")

    return_pdf = tmp_path / "2025 return.pdf"
    return_pdf.write_bytes(normal_pdf(2))
    page.locator("#document-upload input[type=file]").set_input_files(str(return_pdf))
    row = page.locator(".document-row", has_text="2025 return.pdf")
    expect(row).to_contain_text("2026/Tax returns")
    expect(row).to_contain_text("2 pages")
    # When, as people say it, with the exact moment on the firm's clock on hover.
    expect(row).to_contain_text("just now")
    expect(row.get_by_text("just now")).to_have_attribute(
        "title", re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M$"))
    expect(row).to_contain_text("Olivia Park")

    # The download gives back exactly the bytes uploaded; a browser without the login gets nothing.
    href = base_url + row.locator("a.document-link").get_attribute("href")
    with page.expect_download() as info:
        row.locator("a.document-link").click()
    download = info.value
    assert download.suggested_filename == "2025 return.pdf"
    assert open(download.path(), "rb").read() == normal_pdf(2)
    stranger = browser.new_context()
    assert stranger.request.get(href).status == 401
    stranger.close()

    # A decompression bomb is refused with a sentence, and the page still answers.
    bomb = tmp_path / "statement.pdf"
    bomb.write_bytes(flate_bomb())
    page.locator("#document-upload input[type=file]").set_input_files(str(bomb))
    expect(section).to_contain_text("This PDF could not be read safely", timeout=30_000)
    expect(page.locator(".document-row", has_text="statement.pdf")).to_contain_text("refused")
    page.fill("#new-folder-name", "Correspondence")
    page.click("#create-folder")
    expect(page.get_by_role("button", name="Open folder 2026/Tax returns/Correspondence")).to_be_visible()
    expect(page).to_have_url(re.compile(r".*/accounts/\d+$"))
