"""The public verify page: anyone uploads a signed file and reads that it is intact; one changed byte is caught."""
import pytest
from playwright.sync_api import expect

from practice.db import write_session
from practice.services.signing import seal
from tests.factories import sample_fields, sample_pdf, sample_trail

pytestmark = pytest.mark.e2e


def test_anyone_checks_a_signed_file_and_a_changed_one(page, base_url, tmp_path):
    with write_session() as s:
        done = seal.finish(s, sample_pdf(2), sample_fields(), sample_trail())
    good = tmp_path / "engagement-signed.pdf"
    good.write_bytes(done.pdf)
    changed = tmp_path / "engagement-edited.pdf"
    flipped = bytearray(done.pdf)
    flipped[len(flipped) // 3] ^= 0x01
    changed.write_bytes(bytes(flipped))
    note = tmp_path / "notes.txt"
    note.write_text("not a pdf")

    # No login: the page is public.
    page.goto(base_url + "/verify")
    expect(page.get_by_role("heading", name="Check a signed document")).to_be_visible()
    assert page.url.rstrip("/").endswith("/verify")

    page.locator("#verify-upload input[type=file]").set_input_files(str(good))
    expect(page.locator("#verify-summary")).to_contain_text("This file is intact")
    expect(page.locator("#verify-facts")).to_contain_text(done.final_sha256)
    expect(page.locator("#verify-audit")).to_contain_text("June Hartley")
    expect(page.locator("#verify-audit")).to_contain_text("203.0.113.7")

    page.locator("#verify-upload input[type=file]").set_input_files(str(changed))
    expect(page.locator("#verify-summary")).to_contain_text("changed after it was sealed")
    expect(page.locator("#verify-verdict")).to_have_attribute("data-verdict", "changed")

    page.locator("#verify-upload input[type=file]").set_input_files(str(note))
    expect(page.get_by_text("That file cannot be checked: choose one PDF file")).to_be_visible()
    assert page.url.rstrip("/").endswith("/verify")


def test_owner_manages_the_sealing_certificate_and_a_dead_timestamp_server_is_refused(page, base_url, tmp_path):
    from tests.e2e.conftest import log_in

    log_in(page, base_url)
    page.goto(base_url + "/settings")
    page.click("#open-signing-settings")
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/settings/signing"))
    old = page.locator("#certificate-fingerprint").inner_text()
    assert old.count(":") == 31
    expect(page.locator("#certificate-origin")).to_contain_text("Made here on")

    page.click("#regenerate-certificate")
    expect(page.get_by_role("alertdialog")).to_contain_text("Files sealed before stay valid")
    page.click("#confirm-regenerate")
    expect(page.get_by_text("A new certificate was made. Files sealed before stay valid.")).to_be_visible()
    expect(page.locator("#certificate-fingerprint")).not_to_have_text(old)

    # The firm's own certificate, uploaded as a PKCS#12 file with its password.
    from tests.services.signing.test_sealing import _pkcs12

    data, _ = _pkcs12(b"firm-pass", cn="Park & Lee CPAs (own certificate)")
    p12 = tmp_path / "firm.p12"
    p12.write_bytes(data)
    page.locator("#certificate-upload input[type=file]").set_input_files(str(p12))
    page.fill("#certificate-password", "firm-pass")
    page.click("#upload-certificate")
    expect(page.locator("#certificate-origin")).to_contain_text("Uploaded by the firm on")
    expect(page.locator("#certificate-subject")).to_contain_text("Park & Lee CPAs (own certificate)")

    page.fill("#tsa-url", "http://127.0.0.1:9/tsa")
    page.click("#save-tsa")
    expect(page.get_by_text("The address was not saved.")).to_be_visible()
    assert "Consent to sign and receive records electronically" in page.locator("#disclosure").get_attribute(
        "placeholder")
