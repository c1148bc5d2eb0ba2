"""The contacts list: every person the firm talks to, searchable, with the accounts they belong to."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.work import accounts
from practice.services.work.accounts import PAGE_SIZE
from practice.state.base import STAFF, AppState, allow, read, shown_in
from practice.state.contact_editing import ContactEditing
from practice.state.views import Option


@dataclasses.dataclass
class ContactRow:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    # Each account as value = link, label = name.
    accounts: list[Option] = dataclasses.field(default_factory=list)


class ContactsState(ContactEditing, AppState):
    rows: list[ContactRow] = []
    total: int = 0
    page: int = 1
    search: str = ""
    error: str = ""

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def _load(self) -> None:
        self.error = ""
        with shown_in(self, "error"):
            contacts, self.total = read(accounts.list_contacts, self._require(), search=self.search, page=self.page)
            self.rows = [ContactRow(id=c.id, name=f"{c.first_name} {c.last_name}".strip() or _("(no name)"),
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
