"""A document locked until an invoice is paid (TaxDome's "lock until paid"): the client sees it listed, with the
invoice to pay, but cannot download, preview or read it through the drive until that invoice is paid. Staff always
open it. The lock is read live from the invoice's status, so every way of paying (card, the provider's webhook,
a check staff record) opens it, and a payment removed by mistake closes it again.

A voided invoice keeps the document locked: a firm voids an invoice to correct it and sends another, and the
finished work must not open because of the correction. Staff see that the invoice was voided and choose another
invoice or unlock it (services/billing/document_locks.py locks and unlocks)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlmodel import Session, select

from practice.models import Document, Invoice, InvoiceStatus
from practice.services.actor import ContactActor
from practice.services.errors import PermissionDenied
from practice.i18n import N_, _

UNTIL_PAID = N_("This document opens once invoice {number} is paid. Pay it on the Invoices page, then open it.")
VOIDED = N_("The firm has locked this document. Ask them to open it.")


@dataclass(frozen=True)
class Lock:
    """A lock still closed: the invoice it waits for, its number, and whether that invoice was voided."""

    invoice_id: int
    number: int | None
    voided: bool = False

    def sentence(self) -> str:
        """Why the client cannot open the document, and what to do."""
        return _(VOIDED) if self.voided or self.number is None else _(UNTIL_PAID).format(number=self.number)


def closed_lock(invoice_id: int, number: int | None, status) -> Lock | None:
    """The lock of a document waiting for this invoice, or None once it is paid (the document opens)."""
    if InvoiceStatus(status) == InvoiceStatus.paid:
        return None
    return Lock(invoice_id, number, voided=InvoiceStatus(status) == InvoiceStatus.void)


def lock_of(session: Session, doc: Document) -> Lock | None:
    """The document's lock while its invoice is not paid; None when it is not locked or the invoice is paid."""
    if doc.locked_by_invoice_id is None:
        return None
    invoice = session.get(Invoice, doc.locked_by_invoice_id)
    return None if invoice is None else closed_lock(invoice.id, invoice.number, invoice.status)


def locks_of(session: Session, document_ids: Iterable[int]) -> dict[int, Lock]:
    """The closed locks of these documents, by document id (one statement)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    rows = session.exec(select(Document.id, Invoice.id, Invoice.number, Invoice.status)
                        .join(Invoice, Invoice.id == Document.locked_by_invoice_id)
                        .where(Document.id.in_(ids))).all()
    found = {doc_id: closed_lock(invoice_id, number, status) for doc_id, invoice_id, number, status in rows}
    return {doc_id: lock for doc_id, lock in found.items() if lock is not None}


def check_unlocked(session: Session, who, doc: Document) -> None:
    """Refuse a client's opening of a document locked until an invoice is paid (staff always open it)."""
    if isinstance(who, ContactActor):
        lock = lock_of(session, doc)
        if lock is not None:
            raise PermissionDenied(lock.sentence())
