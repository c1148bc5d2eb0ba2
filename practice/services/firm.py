"""Firm settings: name, time zone and the default language of its people."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session, select

from practice import i18n
from practice.i18n import _
from practice.models import Firm
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput


# Most firms using this are in the US: their zones head the list, the rest follow alphabetically.
COMMON_US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                   "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")


def timezone_choices() -> list[str]:
    """Every time zone name the system knows, common US zones first, then the rest sorted."""
    known = available_timezones()
    common = [z for z in COMMON_US_ZONES if z in known]
    return common + sorted(known - set(common))


def get_firm(session: Session) -> Firm:
    """The firm's settings row (created with defaults on first use)."""
    firm = session.exec(select(Firm)).first()
    if firm is None:
        firm = Firm(name="My Firm")
        session.add(firm)
        session.flush()
    return firm


def default_language(session: Session) -> str:
    """The language of team members and contacts who chose none (without creating the firm's row)."""
    return i18n.supported(session.exec(select(Firm.language).order_by(Firm.id)).first()) or i18n.SOURCE


def language_for(session: Session, chosen: str) -> str:
    """A person's language: the one they chose, else the firm's default (asked only then)."""
    return i18n.supported(chosen) or default_language(session)


def version_for(language: str, main: str, french: str) -> str:
    """Which version of a firm-written text a reader gets: the French one for a French reader when the firm wrote
    it, else the main text (the firm's own)."""
    return french if language == "fr" and (french or "").strip() else main


def checked_language(language: str) -> str:
    """A language code the app speaks, or a sentence saying which ones it does."""
    code = i18n.supported(language)
    if not code:
        raise InvalidInput(_("Choose English or French."), field="language")
    return code


def update_firm(session: Session, actor: Actor, *, name: str, timezone: str, language: str | None = None) -> Firm:
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the firm a name."), field="name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_('"{timezone}" is not a time zone; use a name like America/New_York.').format(timezone=timezone),
                           field="timezone") from None
    firm = get_firm(session)
    firm.name, firm.timezone = name, timezone
    summary = f"Firm settings changed: {name}, {timezone}"
    if language is not None:
        firm.language = checked_language(language)
        summary += f", {i18n.LANGUAGES[firm.language]} for new people"
    audit.record(session, actor, "update", "firm", firm.id, summary)
    return firm
