"""Settings → API tokens: a team member makes personal access tokens for the REST API, reads each secret once, and
revokes them (services/access/api_tokens.py)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services.access import api_tokens
from practice.state.base import STAFF, AppState, allow, read, run, shown_in
from practice.state.work_views import parse_id


@dataclasses.dataclass
class TokenItem:
    id: int = 0
    name: str = ""
    scope: str = ""
    prefix: str = ""
    created: str = ""
    last_used: str = ""
    revoked: str = ""


class ApiTokensState(AppState):
    rows: list[TokenItem] = []
    error: str = ""
    add_error: str = ""
    form_key: int = 0
    # The secret of the token just made: shown once, until the member leaves or says they saved it.
    shown_once: str = ""
    new_name: str = ""
    revoke_id: int = 0
    revoke_name: str = ""

    def _refresh(self) -> None:
        self.rows = [TokenItem(**dataclasses.asdict(row)) for row in read(api_tokens.token_rows, self._require())]

    @allow(STAFF)
    def load(self):
        self.error = self.add_error = self.shown_once = self.new_name = ""
        self.revoke_id = 0
        with shown_in(self, "error"):
            self._refresh()

    @allow(STAFF)
    def create_token(self, form: dict):
        self.add_error = ""
        name, scope = str(form.get("name") or "")[:500], str(form.get("scope") or "")[:20]
        with shown_in(self, "add_error"):
            token, secret = run(api_tokens.create_token, self._require(), name, scope)
            self.shown_once, self.new_name, self.form_key = secret, token.name, self.form_key + 1
            self._refresh()

    @allow(STAFF)
    def secret_saved(self):
        self.shown_once = self.new_name = ""

    @allow(STAFF)
    def ask_revoke(self, token_id: int):
        match = [t for t in self.rows if t.id == parse_id(token_id) and not t.revoked]
        if match:
            self.revoke_id, self.revoke_name = match[0].id, match[0].name

    @allow(STAFF)
    def set_revoke_open(self, value: bool):
        if not value:
            self.revoke_id = 0

    @allow(STAFF)
    def confirm_revoke(self):
        token_id, name, self.revoke_id = self.revoke_id, self.revoke_name, 0
        with shown_in(self, "error"):
            run(api_tokens.revoke_token, self._require(), token_id)
            self._refresh()
            return rx.toast.success(_("“{name}” no longer works.").format(name=name))
