"""Accounts list: search, tag filter, paging, and the new-account form; for members who see billing, each account's
balance and a filter to the accounts that owe money."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.services.errors import NotFound
from practice.services.formatting import format_money
from practice.services.work import accounts, field_views, tags
from practice.services.work.accounts import PAGE_SIZE, account_type_name
from practice.state.base import STAFF, AppState, allow, read, run, shown_in
from practice.state.field_views import FieldView, view_setup
from practice.state.views import Option, TagChip, chips
from practice.state.work_views import parse_id


@dataclasses.dataclass
class AccountItem:
    id: int = 0
    name: str = ""
    type: str = ""
    contacts: int = 0
    tags: list[TagChip] = dataclasses.field(default_factory=list)
    fields: list[str] = dataclasses.field(default_factory=list)  # the custom-field columns' values
    balance: str = ""  # what the account owes, as money ("" for a member who does not see billing)


def accounts_page(session, actor, spec: dict, **query) -> tuple[list, int, dict]:
    """One page of the list, its filter and custom-field columns read in one session: rows, total, values."""
    flt, columns = view_setup(session, actor, "accounts", spec)
    rows, total = accounts.list_accounts(session, actor, field_filter=flt, with_balance=True, **query)
    return rows, total, field_views.column_values(session, columns, [r.id for r in rows])


class AccountsState(FieldView, AppState):
    VIEW = "accounts"

    rows: list[AccountItem] = []
    total: int = 0
    page: int = 1
    search: str = ""
    tag_filter: str = ""
    owing_filter: bool = False  # only the accounts that owe money (members who see billing)
    tag_options: list[Option] = []
    error: str = ""
    form_error: str = ""
    dialog_open: bool = False

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def _reload_view(self) -> None:
        self.page = 1
        self._load()

    def _load(self):
        with shown_in(self, "error"):
            try:
                rows, self.total, values = read(accounts_page, self._require(), dict(self.filter_spec),
                                                **self._query())
            except NotFound:  # the filter's field went away
                self._filter_lost()
                rows, self.total, values = read(accounts_page, self._require(), {}, **self._query())
            self.rows = [AccountItem(id=r.id, name=r.name, type=account_type_name(r.type), contacts=r.contacts,
                                     tags=chips(r.tags), fields=values[r.id], balance=format_money(r.balance_cents))
                         for r in rows]
            self.tag_options = [Option(value=str(t.id), label=t.name) for t in read(tags.list_tags)]

    def _query(self) -> dict:
        return {"search": self.search, "tag_id": parse_id(self.tag_filter), "page": self.page,
                "owing": self.owing_filter}

    @allow(STAFF)
    def load(self):
        self.error = ""
        self._load_fields()
        self._load()

    @allow(STAFF)
    def set_search(self, value: str):
        self.search = str(value)[:200]
        self.page = 1
        self._load()

    @allow(STAFF)
    def set_tag_filter(self, value: str):
        self.tag_filter = str(parse_id(value) or "")
        self.page = 1
        self._load()

    @allow(STAFF)
    def set_owing_filter(self, value: bool):
        """Only the accounts that owe money, or all again (the service refuses members who do not see billing)."""
        self.owing_filter, self.page, self.error = bool(value), 1, ""
        self._load()
        if self.error:  # refused: the list stays as it was asked before
            self.owing_filter = False

    @allow(STAFF)
    def go_to_page(self, page: int):
        self.page = max(1, min(int(page), self.pages))
        self._load()

    @allow(STAFF)
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)
        self.form_error = ""

    @allow(STAFF)
    def create(self, form: dict):
        with shown_in(self, "form_error"):
            account = run(_create_with_contact, self._require(), form)
            self.dialog_open = False
            return rx.redirect(routes.account_url(account.id))


def _create_with_contact(session, actor, form: dict):
    """The new account, with its first contact when the form names one."""
    account = accounts.create_account(session, actor, name=str(form.get("name", "")),
                                      type=str(form.get("type") or "Individual"), notes=str(form.get("notes", "")))
    if str(form.get("first_name", "")).strip() or str(form.get("last_name", "")).strip():
        accounts.create_contact(session, actor, account_ids=[account.id], first_name=str(form.get("first_name", "")),
                                last_name=str(form.get("last_name", "")), email=str(form.get("email", "")),
                                phone=str(form.get("phone", "")))
    return account
