"""Accounts list: search, tag filter, paging, and the new-account form."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice import routes
from practice.services.work import accounts, tags
from practice.services.work.accounts import PAGE_SIZE
from practice.state.base import STAFF, AppState, allow, read, run
from practice.state.views import Option, TagChip, chips


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
        actor = self._require()
        result, error = read(accounts.list_accounts, actor, search=self.search,
                             tag_id=int(self.tag_filter) if self.tag_filter else None, page=self.page)
        if error:
            self.error = error
            return
        rows, self.total = result
        self.rows = [AccountItem(id=r.id, name=r.name, type=r.type, contacts=r.contacts, tags=chips(r.tags)) for r in rows]
        tag_rows, _ = read(tags.list_tags)
        self.tag_options = [Option(value=str(t.id), label=t.name) for t in tag_rows or []]

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
        self.tag_filter = "" if value in ("", "all") else str(int(value))
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
        actor = self._require()

        def create_with_contact(session, actor):
            account = accounts.create_account(session, actor, name=str(form.get("name", "")),
                                              type=str(form.get("type") or "Individual"),
                                              notes=str(form.get("notes", "")))
            if str(form.get("first_name", "")).strip() or str(form.get("last_name", "")).strip():
                accounts.create_contact(session, actor, account_ids=[account.id],
                                        first_name=str(form.get("first_name", "")),
                                        last_name=str(form.get("last_name", "")),
                                        email=str(form.get("email", "")), phone=str(form.get("phone", "")))
            return account

        account, error = run(create_with_contact, actor)
        if error:
            self.form_error = error
            return
        self.dialog_open = False
        return rx.redirect(routes.account_url(account.id))
