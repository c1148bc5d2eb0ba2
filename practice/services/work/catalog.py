"""The firm's services catalog (what it sells, at what rate)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func
from sqlmodel import Session, select

from practice import i18n
from practice.i18n import _
from practice.models import Service
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput
from practice.services.formatting import format_money


# Amounts typed from this on are refused (ten trillion: far above any fee, far inside 64-bit cents).
MAX_AMOUNT = Decimal(10) ** 13


def parse_money(text: str, field: str = "rate") -> int:
    """'1,250.50' or '$90' → cents; in French the comma is the decimal mark ('1 250,50 €')."""
    raw = (text or "").replace("$", "").replace("€", "")
    for space in (" ", "\u00a0", "\u202f"):
        raw = raw.replace(space, "")
    raw = raw.replace(",", "." if i18n.current_locale() == "fr" else "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(_('"{text}" is not an amount; write it like 150 or 150.50.').format(text=text),
                           field=field) from None
    if not value.is_finite():  # "NaN" and "Infinity" parse as decimals but are not amounts
        raise InvalidInput(_('"{text}" is not an amount; write it like 150 or 150.50.').format(text=text), field=field)
    if value < 0:
        raise InvalidInput(_("An amount cannot be negative."), field=field)
    if value >= MAX_AMOUNT:  # a typing slip; and beyond 28 digits the decimal context cannot even round it
        raise InvalidInput(_("That amount is too large."), field=field)
    return int((value * 100).quantize(Decimal("1")))


def list_services(session: Session) -> list[Service]:
    return list(session.exec(select(Service).order_by(Service.name)))


def create_service(session: Session, actor: Actor, *, name: str, rate_cents: int, description: str = "") -> Service:
    require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the service a name."), field="name")
    if session.exec(select(Service).where(func.lower(Service.name) == name.lower())).first():
        raise Conflict(_('There is already a service "{name}".').format(name=name))
    service = Service(name=name, rate_cents=rate_cents, description=description)
    session.add(service)
    session.flush()
    audit.record(session, actor, "create", "service", service.id, f'Added service "{name}"', rate_cents=rate_cents)
    return service


def update_service(session: Session, actor: Actor, service_id: int, *, name: str, rate_cents: int,
                   description: str = "") -> Service:
    require_admin(actor)
    service = session.get(Service, service_id)
    if not service:
        raise InvalidInput(_("That service no longer exists."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the service a name."), field="name")
    other = session.exec(select(Service).where(func.lower(Service.name) == name.lower())).first()
    if other and other.id != service_id:
        raise Conflict(_('There is already a service "{name}".').format(name=name))
    before = {"name": service.name, "rate": format_money(service.rate_cents), "description": service.description}
    subject = f'Service "{service.name}"'
    service.name, service.rate_cents, service.description = name, rate_cents, description.strip()
    audit.record_changes(session, actor, "service", service.id, subject, before,
                         {"name": name, "rate": format_money(rate_cents), "description": service.description})
    return service
