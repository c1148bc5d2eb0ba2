"""Choosing an account by typing part of its name: the board's new-job dialog, the email preview, the Billing list's
filter, the invoice editor and the Time page each offer the first matching accounts the member may see. A state
mixin; the page's state says where a refusal is shown, whether an empty search lists accounts, and what choosing one
does (`choose_account`, with `_picked`)."""
from __future__ import annotations

from typing import ClassVar

import reflex as rx

from practice.state.base import STAFF, allow, read, shown_in
from practice.state.views import Option, account_options


class AccountPicker(rx.State, mixin=True):
    # The field of the page's state that shows a refusal to search.
    PICKER_ERROR_FIELD: ClassVar[str] = "error"
    # Whether an empty search offers the first accounts (a dialog that opens on the list) or nothing.
    PICKER_LISTS_ON_EMPTY: ClassVar[bool] = False

    account_query: str = ""
    account_matches: list[Option] = []

    @allow(STAFF)
    def search_accounts(self, text: str):
        self.account_query = str(text or "")[:200]
        self._search_accounts()

    def _search_accounts(self) -> None:
        self.account_matches = []
        if self.PICKER_LISTS_ON_EMPTY or self.account_query.strip():
            with shown_in(self, self.PICKER_ERROR_FIELD):
                self.account_matches = read(account_options, self._require(), self.account_query)

    def _picked(self, account_id, *, keep_search: bool = False) -> Option | None:
        """The offered account whose id was chosen (None for anything not offered); the search is put away unless
        `keep_search` (a dialog that keeps its list open)."""
        match = next((o for o in self.account_matches if o.value == str(account_id)), None)
        if match is not None and not keep_search:
            self.account_query, self.account_matches = "", []
        return match
