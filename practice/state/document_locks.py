"""The account page's "Lock until paid" dialog: staff who manage invoices choose one of the account's unpaid invoices
for a document (the client sees it listed and opens it once that invoice is paid), or unlock it. A state mixin of
the Documents section, which has `doc_error`, `doc_notice`, `_all_docs` and `_refresh()`; the rules are in
services/billing/document_locks.py."""
from __future__ import annotations

import reflex as rx

from practice.i18n import _
from practice.services.billing import document_locks
from practice.state.base import STAFF, allow, read, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import parse_id


class DocumentLocking(rx.State, mixin=True):
    lock_open: bool = False
    lock_doc_id: int = 0
    lock_doc_name: str = ""
    lock_locked: bool = False
    lock_options: list[Option] = []
    lock_choice: str = ""
    lock_error: str = ""

    @allow(STAFF)
    def open_lock(self, document_id: int):
        """The dialog for one document: its account's unpaid invoices to choose from (refused without the right)."""
        chosen = next((d for d in self._all_docs if d.id == parse_id(document_id)), None)
        if chosen is None:
            return
        self.doc_error = self.lock_error = ""
        with shown_in(self, "doc_error"):
            invoices = read(document_locks.lockable_invoices, self._require(), chosen.id)
            self._show_lock(chosen, invoices)

    def _show_lock(self, chosen, invoices) -> None:
        self.lock_doc_id, self.lock_doc_name, self.lock_locked = chosen.id, chosen.name, chosen.locked
        self.lock_options = [Option(value=str(i.id), label=i.label) for i in invoices]
        current = str(chosen.lock_invoice_id) if chosen.lock_invoice_id else ""
        self.lock_choice = current if current in {o.value for o in self.lock_options} else (
            self.lock_options[0].value if self.lock_options else "")
        self.lock_open = True

    @allow(STAFF)
    def set_lock_open(self, open_: bool):
        self.lock_open = bool(open_)

    @allow(STAFF)
    def choose_lock_invoice(self, value: str):
        value = str(value or "")[:20]
        self.lock_choice = value if value in {o.value for o in self.lock_options} else ""

    @allow(STAFF)
    def save_lock(self):
        """Lock the document until the chosen invoice is paid."""
        invoice = parse_id(self.lock_choice)
        if invoice is None:
            self.lock_error = _("Choose the invoice the client must pay to open it.")
            return
        if write_and_refresh(self, document_locks.lock_document, self.lock_doc_id, invoice, shown="lock_error"):
            label = next((o.label for o in self.lock_options if o.value == self.lock_choice), "")
            self.lock_open = False
            self.doc_notice = _('"{name}" is locked: the client sees it and opens it once they pay ({invoice}).').format(
                name=self.lock_doc_name, invoice=label)

    @allow(STAFF)
    def unlock(self):
        """Take the lock off the document in the dialog: the client opens it now."""
        if write_and_refresh(self, document_locks.unlock_document, self.lock_doc_id, shown="lock_error"):
            self.lock_open = False
            self.doc_notice = _('"{name}" is unlocked: the client can open it.').format(name=self.lock_doc_name)
