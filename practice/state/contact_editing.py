"""Correcting and deleting a contact: the same two dialogs on the Contacts list and on an account's page. A state
mixin; the page's state says where a refusal to open or delete is shown and refreshes itself (`_refresh`)."""
from __future__ import annotations

from typing import ClassVar

import reflex as rx

from practice.i18n import _
from practice.services.portal import logins
from practice.services.work import accounts, removal
from practice.state.base import ADMIN, STAFF, allow, read, run, shown_in, write_and_refresh
from practice.state.custom_fields import ContactValuesState
from practice.state.work_views import EDIT_FIELDS, ContactForm, contact_form, form_fields, parse_id


class ContactEditing(rx.State, mixin=True):
    # The field of the page's state that shows a refusal to open or delete a contact.
    CONTACT_ERROR_FIELD: ClassVar[str] = "error"

    contact_edit: ContactForm = ContactForm()
    contact_edit_open: bool = False
    contact_edit_error: str = ""
    contact_form_key: int = 0
    contact_delete_id: int = 0
    contact_delete_text: str = ""
    contact_delete_blocked: bool = False

    @allow(STAFF)
    def edit_contact(self, contact_id: int):
        with shown_in(self, self.CONTACT_ERROR_FIELD):
            self.contact_edit = contact_form(read(accounts.contact_visible, self._require(), parse_id(contact_id) or 0))
            self.contact_edit_open, self.contact_edit_error = True, ""
            self.contact_form_key += 1
            return ContactValuesState.load_contact(self.contact_edit.id)

    @allow(STAFF)
    def set_contact_edit_open(self, value: bool):
        self.contact_edit_open, self.contact_edit_error = bool(value), ""

    @allow(STAFF)
    def save_contact(self, form: dict):
        fields = form_fields(form, EDIT_FIELDS, limit=2000)
        if write_and_refresh(self, logins.update_contact, self.contact_edit.id, shown="contact_edit_error",
                             **fields):
            self.contact_edit_open = False
            return rx.toast.success(_("Contact saved."))

    @allow(ADMIN)
    def ask_delete_contact(self, contact_id: int):
        contact = parse_id(contact_id) or 0
        with shown_in(self, self.CONTACT_ERROR_FIELD):
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
        setattr(self, self.CONTACT_ERROR_FIELD, "")
        with shown_in(self, self.CONTACT_ERROR_FIELD):
            try:
                name = run(removal.delete_contact, self._require(), contact)
            finally:
                self._refresh()
            return rx.toast.success(_("Deleted contact {name}.").format(name=name))
