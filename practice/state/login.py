"""Logging in: the password step, then (when two-factor sign-in is on) the code step."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.services.access import auth, two_factor
from practice.services.errors import PracticeError
from practice.state.base import ANYONE, AppState, allow, read, run, shown_in


class LoginState(AppState):
    error: str = ""
    step: str = "password"  # password | code
    backup_mode: bool = False
    # The pending login's random id stays in the server-side state; the database keeps its hash.
    _pending: str = ""

    def _client_ip(self) -> str:
        return str(self.router.session.client_ip or "")[:64]

    def _enter(self, sid: str, member):
        """Replace the browser's session id with the new one and go in."""
        self.sid = sid
        self._pending = ""
        self.error, self.step, self.backup_mode = "", "password", False
        self.member_name, self.member_role = member.name, member.role.value
        needs_setup = read(two_factor.must_set_up, member.id)
        return rx.redirect(routes.ACCOUNT_SECURITY if needs_setup else routes.HOME)

    @allow(ANYONE)
    def redirect_if_logged_in(self):
        self.step, self.backup_mode, self._pending = "password", False, ""
        if self._actor() is not None:
            return rx.redirect(routes.HOME)

    @allow(ANYONE)
    def log_in(self, form: dict):
        with shown_in(self, "error"):
            result = run(auth.start_login, str(form.get("email", ""))[:320], str(form.get("password", ""))[:1000],
                         ip=self._client_ip(), old_sid=self.sid)
            if result.pending_id:
                self._pending = result.pending_id
                self.error, self.step, self.backup_mode = "", "code", False
                return
            return self._enter(result.sid, result.member)

    @allow(ANYONE)
    def submit_code(self, form: dict):
        try:
            result = run(auth.finish_login, self._pending, str(form.get("code", ""))[:40],
                         ip=self._client_ip(), old_sid=self.sid)
        except PracticeError as err:
            self.error = str(err)
            if self.error == auth.PENDING_GONE:
                self._pending, self.step = "", "password"
            return
        return self._enter(*result)

    @allow(ANYONE)
    def toggle_recovery(self):
        self.backup_mode = not self.backup_mode
        self.error = ""

    @allow(ANYONE)
    def start_over(self):
        self._pending, self.step, self.backup_mode, self.error = "", "password", False, ""
