"""Issue 11's signing journey for fields: staff place a date field on a form, drag it (past the page's edge,
where it stops, then onto the form's own date line), resize it by its corner, and send; the client signs on a
phone, where the date box shows the whole date; the sealed PDF prints the date inside the box staff dragged to
(checked from the page's text positions)."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session
from practice.models import Document, SignatureField, SignatureRequest
from practice.services.documents import files as document_files, html_pdf, storage
from tests.e2e.conftest import log_in
from tests.factories import demo_owner, portal_client, printed_texts

pytestmark = pytest.mark.e2e
PASSWORD = "amber-field-harbour-3"
FORM = """
<h1>Form 8879 authorization</h1>
<p>We authorize the firm to file our 2026 return electronically.</p>
<p style="margin-top: 120mm">Taxpayer's signature ____________________ Date ____________</p>
"""
TOLERANCE = 0.01  # of the page: a pixel or two of a page image about 800 pixels wide


def _client_with_portal(tag: str) -> tuple[int, str]:
    owner, email = demo_owner(), f"hana.{tag}@quill.example"
    account_id, contact_id = portal_client(account=f"Quill Household {tag}", first_name="Hana", last_name="Quill",
                                           email=email, password=PASSWORD, staff=owner)
    document_files.upload(owner, account_id, None, "Form 8879.pdf", html_pdf.render_pdf(FORM))
    return account_id, email


def _drag(pg, sheet, grip, dx: float, dy: float) -> None:
    """Press on `grip` (its middle), move in steps by (dx, dy) fractions of the page and let go, as a hand on a
    mouse does."""
    grip.scroll_into_view_if_needed()
    page, box = sheet.bounding_box(), grip.bounding_box()  # after scrolling: where they are on screen now
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.mouse.move(x0, y0)
    pg.mouse.down()
    pg.mouse.move(x0 + dx * page["width"], y0 + dy * page["height"], steps=12)
    pg.mouse.up()


def _box_on(sheet, field) -> tuple[float, float, float, float]:
    """The field's box on the page image, as fractions of the page (x, y, width, height)."""
    page, box = sheet.bounding_box(), field.bounding_box()
    return ((box["x"] - page["x"]) / page["width"], (box["y"] - page["y"]) / page["height"],
            box["width"] / page["width"], box["height"] / page["height"])


def _close(got, wanted, tolerance: float = TOLERANCE) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(got, wanted, strict=True))


def test_staff_drag_and_resize_a_date_field_and_the_sealed_pdf_prints_it_there(page, phone_page, base_url):
    base = base_url.replace("://localhost", "://127.0.0.1")  # the page images' host (see test_signature_staff)
    tag = uuid.uuid4().hex[:6]
    account_id, email = _client_with_portal(tag)

    # Staff: the account's "Request a signature", the form, Hana as the signer.
    page.goto(base + "/login", timeout=90_000)  # the first page of a fresh dev server is built on demand
    log_in(page, base)
    page.goto(f"{base}/accounts/{account_id}")
    page.click("#request-signature")
    page.select_option("#signature-source", label="Form 8879.pdf")
    page.fill("#signature-title", "Form 8879 for 2026")
    page.get_by_role("button", name="Add Hana Quill as a signer").click()
    page.click("#create-signature-request")
    page.wait_for_url(re.compile(r".*/signatures/\d+$"))
    request_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    sheet = page.locator("#sign-page-0")
    expect(sheet.locator("img")).to_have_js_property("complete", True)
    size = sheet.bounding_box()
    W, H = size["width"], size["height"]

    # A signature field, then a date field placed by a click in the middle of the page.
    sheet.click(position={"x": W * 0.3, "y": H * 0.9})
    expect(sheet.locator(".placed-field")).to_have_count(1)
    page.select_option("#tool-kind", "date")
    sheet.click(position={"x": W * 0.5, "y": H * 0.5})
    date = sheet.locator(".placed-field[data-kind=date]")
    expect(date).to_have_count(1)
    # It shows the widest date it may hold, as large as it prints: all of it inside the box.
    expect(date).to_contain_text(re.compile(r"September \d+, \d{4}"))
    placed = _box_on(sheet, date)
    assert _close(placed, (0.41, 0.485, 0.18, 0.03)), placed

    # Dragged far past the right edge: it stops at the edge, wholly on the page.
    _drag(page, sheet, date, 0.7, 0)
    expect(date).to_have_attribute("aria-label", re.compile(r"82% across, 4[89]% down"))
    at_edge = _box_on(sheet, date)
    assert abs(at_edge[0] + at_edge[2] - 1) < 0.005 and at_edge[1] == pytest.approx(placed[1], abs=0.005)

    # Dragged by its middle onto the form's own date line, then made larger by its corner handle.
    target = (0.6, 0.7)  # where the box's top-left corner goes (fractions of the page)
    _drag(page, sheet, date, target[0] - at_edge[0], target[1] - at_edge[1])
    expect(date).to_have_attribute("aria-label", re.compile(r"60% across, 70% down"))
    moved = _box_on(sheet, date)
    _drag(page, sheet, date.locator(".field-handle"), 0.06, 0.015)
    expect(date).to_have_attribute("aria-label", re.compile(r"24% wide, \d% high"))
    dragged_to = _box_on(sheet, date)
    assert _close(dragged_to, (target[0], target[1], 0.24, 0.045)), dragged_to
    assert _close(moved[:2], dragged_to[:2])
    expect(page.locator("#field-warnings")).to_have_count(0)

    # Sent: the box is saved as the page showed it.
    page.click("#send-request")
    expect(page.locator(".request-status")).to_contain_text("Waiting for signatures")
    with read_session() as s:
        saved = s.exec(select(SignatureField).where(SignatureField.request_id == request_id,
                                                    SignatureField.kind == "date")).one()
    assert _close((saved.x, saved.y, saved.width, saved.height), dragged_to)

    # Hana signs on her phone: the date box shows today's date whole, as large as it will print.
    hana = phone_page
    hana.goto(base + "/portal/login")
    hana.fill("#portal-email", email)
    hana.fill("#portal-password", PASSWORD)
    hana.click("#portal-login-submit")
    expect(hana).to_have_url(re.compile(r"/portal$"))
    hana.locator("#attention-list .signature-item", has_text="Form 8879 for 2026").locator(".sign-link").click()
    hana.click("#consent-agree")
    hana.click("#consent-continue")
    date_box = hana.locator(".sign-field[data-kind=date]")
    expect(date_box.locator(".sign-field-value")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d+, \d{4}$"))
    text_width, box_width = date_box.evaluate(
        "el => [el.querySelector('.sign-field-value').scrollWidth, el.clientWidth]")
    assert text_width <= box_width + 1, (text_width, box_width)
    hana.locator(".sign-field[data-kind=signature]").click()
    hana.click("#sign-pad-type-tab")
    expect(hana.locator("#sign-pad-typed")).to_have_value("Hana Quill")
    hana.click("#sign-adopt")
    expect(hana.locator("#sign-editor")).to_have_count(0)
    hana.click("#sign-finish")
    hana.click("#sign-now")
    expect(hana.locator("#sign-done-title")).to_have_text("Everyone has signed", timeout=30_000)

    # The sealed PDF prints the date inside the box staff dragged to: where it starts, its baseline, its end.
    with read_session() as s:
        signed = s.get(Document, s.get(SignatureRequest, request_id).signed_document_id)
        data = storage.open_stored(signed.stored_key).read_bytes()
    (printed,) = [t for t in printed_texts(data, 0) if re.fullmatch(r"[A-Z][a-z]+ \d+, \d{4}", t.text)]
    x, y, w, h = dragged_to
    assert x - TOLERANCE <= printed.x <= x + 0.02, (printed, dragged_to)
    assert printed.x + printed.width <= x + w + TOLERANCE, (printed, dragged_to)
    assert y < printed.baseline < y + h + TOLERANCE, (printed, dragged_to)
    assert printed.size == pytest.approx(11, abs=0.01)  # the box holds it at full size: nothing shrunk or cut


def _touch_drag(pg, grip, dx: float, dy: float, width: float, height: float) -> None:
    """A finger pressing on `grip` and sliding by (dx, dy) fractions of a `width` x `height` page (Chromium's
    DevTools protocol: Playwright itself only taps)."""
    grip.scroll_into_view_if_needed()
    box = grip.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for i in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
            {"x": x0 + dx * width * i / 10, "y": y0 + dy * height * i / 10}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_on_a_phone_a_finger_moves_and_resizes_a_field_and_the_keyboard_nudges_it(phone_page, base_url):
    base = base_url.replace("://localhost", "://127.0.0.1")
    account_id, _email = _client_with_portal(uuid.uuid4().hex[:6])
    staff = phone_page
    staff.goto(base + "/login", timeout=90_000)
    log_in(staff, base)
    staff.goto(f"{base}/accounts/{account_id}")
    staff.click("#request-signature")
    staff.select_option("#signature-source", label="Form 8879.pdf")
    staff.fill("#signature-title", "Form 8879")
    staff.get_by_role("button", name="Add Hana Quill as a signer").click()
    staff.click("#create-signature-request")
    staff.wait_for_url(re.compile(r".*/signatures/\d+$"))
    sheet = staff.locator("#sign-page-0")
    expect(sheet.locator("img")).to_have_js_property("complete", True)
    size = sheet.bounding_box()
    sheet.tap(position={"x": size["width"] * 0.3, "y": size["height"] * 0.3})
    field = sheet.locator(".placed-field")
    expect(field).to_have_attribute("aria-label", re.compile(r"16% across, 28% down, 28% wide, 5% high"))
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # A finger slides it down and to the right, then pulls its corner to make it larger.
    page_box = sheet.bounding_box()
    _touch_drag(staff, field, 0.2, 0.3, page_box["width"], page_box["height"])
    expect(field).to_have_attribute("aria-label", re.compile(r"36% across, 58% down"))
    _touch_drag(staff, field.locator(".field-handle"), 0.1, 0.02, page_box["width"], page_box["height"])
    expect(field).to_have_attribute("aria-label", re.compile(r"38% wide, 7% high"))

    # From the keyboard: a focused field moves with the arrows, and grows with Shift.
    field.focus()
    staff.keyboard.press("ArrowUp")
    staff.keyboard.press("ArrowUp")
    expect(field).to_have_attribute("aria-label", re.compile(r"36% across, 57% down"))
    staff.keyboard.press("Shift+ArrowRight")
    staff.keyboard.press("Shift+ArrowRight")
    expect(field).to_have_attribute("aria-label", re.compile(r"39% wide"))
    staff.click("#save-fields")
    expect(staff.locator("#request-notice")).to_contain_text("Fields saved")
