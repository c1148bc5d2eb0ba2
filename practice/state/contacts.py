"""The contacts list: every person the firm talks to, searchable, with the accounts they belong to."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.services.work import accounts, removal
from practice.services.work.accounts import PAGE_SIZE
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.views import Option
from practice.state.work_views import EDIT_FIELDS, ContactForm, contact_form, form_fields, parse_id


@dataclasses.dataclass
class ContactRow:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    # Each account as value = link, label = name.
    accounts: list[Option] = dataclasses.field(default_factory=list)


class ContactsState(AppState):
    rows: list[ContactRow] = []
    total: int = 0
    page: int = 1
    search: str = ""
    error: str = ""
    # The contact editor and the delete confirmation (the same dialogs as on the account page).
    contact_edit: ContactForm = ContactForm()
    contact_edit_open: bool = False
    contact_edit_error: str = ""
    contact_form_key: int = 0
    contact_delete_id: int = 0
    contact_delete_text: str = ""
    contact_delete_blocked: bool = False

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def _load(self) -> None:
        self.error = ""
        with shown_in(self, "error"):
            contacts, self.total = read(accounts.list_contacts, self._require(), search=self.search, page=self.page)
            self.rows = [ContactRow(id=c.id, name=f"{c.first_name} {c.last_name}".strip() or "(no name)",
                                    email=c.email, phone=c.phone,
                                    accounts=[Option(value=routes.account_url(i), label=n) for i, n in links])
                         for c, links in contacts]

    def _refresh(self) -> None:
        self._load()

    @allow(STAFF)
    def load(self):
        self.contact_edit_open, self.contact_delete_id = False, 0
        self._load()

    @allow(STAFF)
    def edit_contact(self, contact_id: int):
        with shown_in(self, "error"):
            self.contact_edit = contact_form(read(accounts.contact_visible, self._require(), parse_id(contact_id) or 0))
            self.contact_edit_open, self.contact_edit_error = True, ""
            self.contact_form_key += 1

    @allow(STAFF)
    def set_contact_edit_open(self, value: bool):
        self.contact_edit_open, self.contact_edit_error = bool(value), ""

    @allow(STAFF)
    def save_contact(self, form: dict):
        fields = form_fields(form, EDIT_FIELDS, limit=2000)
        if write_and_refresh(self, accounts.update_contact, self.contact_edit.id, shown="contact_edit_error",
                             **fields):
            self.contact_edit_open = False
            return rx.toast.success("Contact saved.")

    @allow(ADMIN)
    def ask_delete_contact(self, contact_id: int):
        contact = parse_id(contact_id) or 0
        with shown_in(self, "error"):
            preview = read(removal.contact_removal, self._require(), contact)
            self.contact_delete_id, self.contact_delete_text = contact, preview.sentence
            self.contact_delete_blocked = bool(preview.blocked)

    @allow(ADMIN)
    def set_contact_delete_open(self, value: bool):
        if not value:
            self.contact_delete_id = 0

    @allow(ADMIN)
    def confirm_delete_contact(self):
        contact, self.contact_delete_id = self.contact_delete_id, 0
        with shown_in(self, "error"):
            try:
                name = run(removal.delete_contact, self._require(), contact)
            finally:
                self._load()
            return rx.toast.success(f"Deleted contact {name}.")

    @allow(STAFF)
    def set_search(self, value: str):
        self.search = str(value or "")[:200]
        self.page = 1
        self._load()

    @allow(STAFF)
    def go_to_page(self, page: int):
        try:
            wanted = int(page)
        except (TypeError, ValueError):
            wanted = 1
        self.page = max(1, min(wanted, self.pages))
        self._load()
