"""Accounts list: search, tag filter, paging, and the new-account form."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.services.work import accounts, tags
from practice.services.work.accounts import PAGE_SIZE, account_type_name
from practice.state.base import STAFF, AppState, allow, read, run, shown_in
from practice.state.views import Option, TagChip, chips
from practice.state.work_views import parse_id


@dataclasses.dataclass
class AccountItem:
    id: int = 0
    name: str = ""
    type: str = ""
    contacts: int = 0
    tags: list[TagChip] = dataclasses.field(default_factory=list)


class AccountsState(AppState):
    rows: list[AccountItem] = []
    total: int = 0
    page: int = 1
    search: str = ""
    tag_filter: str = ""
    tag_options: list[Option] = []
    error: str = ""
    form_error: str = ""
    dialog_open: bool = False

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def _load(self):
        with shown_in(self, "error"):
            rows, self.total = read(accounts.list_accounts, self._require(), search=self.search,
                                    tag_id=parse_id(self.tag_filter), page=self.page)
            self.rows = [AccountItem(id=r.id, name=r.name, type=account_type_name(r.type), contacts=r.contacts, tags=chips(r.tags))
                         for r in rows]
            self.tag_options = [Option(value=str(t.id), label=t.name) for t in read(tags.list_tags)]

    @allow(STAFF)
    def load(self):
        self.error = ""
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
