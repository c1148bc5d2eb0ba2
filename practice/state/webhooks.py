"""Settings → Webhooks (owners and admins): subscriptions with their events, the signing secret shown once, pause
and resume, delete with what it stops, each one's delivery log and replay (services/webhooks)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services.webhooks import subscriptions, views
from practice.state.base import ADMIN, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.work_views import parse_id

# The kinds a subscription may choose, in the table's order (the page translates the labels with t()).
KIND_CHOICES = list(subscriptions.KINDS.items())


@dataclasses.dataclass
class HookItem:
    id: int = 0
    url: str = ""
    events: str = ""
    enabled: bool = True
    state: str = ""
    from_rules: bool = False
    delivered: int = 0
    waiting: int = 0
    failed: int = 0
    created: str = ""


@dataclasses.dataclass
class DeliveryItem:
    id: int = 0
    webhook_id: str = ""
    event: str = ""
    status: str = ""
    status_key: str = ""
    attempts: int = 0
    answer: str = ""
    when: str = ""
    may_replay: bool = False


class WebhooksState(AppState):
    rows: list[HookItem] = []
    allow_private: bool = False
    error: str = ""
    add_error: str = ""
    form_key: int = 0
    # A secret just made: shown once, until the admin leaves or says they saved it.
    shown_once: str = ""
    shown_for: str = ""
    # The open delivery log.
    log_id: int = 0
    log_url: str = ""
    log_rows: list[DeliveryItem] = []
    log_error: str = ""
    # The delete dialog and what deleting stops.
    delete_id: int = 0
    delete_url: str = ""
    delete_preview: list[str] = []

    def _refresh(self) -> None:
        actor = self._require()
        self.rows = [HookItem(**dataclasses.asdict(r)) for r in read(views.subscription_rows, actor)]
        self.allow_private = read(views.allow_private, actor)
        if self.log_id:
            if any(r.id == self.log_id for r in self.rows):
                self.log_rows = [DeliveryItem(**dataclasses.asdict(r))
                                 for r in read(views.delivery_rows, actor, self.log_id)]
            else:
                self.log_id, self.log_rows = 0, []

    @allow(ADMIN)
    def load(self):
        self.error = self.add_error = self.shown_once = self.shown_for = self.log_error = ""
        self.log_id, self.delete_id, self.log_rows = 0, 0, []
        with shown_in(self, "error"):
            self._refresh()

    @allow(ADMIN)
    def set_allow_private(self, value: bool):
        write_and_refresh(self, subscriptions.set_allow_private, bool(value))

    @allow(ADMIN)
    def create_subscription(self, form: dict):
        self.add_error = ""
        url = str(form.get("url") or "")[:3000]
        kinds = [k for k, _label in KIND_CHOICES if form.get(f"kind_{k}")]
        with shown_in(self, "add_error"):
            sub = run(subscriptions.create, self._require(), url=url, kinds=kinds)
            self.shown_once, self.shown_for, self.form_key = sub.secret, sub.url, self.form_key + 1
            self._refresh()

    @allow(ADMIN)
    def secret_saved(self):
        self.shown_once = self.shown_for = ""

    @allow(ADMIN)
    def make_new_secret(self, subscription_id: int):
        with shown_in(self, "error"):
            sub = run(subscriptions.new_secret_for, self._require(), parse_id(subscription_id) or 0)
            self.shown_once, self.shown_for = sub.secret, sub.url

    @allow(ADMIN)
    def set_enabled(self, subscription_id: int, enabled: bool):
        if write_and_refresh(self, subscriptions.update, parse_id(subscription_id) or 0, enabled=bool(enabled)):
            return rx.toast.success(_("The webhook is on.") if enabled else _("The webhook is paused."))

    @allow(ADMIN)
    def ask_delete(self, subscription_id: int):
        with shown_in(self, "error"):
            sub_id = parse_id(subscription_id) or 0
            self.delete_preview = read(views.delete_preview, self._require(), sub_id)
            self.delete_id, self.delete_url = sub_id, next((r.url for r in self.rows if r.id == sub_id), "")

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        if not value:
            self.delete_id = 0

    @allow(ADMIN)
    def confirm_delete(self):
        sub_id, url, self.delete_id = self.delete_id, self.delete_url, 0
        if write_and_refresh(self, subscriptions.delete, sub_id):
            return rx.toast.success(_("The webhook to {url} is deleted.").format(url=url))

    @allow(ADMIN)
    def open_log(self, subscription_id: int):
        self.log_error = ""
        with shown_in(self, "log_error"):
            sub_id = parse_id(subscription_id) or 0
            self.log_rows = [DeliveryItem(**dataclasses.asdict(r))
                             for r in read(views.delivery_rows, self._require(), sub_id)]
            self.log_id, self.log_url = sub_id, next((r.url for r in self.rows if r.id == sub_id), "")

    @allow(ADMIN)
    def close_log(self):
        self.log_id, self.log_rows = 0, []

    @allow(ADMIN)
    def refresh(self):
        with shown_in(self, "error"):
            self._refresh()

    @allow(ADMIN)
    def replay(self, delivery_id: int):
        if write_and_refresh(self, subscriptions.replay, parse_id(delivery_id) or 0, shown="log_error"):
            return rx.toast.success(_("The delivery is sent again, with the same webhook-id."))
