"""Firm settings: name and time zone."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlmodel import Session, select

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


def update_firm(session: Session, actor: Actor, *, name: str, timezone: str) -> Firm:
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput("Give the firm a name.", field="name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f'"{timezone}" is not a time zone; use a name like America/New_York.', field="timezone") from None
    firm = get_firm(session)
    firm.name, firm.timezone = name, timezone
    audit.record(session, actor, "update", "firm", firm.id, f"Firm settings changed: {name}, {timezone}")
    return firm
