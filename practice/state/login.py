"""Logging in."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.services import auth
from practice.state.base import ANYONE, AppState, allow, run


class LoginState(AppState):
    error: str = ""

    @allow(ANYONE)
    def redirect_if_logged_in(self):
        if self._actor() is not None:
            return rx.redirect(routes.HOME)

    @allow(ANYONE)
    def log_in(self, form: dict):
        result, error = run(auth.log_in, str(form.get("email", "")), str(form.get("password", "")))
        if error:
            self.error = error
            return
        sid, member = result
        self.error = ""
        self.sid = sid
        self.member_name, self.member_role = member.name, member.role.value
        return rx.redirect(routes.HOME)
