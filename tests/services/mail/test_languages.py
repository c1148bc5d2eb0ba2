"""The app's own emails reach each person in their language (issue 14): a French contact gets French subjects and
bodies, an English contact of the same account English, one who chose none the firm's default; staff get theirs.
Every mail goes through a real SMTP server (tests/smtp.py), as the firm's clients would receive it."""
from __future__ import annotations

import datetime as dt
import email.header
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlmodel import select

from practice import i18n
from practice.db import write_session
from practice.models import Account, Contact, Firm, Notification, OutgoingMail
from practice.services.access import team
from practice.services.automation import rulesets
from practice.services.errors import InvalidInput
from practice.services import inbox
from practice.services.firm import get_firm
from practice.services.mail import outbox, password_reset, settings as mail_settings, templates as mail_templates
from practice.services.portal import approvals, logins
from practice.services.documents import files as document_files
from practice.services.signing import consent, requests
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from tests.factories import (blank_pdf, give_portal_login, make_contact, make_firm, make_household, make_job,
                             make_pipeline)
from tests.factories.signing import make_signature_request
from tests.smtp import Misbehaviour, SMTPServer


def durand_household(monkeypatch):
    """The Durand household: Amélie reads French, Ben English, Chloé chose nothing (the firm's default, English
    until a test changes it); nobody invited yet. Bob (staff) reads French. A PDF to sign."""
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.example")
    with write_session() as s:
        staff = make_firm(s, employees={"bob": {"name": "Bob Stone", "email": "bob@firm.example"}})
        owner = staff["owner"]
        get_firm(s).name = "Cabinet Durand"
        durand, _ = make_household(s, owner, "Durand Household", "Durand", invite=False)
        amelie = make_contact(s, owner, [durand.id], "Amélie", "Durand", email="amelie@durand.example",
                              language="fr")
        ben = make_contact(s, owner, [durand.id], "Ben", "Durand", email="ben@durand.example", language="en")
        chloe = make_contact(s, owner, [durand.id], "Chloé", "Durand", email="chloe@durand.example")
        team.set_my_language(s, staff["bob"], "fr")
    doc = document_files.upload(owner, durand.id, None, "liasse.pdf", blank_pdf(1))
    return {**staff, "durand": durand.id, "amelie": amelie.id, "ben": ben.id, "chloe": chloe.id, "doc": doc.id}


pytestmark = pytest.mark.firm(build=durand_household)


@pytest.fixture
def server(firm):
    with SMTPServer() as smtp:
        with write_session() as s:
            mail_settings.update_settings(s, firm["owner"], host="127.0.0.1", port=smtp.port, security="none",
                                          username="", from_address="office@durand.example", from_name="Durand")
        yield smtp


def delivered(server) -> dict[str, tuple[str, str]]:
    """The mails queued since the last call, sent to the SMTP server, as address -> (subject, body) as the
    reader's mail program decodes them."""
    with write_session() as s:
        queued = len(s.exec(select(OutgoingMail)).all())
    outbox.deliver_due()
    out = {}
    for msg in server.wait_for(queued)[getattr(server, "seen", 0):]:
        subject = " ".join(str(email.header.make_header(email.header.decode_header(msg["Subject"]))).split())
        out[msg["To"]] = (subject, msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8"))
    server.seen = queued
    return out


def test_each_contact_of_one_account_is_invited_in_their_own_language(firm, server):
    with write_session() as s:
        for key in ("amelie", "ben", "chloe"):
            logins.invite(s, firm["owner"], firm[key])
    mails = delivered(server)
    subject, body = mails["amelie@durand.example"]
    assert subject == "Cabinet Durand vous invite à rejoindre votre espace client"
    assert body.startswith("Bonjour Amélie,") and "choisissez votre mot de passe" in body
    assert "expire dans 7 jours" in body and "https://portal.example/portal/activate?token=" in body
    assert "Hello" not in body and "invites" not in body
    subject, body = mails["ben@durand.example"]
    assert subject == "Cabinet Durand invites you to your client portal"
    assert body.startswith("Hello Ben,") and "expires in 7 days" in body and "Bonjour" not in body
    # Chloé chose no language: the firm's default (English here).
    assert mails["chloe@durand.example"][0] == "Cabinet Durand invites you to your client portal"


def test_a_contact_who_chose_no_language_gets_the_firms_default(firm, server):
    with write_session() as s:
        s.exec(select(Firm)).first().language = "fr"
        for key in ("chloe", "ben"):
            logins.invite(s, firm["owner"], firm[key])
    delivered(server)
    with write_session() as s:
        make_signature_request(s, firm["owner"], firm["durand"], title="Mandat", document_id=firm["doc"],
                               signer_contact_ids=[firm["chloe"], firm["ben"]], in_order=False)
    mails = delivered(server)
    assert mails["chloe@durand.example"][0] == "Cabinet Durand vous demande de signer « Mandat »"
    assert mails["ben@durand.example"][0] == 'Cabinet Durand asks you to sign "Mandat"'
    with write_session() as s:
        logins.invite(s, firm["owner"], firm["chloe"])  # a new link: the invitation again, in the firm's French
    assert delivered(server)["chloe@durand.example"][0] == "Cabinet Durand vous invite à rejoindre votre espace client"


def test_signature_and_approval_requests_follow_each_signers_language(firm, server):
    with write_session() as s:
        for key in ("amelie", "ben"):
            logins.invite(s, firm["owner"], firm[key])
    delivered(server)
    with write_session() as s:
        make_signature_request(s, firm["owner"], firm["durand"], title="Liasse fiscale 2026", document_id=firm["doc"],
                               signer_contact_ids=[firm["amelie"], firm["ben"]], in_order=False)
    mails = delivered(server)
    subject, body = mails["amelie@durand.example"]
    assert subject == "Cabinet Durand vous demande de signer « Liasse fiscale 2026 »"
    assert "Ouvrez-le dans votre espace client pour le lire et le signer" in body
    assert mails["ben@durand.example"][0] == 'Cabinet Durand asks you to sign "Liasse fiscale 2026"'
    with write_session() as s:
        approvals.request_approval(s, firm["owner"], document_ids=[firm["doc"]])
    mails = delivered(server)
    assert mails["amelie@durand.example"][0] == "Cabinet Durand vous demande d'approuver 1 document"
    assert "ou le refuser en indiquant le motif" in mails["amelie@durand.example"][1]
    assert mails["ben@durand.example"][0] == "Cabinet Durand asks you to approve 1 document"


def test_staff_get_their_password_reset_in_their_own_language(firm, server):
    with write_session() as s:
        password_reset.forgot_password(s, "bob@firm.example")
    subject, body = delivered(server)["bob@firm.example"]
    assert subject == "Réinitialisez votre mot de passe practice chez Cabinet Durand"
    assert body.startswith("Bonjour Bob,") and "vous déconnecte partout" in body


def test_a_signers_language_is_read_when_the_mail_is_made(firm, server):
    # A contact who switches to French before the request is sent gets it in French.
    with write_session() as s:
        logins.invite(s, firm["owner"], firm["ben"])
        s.get(Contact, firm["ben"]).language = "fr"
    delivered(server)
    with write_session() as s:
        req = make_signature_request(s, firm["owner"], firm["durand"], title="Mandat", document_id=firm["doc"],
                                     signer_contact_ids=[firm["ben"]], send=False)
        requests.send(s, firm["owner"], req.id)
    assert delivered(server)["ben@durand.example"][0] == "Cabinet Durand vous demande de signer « Mandat »"


def test_a_mail_that_fails_for_good_is_told_to_each_member_in_their_language(firm, server):
    """The notice keeps its sentence as template and values, the mail server's reason too: each member reads the
    whole of it in the language they read now (Bob switching to English reads it in English from then on)."""
    server.misbehave("gone@durand.example", Misbehaviour(rcpt_reply="550 5.1.1 No such user"))
    with write_session() as s:
        outbox.enqueue(s, to_address="gone@durand.example", subject="Relance", body="...",
                       sender_id=firm["bob"].member_id)
    outbox.deliver_due()
    with write_session() as s:
        notes = {n.member_id: n for n in s.exec(select(Notification).where(Notification.kind == "mail_failed"))}
    bob, owner = notes[firm["bob"].member_id], notes[firm["owner"].member_id]
    with i18n.using_locale("fr"):
        french = inbox.told(bob)
    assert french.startswith("L'e-mail « Relance » à gone@durand.example n'a pas pu être distribué : Le serveur de "
                             "messagerie 127.0.0.1:")
    assert french.endswith("a refusé le destinataire gone@durand.example (550 5.1.1 No such user). Vérifiez "
                           "l'adresse e-mail du contact. L'e-mail n'a pas été envoyé et ne sera pas réessayé.")
    with i18n.using_locale("en"):
        assert inbox.told(bob) == inbox.told(owner) == owner.text
    assert owner.text.startswith('The email "Relance" to gone@durand.example could not be delivered: The mail server '
                                 "at 127.0.0.1:")
    assert owner.text.endswith("The email was not sent and will not be tried again.")


def test_the_outbox_tells_why_a_mail_failed_in_the_readers_language(firm, server):
    """The outbox and the send-now answer read the failure in the reader's language; a row failed before the words
    were kept shows its sentence as written."""
    server.misbehave("gone@durand.example", Misbehaviour(rcpt_reply="550 5.1.1 No such user"))
    with write_session() as s:
        mail_id = outbox.enqueue(s, to_address="gone@durand.example", subject="Relance", body="...").id
    outbox.deliver_due()
    with write_session() as s:
        row = s.get(OutgoingMail, mail_id)
        with i18n.using_locale("fr"):
            assert outbox.error_of(row) == (f"Le serveur de messagerie 127.0.0.1:{server.port} a refusé le destinataire "
                                            "gone@durand.example (550 5.1.1 No such user). Vérifiez l'adresse e-mail du "
                                            "contact. L'e-mail n'a pas été envoyé et ne sera pas réessayé.")
        with i18n.using_locale("en"):
            assert outbox.error_of(row) == row.last_error
        row.last_error_words = None  # as rows written before kept it
        with i18n.using_locale("fr"):
            assert outbox.error_of(row) == row.last_error


def test_a_notice_kept_before_its_words_were_kept_reads_as_written(firm):
    """Rows written before the sentences were kept as words (text_words empty) are still shown, as written."""
    with write_session() as s:
        note = inbox.notify(s, member_id=firm["bob"].member_id, kind="mail_failed",
                            text="L'e-mail « Relance » n'a pas pu être distribué : refusé.")
        with i18n.using_locale("en"):
            assert inbox.told(note) == "L'e-mail « Relance » n'a pas pu être distribué : refusé."


def test_a_firm_template_with_a_french_version_reaches_each_contact_in_their_language(firm, server):
    with write_session() as s:
        owner = firm["owner"]
        mail_templates.save_template(
            s, owner, name="Relance", subject="Your documents, {{ contact.first_name }}",
            body="Dear {{ contact.first_name }}, please upload your documents for {{ account.name }}.",
            subject_fr="Vos pièces, {{ contact.first_name }}",
            body_fr="Bonjour {{ contact.first_name }}, merci de déposer vos pièces pour {{ account.name }} "
                    "avant le {{ today }}.")
        pipeline = make_pipeline(s, owner, name="Bilan", stages=("Collecte", "Relance"))
        job = make_job(s, owner, account=s.get(Account, firm["durand"]), pipeline=pipeline, name="Bilan 2026")
        rulesets.save_rules(s, owner, 'rule "Relance"\nwhen job enters stage "Relance"\nthen\n'
                                      '  send email "Relance" to account\nend\n')
        relance = next(st.id for st in stages_of(s, pipeline.id) if st.name == "Relance")
    with write_session() as s:
        jobs.move_job(s, firm["owner"], job.id, relance)
    mails = delivered(server)
    subject, body = mails["amelie@durand.example"]
    assert subject == "Vos pièces, Amélie"
    with write_session() as s:
        zone = ZoneInfo(get_firm(s).timezone)
    today = format_date(dt.datetime.now(zone).date(), "d MMMM y", locale="fr_FR")  # on the firm's clock
    assert body.strip() == f"Bonjour Amélie, merci de déposer vos pièces pour Durand Household avant le {today}."
    assert mails["ben@durand.example"][0] == "Your documents, Ben"
    assert mails["chloe@durand.example"][0] == "Your documents, Chloé"  # no language: the firm's default, English


def test_a_french_version_needs_both_its_subject_and_its_body(firm):
    with write_session() as s, pytest.raises(InvalidInput, match="French version a body"):
        mail_templates.save_template(s, firm["owner"], name="Half", subject="Hi", body="Hello",
                                     subject_fr="Bonjour", body_fr="  ")


def test_the_consent_text_follows_the_readers_language_and_the_firms_french_version(firm):
    with write_session() as s:
        with i18n.using_locale("fr"):
            assert consent.disclosure_text(s, "Cabinet Durand").startswith(
                "Consentement à la signature et à la réception de documents par voie électronique")
        settings = consent.settings(s)
        settings.disclosure_text = "Our own words, {{ firm }}."
        with i18n.using_locale("fr"):
            assert consent.disclosure_text(s, "Cabinet Durand") == "Our own words, Cabinet Durand."
        settings.disclosure_text_fr = "Nos propres mots, {{ firm }}."
        with i18n.using_locale("fr"):
            assert consent.disclosure_text(s, "Cabinet Durand") == "Nos propres mots, Cabinet Durand."
        assert consent.disclosure_text(s, "Cabinet Durand") == "Our own words, Cabinet Durand."


def test_a_french_client_hears_of_a_corrected_login_email_in_french(firm, server):
    give_portal_login(firm["owner"], firm["amelie"], "a long enough secret 42")
    delivered(server)
    with write_session() as s:
        logins.update_contact(s, firm["owner"], firm["amelie"], email="amelie.durand@durand.example")
    subject, body = delivered(server)["amelie@durand.example"]
    assert subject == "Votre identifiant de l'espace client Cabinet Durand a une nouvelle adresse e-mail"
    assert "Désormais, connectez-vous avec amelie.durand@durand.example." in body
