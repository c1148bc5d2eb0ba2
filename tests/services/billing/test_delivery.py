"""What the client gets when an invoice is issued, through the services and the worker's event handling: the PDF
filed once in the account's documents (its text read back with pypdf), one email per billing contact through a real
SMTP server even when the event is delivered twice, the VOID copy of a voided invoice, the portal's list for the
account's own contacts only, the firm's payment instructions, and all of it in French for a French reader."""
from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Document, Event, Invoice, InvoiceStatus, OutgoingMail
from practice.services import events
from practice.services.automation import engine
from practice.services.billing import delivery, invoices
from practice.services.documents import storage
from practice.services.errors import InvalidInput, PermissionDenied
from practice.services.mail import outbox, settings as mail_settings
from tests.factories import contact_actor, give_portal_login, make_account, make_contact, make_firm
from tests.smtp import SMTPServer

PASSWORD = "plum-harbor-lantern"
BANK = "Bank transfer to ACME Bank, account 12345678, reference: your invoice number."


def two_households(monkeypatch):
    """Jones Household (Amy and Ben with portal logins, Cal without) and Smith Household (Sam with a login)."""
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.example")
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        owner = staff["owner"]
        jones = make_account(s, owner, name="Jones Household")
        smith = make_account(s, owner, name="Smith Household")
        amy = make_contact(s, owner, [jones.id], "Amy", "Jones")
        ben = make_contact(s, owner, [jones.id], "Ben", "Jones")
        make_contact(s, owner, [jones.id], "Cal", "Jones")  # no portal login: no email
        sam = make_contact(s, owner, [smith.id], "Sam", "Smith")
        delivery.set_payment_instructions(s, owner, BANK)
    for contact in (amy, ben, sam):
        give_portal_login(owner, contact.id, PASSWORD)
    return {**staff, "jones": jones.id, "smith": smith.id, "amy": amy.id, "ben": ben.id, "sam": sam.id}


pytestmark = pytest.mark.firm(build=two_households)

LINES = [{"name": "2025 tax return", "rate": "900"},
         {"name": "Bookkeeping", "quantity": "3", "rate": "250", "discount": "10", "tax": "8.25"}]
TOTAL = "$1,630.69"  # $900 + 3 x $250 - 10% + 8.25% tax on $675


@pytest.fixture
def server(firm):
    with SMTPServer() as smtp:
        with write_session() as s:
            mail_settings.update_settings(s, firm["owner"], host="127.0.0.1", port=smtp.port, security="none",
                                          username="", from_address="office@firm.example", from_name="Firm")
        yield smtp


def issued(firm, account="jones", lines=LINES) -> int:
    with write_session() as s:
        invoice = invoices.save_draft(s, firm["owner"], account_id=firm[account], lines=lines)
        invoices.issue(s, firm["owner"], invoice.id)
        return invoice.id


def work_events() -> int:
    with read_session() as s:
        pending = events.pending_event_ids(s)
    return engine.handle_events(pending)


def looking_at(firm, who: str, account: str):
    """The contact as the portal has it, looking at one of its accounts."""
    return dataclasses.replace(contact_actor(firm[who]), current_account_id=firm[account])


def invoice(invoice_id) -> Invoice:
    with read_session() as s:
        return s.get(Invoice, invoice_id)


def pdf_text(document_id: int) -> str:
    with read_session() as s:
        doc = s.get(Document, document_id)
    data = storage.open_stored(doc.stored_key).read_bytes()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def invoice_mails(server) -> list:
    with read_session() as s:
        queued = len(s.exec(select(OutgoingMail)).all())
    outbox.deliver_due()
    return [m for m in server.wait_for(queued) if "invoice" in (m["Subject"] or "").lower()
            or "facture" in (m["Subject"] or "").lower()]


def test_issuing_files_the_pdf_once_and_emails_each_billing_contact_once(firm, server):
    invoice_id = issued(firm)
    number = invoice(invoice_id).number
    work_events()  # (the tests' doorbell may have handled the event already, as the worker does after the commit)
    filed = invoice(invoice_id).pdf_document_id
    assert filed is not None
    with read_session() as s:
        docs = s.exec(select(Document).where(Document.account_id == firm["jones"])).all()
    assert [(d.name, d.shared, d.content_type) for d in docs] == [(f"Invoice {number}.pdf", True, "application/pdf")]
    text = pdf_text(filed)
    for expected in (f"Invoice {number}", "Jones Household", "2025 tax return", "Bookkeeping", TOTAL, "Amount due",
                     "ACME Bank", "How to pay"):
        assert expected in text, expected

    # The event delivered again (a worker killed after sending, a retry by hand): nothing more is filed or sent.
    with write_session() as s:
        delivery.deliver(s, s.get(Invoice, invoice_id))
    with write_session() as s:
        ev = s.exec(select(Event).where(Event.kind == "invoice_issued")).one()
        delivery.handle(s, ev)
    with read_session() as s:
        assert len(s.exec(select(Document).where(Document.account_id == firm["jones"])).all()) == 1

    mails = invoice_mails(server)
    assert sorted(m["To"] for m in mails) == ["amy@jones.example", "ben@jones.example"]
    amy = next(m for m in mails if m["To"] == "amy@jones.example")
    body = amy.get_payload(decode=True).decode()
    assert amy["Subject"] == f"Firm sent you invoice {number}: {TOTAL}" or TOTAL in amy["Subject"]
    assert "https://portal.example/portal/invoices" in body and "ACME Bank" in body and "Hello Amy" in body


def test_a_voided_invoice_gets_a_void_copy_and_the_portal_offers_that_one(firm):
    invoice_id = issued(firm)
    work_events()
    with write_session() as s:
        invoices.void(s, firm["owner"], invoice_id, "Billed to the wrong household")
    work_events()
    inv = invoice(invoice_id)
    assert inv.void_document_id and inv.void_document_id != inv.pdf_document_id
    text = pdf_text(inv.void_document_id)
    assert "VOID" in text and "Billed to the wrong household" in text and "$0.00" in text
    with read_session() as s:  # the client's Documents keep only the VOID copy; staff see both
        assert (s.get(Document, inv.pdf_document_id).shared, s.get(Document, inv.void_document_id).shared) == (
            False, True)
    with read_session() as s:
        page = delivery.portal_invoices(s, looking_at(firm, "amy", "jones"))
    assert [(i.number, i.status, i.due_cents, i.document_id) for i in page.invoices] == [
        (inv.number, InvoiceStatus.void, 0, inv.void_document_id)]


def test_an_invoice_voided_before_it_went_out_is_never_emailed_only_its_void_copy_filed(firm, server):
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["jones"], lines=LINES)
        invoices.issue(s, firm["owner"], draft.id)
        invoices.void(s, firm["owner"], draft.id, "Wrong household")
        invoice_id = draft.id
    work_events()
    inv = invoice(invoice_id)
    assert inv.pdf_document_id is None and inv.void_document_id is not None
    with read_session() as s:
        assert [d.name for d in s.exec(select(Document).where(Document.account_id == firm["jones"]))] == [
            f"Invoice {inv.number} - VOID.pdf"]
    assert invoice_mails(server) == []


def test_the_portal_shows_what_is_due_first_and_only_to_the_accounts_own_contacts(firm):
    paid = issued(firm, lines=[{"name": "Advice", "rate": "100"}])
    due = issued(firm)
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], paid, amount_cents=10000, method="check")
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["jones"], lines=LINES).id
    work_events()
    with read_session() as s:
        page = delivery.portal_invoices(s, looking_at(firm, "amy", "jones"))
    assert [i.id for i in page.invoices] == [due, paid]  # the draft never shows
    assert draft not in [i.id for i in page.invoices]
    assert page.due_cents == 163069 and page.instructions == BANK
    assert [line.name for line in page.invoices[0].lines] == ["2025 tax return", "Bookkeeping"]

    # Sam, of another account, sees none of them, even naming the Jones account.
    sam = looking_at(firm, "sam", "smith")
    with read_session() as s:
        assert delivery.portal_invoices(s, sam).invoices == []
    with read_session() as s, pytest.raises(PermissionDenied):
        delivery.portal_invoices(s, dataclasses.replace(sam, current_account_id=firm["jones"]))
    with read_session() as s, pytest.raises(PermissionDenied):  # a forged session claiming the account
        delivery.portal_invoices(s, dataclasses.replace(sam, account_ids=(firm["smith"], firm["jones"]),
                                                        current_account_id=firm["jones"]))


def test_payment_instructions_are_the_admins_to_write_with_a_sentence_for_too_long(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        delivery.set_payment_instructions(s, firm["bob"], "Pay me")
    with write_session() as s, pytest.raises(InvalidInput, match="at most 2000"):
        delivery.set_payment_instructions(s, firm["owner"], "x" * 2001)
    with write_session() as s:
        delivery.set_payment_instructions(s, firm["owner"], "")
    with read_session() as s:
        assert "Contact us to pay" in delivery.payment_instructions(s)


def test_a_french_contact_gets_the_pdf_and_the_email_in_french(firm, server):
    with write_session() as s:
        from practice.models import Contact

        contact = s.get(Contact, firm["sam"])
        contact.language = "fr"
        s.add(contact)
    invoice_id = issued(firm, account="smith")
    work_events()
    inv = invoice(invoice_id)
    text = pdf_text(inv.pdf_document_id)
    for expected in (f"Facture {inv.number}", "Échéance", "Montant dû", "Comment payer", "1 630,69"):
        assert expected in text.replace("\u202f", " ").replace("\xa0", " "), expected
    with read_session() as s:
        assert s.get(Document, inv.pdf_document_id).name == f"Facture {inv.number}.pdf"
    mails = invoice_mails(server)
    assert [m["To"] for m in mails] == ["sam@smith.example"]
    body = mails[0].get_payload(decode=True).decode()
    assert "Bonjour Sam" in body and "Comment payer" in body
