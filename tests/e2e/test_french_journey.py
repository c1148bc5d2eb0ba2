"""Issue 14's journey in one piece: a French contact receives the portal invitation, a signature request and its
reminder in French (a real SMTP server, aiosmtpd), activates and signs on a 390x844 phone with French pages, and
the audit page of the sealed PDF is in French with dates like "4 décembre 2026"; an English contact of the same
account gets each email in English."""
from __future__ import annotations

import datetime as dt
import email.header
import io
import re
import uuid

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from pypdf import PdfReader

from practice import routes
from practice.db import read_session, write_session
from practice.models import Document, SignatureRequest
from practice.services.automation import reminder_kinds
from practice.services.documents import files as document_files, storage
from practice.services.mail import outbox
from practice.services.portal import logins
from practice.services.signing import requests
from practice.services.work import accounts
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.visible_english import english_left
from tests.factories import demo_owner, normal_pdf
from tests.factories.signing import make_signature_request

pytestmark = pytest.mark.e2e
PASSWORD = "linden-copper-meadow-8"


@pytest.fixture
def durand(local_mail):
    """The local mail server (tests/e2e/conftest.py) and an account with Camille (French) and Ben (English), neither
    of them invited yet."""
    tag = uuid.uuid4().hex[:6]
    owner = demo_owner()
    with write_session() as s:
        account = accounts.create_account(s, owner, name=f"Durand SARL {tag}")
        camille = accounts.create_contact(s, owner, account_ids=[account.id], first_name="Camille",
                                          last_name="Durand", email=f"camille.{tag}@durand.example")
        ben = accounts.create_contact(s, owner, account_ids=[account.id], first_name="Ben", last_name="Durand",
                                      email=f"ben.{tag}@durand.example")
        camille.language, ben.language = "fr", "en"
        ids = {"account": account.id, "camille": camille.id, "ben": ben.id,
               "camille_email": camille.email, "ben_email": ben.email}
    return {"server": local_mail, "owner": owner, "tag": tag, **ids}


def _subject(message) -> str:
    return " ".join(str(email.header.make_header(email.header.decode_header(message["Subject"]))).split())


def _body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def _french_on_both_sizes(pg, expected: str) -> None:
    for size in (PHONE, DESKTOP):
        pg.set_viewport_size(size)
        expect(pg.get_by_text(expected, exact=False).first).to_be_visible()
        assert english_left(pg) == [], expected
    pg.set_viewport_size(PHONE)


def test_a_french_contact_is_invited_asked_reminded_and_signs_in_french(phone_page, base_url, durand):
    server, owner, tag = durand["server"], durand["owner"], durand["tag"]
    camille_email, ben_email = durand["camille_email"], durand["ben_email"]

    # The invitations: each in its reader's language.
    with write_session() as s:
        logins.invite(s, owner, durand["camille"])
        ben_link = logins.invite(s, owner, durand["ben"]).link
    invitation = server.wait_for(camille_email)[0]
    assert _subject(invitation).endswith("vous invite à rejoindre votre espace client")
    assert _body(invitation).startswith("Bonjour Camille,") and "Hello" not in _body(invitation)
    english = server.wait_for(ben_email)[0]
    assert _subject(english).endswith("invites you to your client portal")
    assert _body(english).startswith("Hello Ben,")
    with write_session() as s:
        logins.activate(s, re.search(r"token=([\w-]+)", ben_link).group(1), PASSWORD)

    # Camille activates her login on her phone, from the email's link: the pages are French.
    pg = phone_page
    pg.goto(re.search(r"(http\S+/portal/activate\?token=[\w-]+)", _body(invitation)).group(1))
    expect(pg.locator("#portal-set-password")).to_be_visible()
    assert english_left(pg) == []
    pg.fill("#portal-new-password", PASSWORD)
    pg.fill("#portal-confirm-password", PASSWORD)
    pg.click("#portal-set-password")
    expect(pg).to_have_url(re.compile(r"/portal/login\?ready=1$"))
    assert english_left(pg) == []

    # The firm asks each to sign a letter, with a reminder every three days.
    title_fr, title_en = f"Lettre de mission {tag}", f"Engagement letter {tag}"
    made = {}
    for key, title in (("camille", title_fr), ("ben", title_en)):
        doc = document_files.upload(owner, durand["account"], None, f"{title}.pdf", normal_pdf(1))
        with write_session() as s:
            req = make_signature_request(s, owner, durand["account"], title=title, document_id=doc.id,
                                         signer_contact_ids=[durand[key]], send=False)
            requests.send(s, owner, req.id, remind_every=dt.timedelta(days=3), remind_times=2)
            made[key] = req.id
    asked = server.wait_for(camille_email, count=2)[1]
    assert _subject(asked).endswith(f"vous demande de signer « {title_fr} »")
    assert "Ouvrez-le dans votre espace client pour le lire et le signer" in _body(asked)
    assert _subject(server.wait_for(ben_email, count=2)[1]).endswith(f'asks you to sign "{title_en}"')

    # Three days later: the reminders, in each reader's language.
    with read_session() as s:
        sent_at = s.get(SignatureRequest, made["camille"]).created_at
    with write_session() as s:
        reminder_kinds.send_due_reminders(s, now=sent_at + dt.timedelta(days=3, minutes=1))
    outbox.deliver_due()  # the worker's mailer, which runs after each sweep
    reminder, english_reminder = server.wait_for(camille_email, count=3)[2], server.wait_for(ben_email, count=3)[2]
    assert title_fr in _subject(reminder) and title_en in _subject(english_reminder)
    assert _subject(reminder).startswith("Rappel : ") and _subject(english_reminder).startswith("Reminder: ")
    assert _body(reminder).startswith("Bonjour Camille,") and not re.search(r"\b(Reminder|Please|Hello|waiting)\b", _body(reminder))

    # Camille follows the reminder's link, logs in and signs on her phone: every page in French.
    link = re.search(r"(http\S+/portal/sign/\d+)", _body(reminder)).group(1)
    assert link.endswith(routes.portal_sign_url(made["camille"]))
    pg.goto(link)
    expect(pg.locator("#portal-email")).to_be_visible()  # not logged in yet: the login page first
    pg.fill("#portal-email", camille_email)
    pg.fill("#portal-password", PASSWORD)
    assert english_left(pg) == []
    pg.click("#portal-login-submit")
    expect(pg).to_have_url(re.compile(r"/portal(/sign/\d+)?$"))
    if not pg.url.endswith(routes.portal_sign_url(made["camille"])):
        pg.goto(link)
    expect(pg.locator("#sign-disclosure")).to_contain_text("Consentement à la signature")
    _french_on_both_sizes(pg, "Avant de signer")
    pg.click("#consent-agree")
    pg.click("#consent-continue")
    expect(pg.locator("#sign-progress")).to_have_text("0 sur 1 complété(s)")
    pg.locator(".sign-field[data-kind='signature']").click()
    pg.click("#sign-pad-type-tab")
    pg.fill("#sign-pad-typed", "Camille Durand")
    assert english_left(pg) == []
    pg.click("#sign-adopt")
    pg.click("#sign-finish")
    expect(pg.locator("#sign-summary")).to_contain_text("« Camille Durand »")
    assert english_left(pg) == []
    pg.click("#sign-now")
    expect(pg.locator("#sign-done-title")).to_have_text("Tout le monde a signé", timeout=30_000)
    _french_on_both_sizes(pg, "L'exemplaire signé, scellé")

    # The sealed file's audit page: French words, French dates.
    with read_session() as s:
        req = s.get(SignatureRequest, made["camille"])
        signed = s.get(Document, req.signed_document_id)
        data = storage.open_stored(signed.stored_key).read_bytes()
        signed_on = req.completed_at or signed.created_at
    pages = PdfReader(io.BytesIO(data)).pages
    audit = " ".join(" ".join(p.extract_text() for p in pages[1:]).split())
    assert "Camille Durand" in audit and camille_email in audit
    assert format_date(signed_on, "d MMMM y", locale="fr") in audit, audit[:600]
    for english_word in ("Signer 1", "Identity check", "Timeline", "signed by"):
        assert english_word not in audit, (english_word, audit[:600])
