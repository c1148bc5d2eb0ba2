"""Merging duplicates from the account page (owner and admins): find the other account or contact, choose which
one to keep, read what moves, confirm."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.actor import contact_name
from practice.services.work import accounts, merge
from practice.state.account import AccountState
from practice.state.contacts import ContactsState
from practice.state.base import ADMIN, AppState, allow, read, run, shown_in
from practice.state.views import Option
from practice.state.work_views import parse_id

ACCOUNT, CONTACT = "account", "contact"


def _account_choices(session, actor, text: str, exclude: int) -> list[Option]:
    rows, _total = accounts.list_accounts(session, actor, search=text, page_size=10)
    return [Option(value=str(r.id), label=r.name) for r in rows if r.id != exclude]


def _contact_choices(session, actor, text: str, exclude: int) -> list[Option]:
    found, _total = accounts.list_contacts(session, actor, search=text, page_size=10)
    return [Option(value=str(c.id), label=contact_name(c) + (f" · {c.email}" if c.email else "")
                   + (f" · {', '.join(n for _id, n in links)}" if links else ""))
            for c, links in found if c.id != exclude]


def _preview(session, actor, kind: str, keep: int, drop: int) -> str:
    fn = merge.account_merge_preview if kind == ACCOUNT else merge.contact_merge_preview
    return fn(session, actor, keep, drop).sentence


def _merge(session, actor, kind: str, keep: int, drop: int) -> None:
    (merge.merge_accounts if kind == ACCOUNT else merge.merge_contacts)(session, actor, keep, drop)


class MergeState(AppState):
    """One merge dialog: what kind (account or contact), the one it started from, the other one chosen."""

    kind: str = ""
    # The account page the dialog was opened on (where to come back to), and the record it started from.
    page_account: int = 0
    this_id: int = 0
    this_name: str = ""
    search: str = ""
    results: list[Option] = []
    other_id: int = 0
    other_name: str = ""
    keep_this: bool = True
    preview: str = ""
    error: str = ""

    @allow(ADMIN)
    def start(self, kind: str, record_id: int, name: str, page_account: int):
        """Open the dialog for the account (or contact) the person is looking at."""
        self.kind = ACCOUNT if kind == ACCOUNT else CONTACT
        self.this_id, self.this_name = parse_id(record_id) or 0, str(name or "")[:200]
        self.page_account = parse_id(page_account) or 0
        self.search, self.results, self.other_id, self.other_name = "", [], 0, ""
        self.keep_this, self.preview, self.error = True, "", ""

    @allow(ADMIN)
    def set_open(self, value: bool):
        if not value:
            self.kind = ""

    @allow(ADMIN)
    def find(self, text: str):
        self.search = str(text or "")[:200]
        if len(self.search.strip()) < 2:
            self.results = []
            return
        choices = _account_choices if self.kind == ACCOUNT else _contact_choices
        with shown_in(self, "error"):
            self.results = read(choices, self._require(), self.search, self.this_id)

    @allow(ADMIN)
    def choose(self, other_id: str, label: str):
        self.other_id, self.other_name = parse_id(other_id) or 0, str(label or "").split(" · ")[0][:200]
        self.results, self.search = [], ""
        self._show_preview()

    @allow(ADMIN)
    def set_keep(self, value: str | list[str]):
        self.keep_this = str(value) != "other"
        self._show_preview()

    def _pair(self) -> tuple[int, int]:
        return (self.this_id, self.other_id) if self.keep_this else (self.other_id, self.this_id)

    def _show_preview(self) -> None:
        self.preview, self.error = "", ""
        with shown_in(self, "error"):
            self.preview = read(_preview, self._require(), self.kind, *self._pair())

    @allow(ADMIN)
    def confirm(self):
        keep, drop = self._pair()
        with shown_in(self, "error"):
            run(_merge, self._require(), self.kind, keep, drop)
            kind, self.kind = self.kind, ""
            done = rx.toast.success(_("Merged into \u201c{name}\u201d.").format(
                name=self.this_name if self.keep_this else self.other_name))
            if kind == ACCOUNT:
                return [done, rx.redirect(routes.account_url(keep))]
            return [done, AccountState.load if self.page_account else ContactsState.load]
