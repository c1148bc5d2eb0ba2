"""Staff locking a document until one of its account's invoices is paid, and unlocking it (who may: those who
manage invoices and payments, on accounts they see). What the lock does for the client, and why a voided invoice
keeps the document locked: services/documents/locks.py."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from practice.models import Document, Invoice, InvoiceStatus
from practice.services import audit
from practice.services.actor import Actor
from practice.services.billing.invoices import due_cents, invoice_name, require_manages_billing
from practice.services.documents.sharing import check_document
from practice.services.errors import Conflict, NotFound
from practice.services.formatting import format_money
from practice.i18n import _

# The invoices a document may wait for: issued (the client sees them) and not paid in full yet.
LOCKABLE = (InvoiceStatus.sent, InvoiceStatus.partly_paid)


@dataclass(frozen=True)
class LockableInvoice:
    id: int
    number: int
    due_cents: int

    @property
    def label(self) -> str:
        """'Invoice 1042 · $480.00 due', as the dialog lists it."""
        return _("Invoice {number} · {due} due").format(number=self.number, due=format_money(self.due_cents))


def _document(session: Session, actor: Actor, document_id: int) -> Document:
    require_manages_billing(actor)
    return check_document(session, actor, session.get(Document, document_id))


def lockable_invoices(session: Session, actor: Actor, document_id: int) -> list[LockableInvoice]:
    """The document's account's invoices it may be locked until (sent, not paid in full), newest first."""
    doc = _document(session, actor, document_id)
    rows = session.exec(select(Invoice).where(Invoice.account_id == doc.account_id, Invoice.status.in_(LOCKABLE))
                        .order_by(Invoice.id.desc()).limit(200)).all()
    return [LockableInvoice(i.id, i.number, due_cents(i)) for i in rows]


def lock_document(session: Session, actor: Actor, document_id: int, invoice_id: int) -> Document:
    """Lock a document until one of its account's unpaid invoices is paid: the client sees it listed with the
    invoice to pay and opens it once that invoice is paid."""
    doc = _document(session, actor, document_id)
    invoice = session.get(Invoice, invoice_id) if isinstance(invoice_id, int) else None
    if invoice is None or invoice.account_id != doc.account_id:
        raise NotFound(_("Choose an invoice of this document's account."))
    if invoice.status == InvoiceStatus.draft:
        raise Conflict(_("{name} is not sent yet: send it first, so the client can pay it.")
                       .format(name=invoice_name(invoice)))
    if invoice.status not in LOCKABLE:
        raise Conflict(_("{name} is paid or void: choose an invoice the client still has to pay.")
                       .format(name=invoice_name(invoice)))
    if doc.locked_by_invoice_id != invoice.id:
        doc.locked_by_invoice_id = invoice.id
        session.add(doc)
        audit.record(session, actor, "lock", "document", doc.id,
                     f'Locked document "{doc.name}" until invoice {invoice.number} is paid',
                     account_id=doc.account_id, invoice_id=invoice.id)
    return doc


def unlock_document(session: Session, actor: Actor, document_id: int) -> Document:
    """Take the lock off a document: the client opens it whether or not the invoice is paid."""
    doc = _document(session, actor, document_id)
    if doc.locked_by_invoice_id is not None:
        invoice = session.get(Invoice, doc.locked_by_invoice_id)
        doc.locked_by_invoice_id = None
        session.add(doc)
        audit.record(session, actor, "unlock", "document", doc.id,
                     f'Unlocked document "{doc.name}"' + (f" (it waited for invoice {invoice.number})"
                                                          if invoice is not None else ""),
                     account_id=doc.account_id)
    return doc
