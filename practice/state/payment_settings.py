"""Settings → Payments (owner and admins): the firm's Stripe keys, checked by a test call before they are kept;
the secrets never come back to the browser (services/payments/settings)."""
from __future__ import annotations

import asyncio

from practice import routes
from practice.config import base_url
from practice.i18n import _
from practice.services.payments import settings
from practice.state.base import ADMIN, AppState, allow, read, run, shown_in, write_and_refresh

KEY_LIMIT = settings.KEY_LIMIT


class PaymentSettingsState(AppState):
    loaded: bool = False
    set_up: bool = False
    publishable_key: str = ""
    saved_stripe_key_shown: str = ""
    saved_signing_key_shown: str = ""
    webhook_url: str = ""
    error: str = ""
    notice: str = ""
    checking: bool = False
    # Changed after a save, so the key boxes are drawn anew, empty (a typed secret never stays in the page).
    form_key: int = 0

    def _refresh(self) -> None:
        shown = read(settings.settings_for_display, self._require(), routes.STRIPE_WEBHOOK)
        self.set_up, self.publishable_key = shown.set_up, shown.publishable_key
        self.saved_stripe_key_shown, self.saved_signing_key_shown = shown.secret_key_hint, shown.webhook_secret_hint
        self.webhook_url = base_url() + shown.webhook_path
        self.loaded = True

    @allow(ADMIN)
    def load(self):
        self.error = self.notice = ""
        self.checking = False
        with shown_in(self, "error"):
            self._refresh()

    @allow(ADMIN)
    async def save(self, form_data: dict):
        """Check the keys with a test call to Stripe (off the event loop), then keep them."""
        actor = self._require()
        self.error = self.notice = ""
        values = {name: str(form_data.get(name) or "")[:KEY_LIMIT]
                  for name in ("secret_key", "publishable_key", "webhook_secret")}
        self.checking = True
        yield
        try:
            with shown_in(self, "error"):
                keys = read(settings.entered_keys, actor, **values)
                await asyncio.to_thread(settings.check_keys, keys)
                run(settings.save_keys, actor, keys)
                self.notice = _("Stripe accepted the keys: clients can now pay their invoices by card in the portal.")
                self.form_key += 1
        finally:
            self.checking = False
        with shown_in(self, "error"):
            self._refresh()

    @allow(ADMIN)
    def turn_off(self):
        self.notice = ""
        if write_and_refresh(self, settings.turn_off):
            self.form_key += 1
            self.notice = _("Card payments are off: the keys are forgotten. Payments already made stay recorded.")
