"""Consent to sign and receive records electronically (an ESIGN-style disclosure), asked before a first signature.

The disclosure text is the firm's (Settings → Signing), or the default below. A consent row keeps the
exact text shown and its SHA-256, so a later edit of the text asks every client again: consent given
to other words is not consent to these.
"""
from __future__ import annotations

import hashlib

from babel.numbers import format_decimal

from sqlmodel import Session, select

from practice import i18n
from practice.i18n import N_, _
from practice.models import SigningConsent, SigningSettings, utcnow
from practice.services.errors import InvalidInput
from practice.services.firm import version_for

DEFAULT_DISCLOSURE = N_("""\
Consent to sign and receive records electronically

Before you sign, please read this and agree.

1. You agree that {{ firm }} may give you documents, notices and records electronically, through the \
client portal and by email, and that you may sign them electronically. An electronic signature is as \
binding as a signature on paper.
2. You may ask for a paper copy of any document at any time, free of charge, by writing to {{ firm }}.
3. You may withdraw this consent at any time by telling {{ firm }}; withdrawing does not undo signatures \
you already gave, and from then on documents will be sent to you on paper.
4. To sign you need a device with a current web browser and access to your email. Keep your email \
address up to date with {{ firm }}.
5. Each time you sign, your name, email, IP address, browser and the times you viewed and signed are \
recorded and attached to the signed document.""")

MAX_DISCLOSURE = 20_000


def settings(session: Session) -> SigningSettings:
    """The firm's signing settings row (made on first use)."""
    row = session.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
    if row is None:
        row = SigningSettings()
        session.add(row)
        session.flush()
    return row


def timestamp_server(session: Session) -> str:
    """The firm's timestamp server address ("" for none), read without making the settings row."""
    row = session.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
    return (row.tsa_url or "").strip() if row else ""


def disclosure_text(session: Session, firm_name: str) -> str:
    """The disclosure as the client reads it, with the firm's name filled in."""
    row = session.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
    # The default is said in the reader's language (a consent is to the words shown, so each language's is its own).
    # The firm's French version for a French reader when it wrote one.
    own = version_for(i18n.current_locale(), row.disclosure_text, row.disclosure_text_fr) if row else ""
    text = own if own.strip() else _(DEFAULT_DISCLOSURE)
    return text.replace("{{ firm }}", firm_name or _("the firm"))


def default_disclosure(language: str) -> str:
    """The shipped disclosure in `language` (as written, with its {{ firm }}), shown as the editor's example."""
    with i18n.using_locale(language):
        return _(DEFAULT_DISCLOSURE)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_consent(session: Session, contact_id: int, text: str) -> SigningConsent | None:
    """The contact's consent to exactly this text, if given and not withdrawn."""
    return session.exec(select(SigningConsent).where(
        SigningConsent.contact_id == contact_id, SigningConsent.disclosure_sha256 == _digest(text),
        SigningConsent.withdrawn_at.is_(None)).order_by(SigningConsent.id.desc())).first()


def give_consent(session: Session, contact_id: int, text: str, *, ip_address: str = "",
                 user_agent: str = "") -> SigningConsent:
    """Record that the contact agreed to `text` (idempotent: an existing consent to the same text is kept)."""
    existing = current_consent(session, contact_id, text)
    if existing is not None:
        return existing
    row = SigningConsent(contact_id=contact_id, disclosure_text=text, disclosure_sha256=_digest(text),
                         ip_address=ip_address[:100], user_agent=user_agent[:500])
    session.add(row)
    session.flush()
    return row


def withdraw(session: Session, contact_id: int) -> int:
    """Withdraw the contact's consents; later signatures ask again. Returns how many were withdrawn."""
    rows = session.exec(select(SigningConsent).where(SigningConsent.contact_id == contact_id,
                                                     SigningConsent.withdrawn_at.is_(None))).all()
    for row in rows:
        row.withdrawn_at = utcnow()
    return len(rows)


def check_disclosure(text: str, field: str = "disclosure") -> str:
    """A firm's disclosure text (or its French version, `field` "disclosure_fr"), cleaned; empty means the default."""
    text = (text or "").strip()
    if len(text) > MAX_DISCLOSURE:
        message = (_("The French disclosure is longer than {count} characters; shorten it.") if field == "disclosure_fr"
                   else _("The disclosure is longer than {count} characters; shorten it."))
        raise InvalidInput(message.format(count=format_decimal(MAX_DISCLOSURE, locale=i18n.babel_locale())), field)
    return text
