"""Firm settings: name and time zone, the services catalog and the tags (admins change them)."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice.services import firm
from practice.services.access import two_factor
from practice.services.backups import schedule as backups
from practice.services.billing import delivery as invoice_delivery, time
from practice.services.chats import notices as chat_notices
from practice.services.errors import InvalidInput
from practice.services.work import catalog, tags
from practice.i18n import _
from practice.services.formatting import format_money, money_input
from practice.state.base import ADMIN, OWNER, STAFF, AppState, allow, read, run, shown_in, write_and_refresh
from practice.state.views import TagChip


@dataclasses.dataclass
class ServiceItem:
    id: int = 0
    name: str = ""
    rate: str = ""
    rate_input: str = ""  # the rate as the edit form shows it ("150.00")
    description: str = ""


def _settings_view(session):
    f = firm.get_firm(session)
    services = [ServiceItem(id=s.id, name=s.name, rate=format_money(s.rate_cents),
                            rate_input=money_input(s.rate_cents), description=s.description)
                for s in catalog.list_services(session)]
    tag_chips = [TagChip(name=t.name, color=t.color) for t in tags.list_tags(session)]
    return (f.name, f.timezone, f.language, services, tag_chips, two_factor.firm_requires(session),
            str(f.chat_notice_delay_minutes), f.payment_instructions, str(f.timer_idle_limit_minutes))


def _save_firm(session, actor, form: dict) -> None:
    """The firm's name, clock and language, the chat notices' delay and the payment instructions, in one
    transaction."""
    firm.update_firm(session, actor, name=str(form.get("name", ""))[:200], timezone=str(form.get("timezone", ""))[:100],
                     language=str(form.get("language", "en"))[:8])
    chat_notices.set_notice_delay(session, actor, str(form.get("chat_delay", "5"))[:10])
    invoice_delivery.set_payment_instructions(session, actor, str(form.get("payment_instructions", ""))[:5000])
    if "idle_limit" in form:
        time.set_idle_limit(session, actor, str(form.get("idle_limit", ""))[:10])


def _save_service(session, actor, service_id: int | None, form: dict):
    """Parse the rate inside the transaction so a bad amount is reported like any other refusal."""
    fields = {"name": str(form.get("name", ""))[:200],
              "rate_cents": catalog.parse_money(str(form.get("rate", ""))[:40]),
              "description": str(form.get("description", ""))[:2000].strip()}
    if service_id:
        return catalog.update_service(session, actor, service_id, **fields)
    return catalog.create_service(session, actor, **fields)


def _backup_view(session) -> tuple[bool, str, str, str]:
    row = backups.settings(session)
    last = ""
    if row.last_at is not None:
        sentence = _("Last backup {when} UTC: {result}") if row.last_ok else _("Last backup {when} UTC failed: {result}")
        last = sentence.format(when=f"{row.last_at:%Y-%m-%d %H:%M}", result=row.last_result)
    return row.enabled, row.folder, str(row.keep), last


def _save_backup(session, actor, form: dict):
    try:
        keep = int(str(form.get("keep", "")).strip() or "0")
    except ValueError:
        raise InvalidInput(_("Give how many backups to keep as a number."), "keep") from None
    return backups.update(session, actor, enabled=str(form.get("enabled", "")).lower() in ("on", "true", "1"),
                          folder=str(form.get("folder", ""))[:500], keep=keep)


class SettingsState(AppState):
    firm_name: str = ""
    timezone: str = ""
    language: str = ""
    chat_delay: str = "5"
    payment_instructions: str = ""
    idle_limit: str = "240"
    services: list[ServiceItem] = []
    tags: list[TagChip] = []
    error: str = ""
    firm_error: str = ""
    service_error: str = ""
    tag_error: str = ""
    service_open: bool = False
    require_two_factor: bool = False
    service_id: int = 0
    service_name: str = ""
    service_rate: str = ""
    service_description: str = ""
    backup_enabled: bool = False
    backup_folder: str = ""
    backup_keep: str = "7"
    backup_last: str = ""
    backup_error: str = ""
    backup_running: bool = False

    def _refresh(self):
        with shown_in(self, "error"):
            (self.firm_name, self.timezone, self.language, self.services, self.tags,
             self.require_two_factor, self.chat_delay, self.payment_instructions, self.idle_limit) = read(_settings_view)
            if self.member_role == "owner":  # where the server keeps its backups is the owner's to see
                self.backup_enabled, self.backup_folder, self.backup_keep, self.backup_last = read(_backup_view)

    @allow(STAFF)
    def load(self):
        self.error = self.firm_error = self.service_error = self.tag_error = ""
        self.service_open = False
        self._refresh()

    @allow(ADMIN)
    def save_firm(self, form: dict):
        if write_and_refresh(self, _save_firm, dict(form), shown="firm_error"):
            return rx.toast.success(_("Firm settings saved."))

    @allow(ADMIN)
    def start_service(self, service_id: int):
        """Open the service form: empty for a new service (id 0), filled for an existing one."""
        try:
            service_id = int(service_id)
        except (TypeError, ValueError):
            return
        item = next((s for s in self.services if s.id == service_id), None)
        self.service_id = item.id if item else 0
        self.service_name = item.name if item else ""
        self.service_rate = item.rate_input if item else ""
        self.service_description = item.description if item else ""
        self.service_error = ""
        self.service_open = True

    @allow(ADMIN)
    def set_service_open(self, value: bool):
        self.service_open = bool(value)
        self.service_error = ""

    @allow(ADMIN)
    def save_service(self, form: dict):
        with shown_in(self, "service_error"):
            service = run(_save_service, self._require(), self.service_id or None, dict(form))
            self.service_open = False
            self._refresh()
            return rx.toast.success(_('Saved service "{name}".').format(name=service.name))

    @allow(ADMIN)
    def create_tag(self, form: dict):
        self.tag_error = ""
        with shown_in(self, "tag_error"):
            try:
                tag = run(tags.create_tag, self._require(), name=str(form.get("name", ""))[:80],
                          color=str(form.get("color", "")).strip()[:20])
            finally:
                self._refresh()
            return rx.toast.success(_('Created tag "{name}".').format(name=tag.name))

    @allow(ADMIN)
    def set_require_two_factor(self, value: bool):
        if write_and_refresh(self, two_factor.set_required, bool(value), shown="firm_error"):
            return rx.toast.success(_("Two-factor sign-in is now required for all staff.") if value
                                    else _("Two-factor sign-in is no longer required."))

    @allow(OWNER)
    def save_backup(self, form: dict):
        """The daily backup: on or off, its folder and how many to keep."""
        if write_and_refresh(self, _save_backup, dict(form), shown="backup_error"):
            return rx.toast.success(_("Backup settings saved."))

    @allow(OWNER)
    async def back_up_now(self):
        """Write a backup now into the chosen folder (off the event loop: a large firm takes a while)."""
        self.backup_error, self.backup_running = "", True
        yield
        with shown_in(self, "backup_error"):
            try:
                ok = await asyncio.to_thread(backups.back_up_now_as, self._require())
            finally:
                self.backup_running = False
                self._refresh()
            yield rx.toast.success(_("Backup written and checked.")) if ok else rx.toast.error(self.backup_last)
