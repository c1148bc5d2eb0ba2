"""The member's own sign-in security: turning two-factor sign-in on and off, recovery codes."""
from __future__ import annotations

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.services.access import two_factor
from practice.state.base import STAFF, AppState, allow, read, run, shown_in, write_and_refresh


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
        with shown_in(self, "error"):
            st, setup, self.must_set_up = read(_view, self._require())
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
        write_and_refresh(self, two_factor.start_setup)

    @allow(STAFF, during_setup=True)
    def cancel_setup(self):
        write_and_refresh(self, two_factor.cancel_setup)

    @allow(STAFF, during_setup=True)
    def confirm_setup(self, form: dict):
        with shown_in(self, "error"):
            codes = run(two_factor.confirm_setup, self._require(), str(form.get("code", ""))[:40])
            self.error = ""
            self.shown_codes = list(codes)
            self._refresh()
            return rx.toast.success(_("Two-factor sign-in is on."))

    @allow(STAFF, during_setup=True)
    def turn_off(self, form: dict):
        if write_and_refresh(self, two_factor.turn_off, str(form.get("code", ""))[:40]):
            return rx.toast.success(_("Two-factor sign-in is off."))

    @allow(STAFF, during_setup=True)
    def make_new_codes(self, form: dict):
        self.error = ""
        with shown_in(self, "error"):
            try:
                self.shown_codes = list(run(two_factor.regenerate_recovery_codes, self._require(),
                                            str(form.get("code", ""))[:40]))
            finally:
                self._refresh()

    @allow(STAFF, during_setup=True)
    def codes_saved(self):
        self.shown_codes = []
        return rx.redirect(routes.HOME)
