"""Issue 6's signing journey: the firm asks two contacts to sign a two-page PDF, in order, the second one
also with an emailed code; each signs in the portal on a phone (consent, for the second the code from a
real SMTP server, a drawn signature); the sealed result validates with pyHanko against the firm's
certificate, its audit page names both signers with the identity check each passed, and one flipped byte
breaks it, which the verify page says.

The request is set up through the services (as staff would on the account page) so this journey does not
depend on the staff screens; everything the signers do happens in the browser.
"""
from __future__ import annotations

import io
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Document, SignatureRequest, Signer, TeamMember
from practice.services.documents import files as document_files, html_pdf, storage
from practice.services.signing import requests
from practice.services.work import accounts
from practice.services.actor import Actor
from tests.e2e.conftest import PHONE, portal_log_in
from tests.factories import give_portal_login

pytestmark = pytest.mark.e2e
PASSWORD = "quiet-harbour-lantern-7"
LETTER = """
<h1>Engagement letter</h1>
<p>This letter confirms that Park &amp; Lee prepares the 2026 tax returns of the household.</p>
<p style="page-break-after: always">Fees are as agreed. Signed by both spouses below.</p>
<h1>Form 8879 authorization</h1>
<p>We authorize the firm to file our return electronically.</p>
"""


def _staff() -> Actor:
    with read_session() as s:
        owner = s.exec(select(TeamMember).where(TeamMember.email == "owner@example.com")).one()
        return Actor(owner.id, owner.name, owner.role)


def _activate(staff: Actor, contact_id: int) -> None:
    """Give the contact a portal login with a password (the portal journey covers activation in the browser)."""
    give_portal_login(staff, contact_id, PASSWORD)


@pytest.fixture
def site(base_url) -> str:
    """The app as the signers reach it (the emails' links point here)."""
    return base_url


@pytest.fixture
def signing(local_mail):
    """The local mail server (tests/e2e/conftest.py), a household with two portal contacts and a request for both of
    them to sign a two-page letter, in order; only the second (Jim) also enters a code sent by email."""
    tag = uuid.uuid4().hex[:6]
    staff = _staff()
    with write_session() as s:
        account = accounts.create_account(s, staff, name=f"Hartley Household {tag}")
        june = accounts.create_contact(s, staff, account_ids=[account.id], first_name="June",
                                       last_name="Hartley", email=f"june.{tag}@hartley.example")
        jim = accounts.create_contact(s, staff, account_ids=[account.id], first_name="Jim",
                                      last_name="Hartley", email=f"jim.{tag}@hartley.example")
        ids = {"account": account.id, "june": june.id, "jim": jim.id}
    for key in ("june", "jim"):
        _activate(staff, ids[key])
    letter = document_files.upload(staff, ids["account"], None, "Engagement letter.pdf", html_pdf.render_pdf(LETTER))
    with write_session() as s:
        req = requests.create_request(s, staff, ids["account"], title="Engagement letter 2026",
                                      signer_contact_ids=[ids["june"], ids["jim"]], document_id=letter.id,
                                      in_order=True, email_code_contact_ids=[ids["jim"]],
                                      message="Please sign by Friday. Thank you!")
        first, second = s.exec(select(Signer).where(Signer.request_id == req.id)
                               .order_by(Signer.position)).all()
        requests.set_fields(s, staff, req.id, [
            {"signer_id": first.id, "kind": "signature", "page": 0, "x": 0.1, "y": 0.72, "width": 0.35,
             "height": 0.07},
            {"signer_id": first.id, "kind": "date", "page": 0, "x": 0.6, "y": 0.75, "width": 0.25,
             "height": 0.04},
            {"signer_id": second.id, "kind": "initials", "page": 0, "x": 0.8, "y": 0.9, "width": 0.12,
             "height": 0.04},
            {"signer_id": second.id, "kind": "text", "page": 1, "x": 0.1, "y": 0.5, "width": 0.4,
             "height": 0.04, "label": "Daytime phone"},
            {"signer_id": second.id, "kind": "signature", "page": 1, "x": 0.1, "y": 0.72, "width": 0.35,
             "height": 0.07},
        ])
        requests.send(s, staff, req.id)
        ids["request"] = req.id
    return {"server": local_mail, "tag": tag, **ids}


def _body(message) -> str:
    return message.get_payload(decode=True).decode()




def _draw_with_mouse(pg, canvas) -> None:
    box = canvas.bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.6
    pg.mouse.move(x0, y0)
    pg.mouse.down()
    for i in range(1, 25):
        pg.mouse.move(x0 + i * box["width"] * 0.03, y0 - (i % 6) * box["height"] * 0.07)
    pg.mouse.up()


def _draw_with_finger(pg, canvas) -> None:
    """Touch events as a phone's screen sends them (Chromium's DevTools protocol; Playwright only taps)."""
    box = canvas.bounding_box()
    cdp = pg.context.new_cdp_session(pg)
    points = [(box["x"] + box["width"] * (0.1 + i * 0.035), box["y"] + box["height"] * (0.3 + (i % 5) * 0.1))
              for i in range(22)]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0],
                                                                                "y": points[0][1]}]})
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _consent(pg) -> None:
    expect(pg.locator("#sign-disclosure")).to_contain_text("Consent to sign and receive records electronically")
    pg.click("#consent-continue")
    expect(pg.get_by_text("Tick “I agree” to continue")).to_be_visible()
    pg.click("#consent-agree")
    pg.click("#consent-continue")


def _enter_code(pg, server, email: str) -> None:
    masked = email[0] + "***@" + email.split("@")[1]
    expect(pg.locator("#sign-code-step")).to_contain_text(f"We sent a code to {masked}")
    code_input = pg.locator("#sign-code")
    expect(code_input).to_have_attribute("inputmode", "numeric")
    expect(code_input).to_have_attribute("autocomplete", "one-time-code")
    code = re.search(r"\b(\d{6})\b", _body(server.wait_for(email, "Your code to sign")[-1])).group(1)
    wrong = "000000" if code != "000000" else "111111"
    code_input.fill(wrong)
    pg.click("#code-continue")
    expect(pg.get_by_text(re.compile("That code is not right"))).to_be_visible()
    expect(code_input).to_have_value(wrong)  # what the client typed stays
    code_input.fill(code)
    pg.click("#code-continue")
    expect(pg.locator("#sign-pages")).to_be_visible()


def _adopt_drawn_signature(pg, draw) -> None:
    expect(pg.locator("#sign-editor")).to_be_visible()
    canvas = pg.locator("#sign-pad-canvas[data-ready='1']")
    expect(canvas).to_be_visible()
    pg.click("#sign-adopt")
    expect(pg.locator("#sign-editor").get_by_text(re.compile("Draw your signature in the box"))).to_be_visible()
    draw(pg, canvas)
    pg.click("#sign-adopt")
    expect(pg.locator("#sign-editor")).to_have_count(0)


def test_two_contacts_sign_in_order_on_phones_and_the_sealed_file_holds_up(browser, phone_page, page, site,
                                                                          signing):
    base_url = site
    server, rid = signing["server"], signing["request"]
    june_email, jim_email = f"june.{signing['tag']}@hartley.example", f"jim.{signing['tag']}@hartley.example"
    sign_url = f"{base_url}/portal/sign/{rid}"

    # Jim opens the page first: June signs first, and the page says so.
    jim_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    jim = jim_context.new_page()
    jim.set_default_timeout(20_000)
    portal_log_in(jim, base_url, jim_email, PASSWORD)
    expect(jim.locator("#attention-list .signature-item")).to_have_count(0)
    jim.goto(sign_url)
    expect(jim.locator("#sign-waiting-text")).to_have_text(
        "June Hartley signs first. We will email you when it is your turn.")

    # June: the request email's link, the portal login, then the request waiting under her attention list.
    invitation = server.wait_for(june_email, "asks you to sign")[-1]
    assert sign_url in _body(invitation)
    june = phone_page
    portal_log_in(june, base_url, june_email, PASSWORD)
    item = june.locator("#attention-list .signature-item", has_text="Engagement letter 2026")
    expect(item).to_be_visible()
    # The letter itself is not listed again as a new document: the signature request stands for it.
    expect(june.locator("#attention-list .document-item", has_text="Engagement letter.pdf")).to_have_count(0)
    item.locator(".sign-link").click()
    expect(june).to_have_url(re.compile(rf"/portal/sign/{rid}$"))
    expect(june.locator("#sign-message")).to_contain_text("Please sign by Friday.")
    _consent(june)
    # June signs with her portal login alone: no code step, straight to the document.
    expect(june.locator("#sign-pages")).to_be_visible()
    expect(june.locator("#sign-code-step")).to_have_count(0)

    # The document: two page images, June's two boxes; the date fills itself.
    expect(june.locator(".sign-page img")).to_have_count(2)
    expect(june.locator(".sign-page img").first).to_have_js_property("complete", True)
    assert june.locator(".sign-page img").first.evaluate("img => img.naturalWidth") > 0
    expect(june.locator(".sign-field")).to_have_count(2)
    expect(june.locator("#sign-progress")).to_have_text("1 of 2 filled")
    june.click("#sign-finish")
    expect(june.get_by_text("Fill in field 1 of 2 (signature on page 1) first.")).to_be_visible()
    june.locator(".sign-field[data-kind='signature']").click()
    _adopt_drawn_signature(june, _draw_with_mouse)
    expect(june.locator(".sign-field[data-kind='signature'] img")).to_be_visible()
    expect(june.locator("#sign-progress")).to_have_text("2 of 2 filled")
    june.click("#sign-finish")
    expect(june.locator("#sign-summary")).to_contain_text("Page 1: Signature: drawn")
    june.click("#sign-now")
    expect(june.locator("#sign-done-title")).to_have_text("Thank you, you have signed")
    expect(june.locator("#sign-done-text")).to_contain_text("Jim Hartley still has to sign.")

    # Jim's turn: his email arrives; the same page now leads him through consent, the code and his three boxes.
    assert sign_url in _body(server.wait_for(jim_email, "asks you to sign")[-1])
    jim.goto(base_url + "/portal")
    jim.locator("#attention-list .signature-item .sign-link").click()
    expect(jim).to_have_url(re.compile(rf"/portal/sign/{rid}$"))
    _consent(jim)
    _enter_code(jim, server, jim_email)
    expect(jim.locator(".sign-field")).to_have_count(3)
    # "Next field" leads through the boxes in order: initials (page 1), then the text and the signature (page 2).
    jim.click("#sign-next")
    expect(jim.locator(".sign-field[data-current='1']")).to_have_attribute("data-kind", "initials")
    jim.locator(".sign-field[data-kind='initials']").click()
    expect(jim.locator("#sign-initials")).to_have_value("JH")
    jim.click("#initials-save")
    expect(jim.locator("#sign-editor")).to_have_count(0)
    jim.locator(".sign-field[data-kind='text']").click()
    jim.fill("#sign-text-value", "555-0134")
    jim.click("#text-save")
    expect(jim.locator(".sign-field[data-kind='text']")).to_contain_text("555-0134")
    jim.locator(".sign-field[data-kind='signature']").click()
    _adopt_drawn_signature(jim, _draw_with_finger)
    expect(jim.locator("#sign-progress")).to_have_text("3 of 3 filled")
    jim.click("#sign-finish")
    expect(jim.locator("#sign-summary")).to_contain_text('Daytime phone: "555-0134"')
    jim.click("#sign-now")
    expect(jim.locator("#sign-done-title")).to_have_text("Everyone has signed", timeout=30_000)
    jim.click("#sign-documents-link")
    expect(jim).to_have_url(re.compile(r"/portal/documents$"))
    expect(jim.locator("#portal-document-list")).to_contain_text("Engagement letter 2026 – signed.pdf")
    jim_context.close()

    # The sealed file: intact, valid and trusted against the firm's certificate; the audit page names both.
    with read_session() as s:
        req = s.get(SignatureRequest, rid)
        signed = s.get(Document, req.signed_document_id)
        assert signed.account_id == signing["account"]
        assert s.get(Document, req.document_id) is not None  # the original is kept
        # Where each signed from, as the browser connected: the audit page reports it.
        signers = s.exec(select(Signer).where(Signer.request_id == rid).order_by(Signer.position)).all()
        assert [x.ip_address for x in signers] == ["127.0.0.1", "127.0.0.1"]
        assert all("Mozilla" in x.user_agent for x in signers)
        assert [x.signature_kind for x in signers] == ["drawn", "drawn"]
        # June was never asked for a code (none was made or mailed); Jim passed his.
        assert signers[0].code_sent_at is None and signers[1].code_verified_at is not None
        assert [x.identity_check for x in signers] == ["portal password",
                                                       f"portal password + one-time code sent to {jim_email}"]
        data = storage.open_stored(signed.stored_key).read_bytes()
        from practice.services.signing import certificates

        firm_pem = certificates.certificate_pem(certificates.current(s))
    status = _validate(data, firm_pem)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    audit = _audit_text(data)
    for name, email in (("June Hartley", june_email), ("Jim Hartley", jim_email)):
        assert name in audit and email in audit
    assert "127.0.0.1" in audit
    # The audit page gives each signer's own identity check: the portal password for June, plus the code
    # for Jim (words rejoined: the table cells wrap).
    words = " ".join(audit.split())
    june_part = words[words.index("Signer 1: June Hartley"):words.index("Signer 2: Jim Hartley")]
    jim_part = words[words.index("Signer 2: Jim Hartley"):words.index("Timeline (UTC)")]
    assert "Identity check portal password" in june_part and "one-time code" not in june_part, june_part
    assert "Identity check portal password + one-time code sent to" in jim_part, jim_part
    assert server.messages(june_email, "code") == []

    # One flipped byte (in the signed content, not in the seal itself): pyHanko refuses it, and so does the
    # verify page, which first says the untouched file is intact.
    start = data.index(b"/Contents <")
    end = data.index(b">", start + 11)
    position = len(data) // 3 if not start <= len(data) // 3 <= end else 200
    flipped = bytearray(data)
    flipped[position] ^= 0x01
    try:
        broken = _validate(bytes(flipped), firm_pem)
        assert not (broken.intact and broken.valid), "a flipped byte still validated"
    except Exception as err:  # noqa: BLE001 - pyHanko may refuse the file outright: that is a failure too
        assert "still validated" not in str(err)
    page.goto(base_url + "/verify")
    expect(page.get_by_role("heading", name="Check a signed document")).to_be_visible()
    upload = page.locator("#verify-upload input[type=file]")
    upload.set_input_files(files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": data}])
    expect(page.locator("#verify-summary")).to_contain_text("This file is intact", timeout=30_000)
    expect(page.locator("#verify-audit")).to_contain_text("Jim Hartley")
    expect(page.locator("#verify-audit")).to_contain_text(f"portal password + one-time code sent to {jim_email}")
    upload.set_input_files(files=[{"name": "signed-edited.pdf", "mimeType": "application/pdf",
                                   "buffer": bytes(flipped)}])
    expect(page.locator("#verify-summary")).to_contain_text("changed after it was sealed")
    expect(page.locator("#verify-verdict")).to_have_attribute("data-verdict", "changed")


def _validate(data: bytes, firm_pem: str):
    """pyHanko's validation, in a thread of its own (it runs an event loop; Playwright's sync API holds one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_validate_here, data, firm_pem).result()


def _validate_here(data: bytes, firm_pem: str):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(firm_pem.encode())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, context)


def _audit_text(data: bytes) -> str:
    """The text of the pages after the two signed ones: the audit page(s)."""
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) > 2, "no audit page"
    return "\n".join(p.extract_text() for p in pages[2:])


def test_declining_needs_a_reason_and_stops_the_request_for_everyone(browser, phone_page, site, signing):
    rid, tag = signing["request"], signing["tag"]
    june = phone_page
    portal_log_in(june, site, f"june.{tag}@hartley.example", PASSWORD)
    june.goto(f"{site}/portal/sign/{rid}")
    expect(june.locator("#sign-consent")).to_be_visible()
    june.click("#sign-decline")
    june.click("#decline-confirm")
    expect(june.locator("#sign-decline-dialog")).to_contain_text("Say why you decline")
    june.fill("#decline-reason", "The fee is not what we agreed.")
    june.click("#decline-confirm")
    expect(june.locator("#sign-done-title")).to_have_text("You declined to sign")
    june.goto(site + "/portal")
    expect(june.locator("#attention-list .signature-item")).to_have_count(0)
    expect(june.locator("#portal-signing-list")).to_contain_text("Declined")

    jim_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    jim = jim_context.new_page()
    portal_log_in(jim, site, f"jim.{tag}@hartley.example", PASSWORD)
    jim.goto(f"{site}/portal/sign/{rid}")
    expect(jim.locator("#sign-done-text")).to_contain_text("Someone declined to sign, so this request was stopped.")
    jim_context.close()
    with read_session() as s:
        assert s.exec(select(Signer).where(Signer.request_id == rid, Signer.position == 0)).one().decline_reason \
            == "The fee is not what we agreed."
