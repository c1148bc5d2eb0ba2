"""The firm's SMTP settings: read, change (admins), and shown without the password."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from practice.models import MailSettings
from practice.services import audit
from practice.services.access.team import check_email
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput
from practice.i18n import _


def get_settings(session: Session) -> MailSettings:
    settings = session.exec(select(MailSettings)).first()
    if settings is None:
        settings = MailSettings()
        session.add(settings)
        session.flush()
    return settings


def is_configured(session: Session) -> bool:
    """Whether mail can go out: an admin has entered the mail server (host)."""
    row = session.exec(select(MailSettings)).first()
    return bool(row and row.host.strip())


def update_settings(session: Session, actor: Actor, *, host: str, port: int, security: str, username: str,
                    from_address: str, from_name: str = "", password: str | None = None) -> MailSettings:
    """Change the SMTP settings (admins). A None password keeps the stored one."""
    require_admin(actor)
    if security not in ("starttls", "ssl", "none"):
        raise InvalidInput(_('Choose STARTTLS, SSL or no encryption.'), field="security")
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise InvalidInput(_('The port is a number, usually 587 (STARTTLS) or 465 (SSL).'), field="port") from None
    if not 0 < port < 65536:
        raise InvalidInput(_('The port is a number between 1 and 65535.'), field="port")
    settings = get_settings(session)
    settings.host, settings.port, settings.security = host.strip(), port, security
    settings.username, settings.from_name = username.strip(), from_name.strip()
    settings.from_address = check_email(from_address, field="from_address") if from_address.strip() else ""
    if password is not None:
        settings.password = password
    audit.record(session, actor, "update", "mail_settings", settings.id, f"Email settings changed: {host}:{port}")
    return settings


@dataclass
class SettingsView:
    """The mail settings as a page may show them: everything but the password, which stays on the server."""

    host: str
    port: int
    security: str
    username: str
    from_address: str
    from_name: str
    password_saved: bool


def settings_for_display(session: Session, actor: Actor) -> SettingsView:
    """The settings without the password (admins)."""
    require_admin(actor)
    row = session.exec(select(MailSettings)).first() or MailSettings()
    return SettingsView(host=row.host, port=row.port, security=row.security, username=row.username,
                        from_address=row.from_address, from_name=row.from_name, password_saved=bool(row.password))
