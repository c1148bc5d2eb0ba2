"""The member's own sign-in security: turning two-factor sign-in on and off, recovery codes."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.services.access import two_factor
from practice.state.base import STAFF, AppState, allow, read, run


def _view(session, actor):
    st = two_factor.status(session, actor)
    setup = two_factor.current_setup(session, actor) if st.setting_up else None
    return st, setup, two_factor.must_set_up(session, actor.member_id)


class AccountSecurityState(AppState):
    enabled: bool = False
    setting_up: bool = False
    codes_left: int = 0
    required_by_firm: bool = False
    must_set_up: bool = False
    # Shown only while setting up (the member types or scans it); cleared once it is on.
    setup_key: str = ""
    setup_qr: str = ""
    setup_link: str = ""
    # New recovery codes, shown once right after they are made.
    shown_codes: list[str] = []
    error: str = ""

    def _refresh(self):
        result, error = read(_view, self._require())
        if error:
            self.error = error
            return
        st, setup, self.must_set_up = result
        self.enabled, self.setting_up, self.codes_left = st.enabled, st.setting_up, st.recovery_left
        self.required_by_firm = st.required_by_firm
        self._show_setup(setup)

    def _show_setup(self, setup):
        self.setup_key = setup.key if setup else ""
        self.setup_qr = setup.qr_svg if setup else ""
        self.setup_link = setup.uri if setup else ""

    @allow(STAFF, during_setup=True)
    def load(self):
        self.error = ""
        self.shown_codes = []
        self._refresh()

    @allow(STAFF, during_setup=True)
    def start_setup(self):
        setup, error = run(two_factor.start_setup, self._require())
        self.error = error or ""
        self._refresh()

    @allow(STAFF, during_setup=True)
    def cancel_setup(self):
        _, error = run(two_factor.cancel_setup, self._require())
        self.error = error or ""
        self._refresh()

    @allow(STAFF, during_setup=True)
    def confirm_setup(self, form: dict):
        codes, error = run(two_factor.confirm_setup, self._require(), str(form.get("code", ""))[:40])
        if error:
            self.error = error
            return
        self.error = ""
        self.shown_codes = list(codes)
        self._refresh()
        return rx.toast.success("Two-factor sign-in is on.")

    @allow(STAFF, during_setup=True)
    def turn_off(self, form: dict):
        _, error = run(two_factor.turn_off, self._require(), str(form.get("code", ""))[:40])
        self.error = error or ""
        self._refresh()
        if not error:
            return rx.toast.success("Two-factor sign-in is off.")

    @allow(STAFF, during_setup=True)
    def make_new_codes(self, form: dict):
        codes, error = run(two_factor.regenerate_recovery_codes, self._require(), str(form.get("code", ""))[:40])
        self.error = error or ""
        if not error:
            self.shown_codes = list(codes)
        self._refresh()

    @allow(STAFF, during_setup=True)
    def codes_saved(self):
        self.shown_codes = []
        return rx.redirect(routes.HOME)
