"""Logging in: the password step, then (when two-factor sign-in is on) the code step."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.i18n import _, lazy
from practice.services.access import auth, device_cookies, login_safety, password_reset, session_handoff, two_factor
from practice.services.errors import PracticeError
from practice.services.mail import password_reset as reset_email
from practice.state.base import (ANYONE, AppState, allow, client_address, read, remember_device, request_cookie, run,
                                 run_off_loop, shown_in, start_browser_session)


PASSWORD_SET = lazy("Your new password is set, and every earlier login has ended. Log in with it.")


class LoginState(AppState):
    error: str = ""
    notice: str = ""
    step: str = "password"  # password | code
    backup_mode: bool = False
    # The pending login's random id stays in the server-side state; the database keeps its hash.
    _pending: str = ""

    def _client_ip(self) -> str:
        return client_address(self)

    def _device(self) -> str:
        return request_cookie(self, device_cookies.COOKIE)

    def _enter(self, sid: str, member):
        """Go in: the browser gets the new session in its HttpOnly cookie (replacing any it had)."""
        self._pending = ""
        self.error, self.step, self.backup_mode = "", "password", False
        needs_setup = read(two_factor.must_set_up, member.id)
        return [remember_device(login_safety.principal_key("staff", member.email)),
                start_browser_session(session_handoff.STAFF, sid,
                                      routes.ACCOUNT_SECURITY if needs_setup else routes.HOME)]

    @allow(ANYONE)
    def redirect_if_logged_in(self):
        self._show_visitor_language()
        self.step, self.backup_mode, self._pending = "password", False, ""
        self.notice = str(PASSWORD_SET) if self.router.url.query_parameters.get("reset") == "1" else ""
        if self._actor() is not None:
            return rx.redirect(routes.HOME)

    @allow(ANYONE)
    async def log_in(self, form: dict):
        with shown_in(self, "error"):
            result = await run_off_loop(auth.start_login, str(form.get("email", ""))[:320], str(form.get("password", ""))[:1000],
                         ip=self._client_ip(), device=self._device(), old_sid=self._session_id())
            if result.pending_id:
                self._pending = result.pending_id
                self.error, self.step, self.backup_mode = "", "code", False
                return
            return self._enter(result.sid, result.member)

    @allow(ANYONE)
    async def submit_code(self, form: dict):
        try:
            result = await run_off_loop(auth.finish_login, self._pending, str(form.get("code", ""))[:40],
                         ip=self._client_ip(), device=self._device(), old_sid=self._session_id())
        except PracticeError as err:
            self.error = str(err)
            if self.error == _(auth.PENDING_GONE):
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


class ForgotPasswordState(AppState):
    """Staff who forgot their password ask for a link by email (the answer never tells whether the email is known)."""

    error: str = ""
    notice: str = ""

    @allow(ANYONE)
    def load(self):
        self._show_visitor_language()
        self.error = self.notice = ""

    @allow(ANYONE)
    def send_link(self, form: dict):
        self.notice = self.error = ""
        with shown_in(self, "error"):
            self.notice = run(reset_email.forgot_password, str(form.get("email", ""))[:320], ip=client_address(self))


class ResetPasswordState(AppState):
    """The emailed link's page: check the link, then choose the new password."""

    # The token from the link: server-side only, never sent back to the browser.
    _token: str = ""
    error: str = ""
    link_email: str = ""
    link_problem: str = ""
    checked: bool = False

    @allow(ANYONE)
    def load(self):
        self._show_visitor_language()
        self.error, self.link_email, self.link_problem = "", "", ""
        fresh = str(self.router.url.query_parameters.get("token", "") or "")[:200]
        if fresh:
            self._token = fresh
        try:
            self.link_email = run(password_reset.email_for_link, self._token, ip=client_address(self))
        except PracticeError as err:
            self.link_problem = str(err)
        self.checked = True
        if fresh:
            # Take the token out of the address bar (and the browser history).
            return rx.redirect(routes.RESET_PASSWORD, replace=True)

    @allow(ANYONE)
    async def set_password(self, form: dict):
        password = str(form.get("new_password", ""))[:500]
        if password != str(form.get("confirm_password", ""))[:500]:
            self.error = _("The two passwords differ. Type the same password twice.")
            return
        with shown_in(self, "error"):
            await run_off_loop(password_reset.reset_password, self._token, password, ip=client_address(self))
            self._token, self.error, self.link_email = "", "", ""
            return rx.redirect(routes.LOGIN + "?reset=1")
