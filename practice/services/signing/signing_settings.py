"""Settings → Signing: the firm's sealing certificate as shown to admins, its timestamp server and disclosure text."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from practice.i18n import _
from practice.models import utcnow
from practice.services import audit
from practice.services.signing import certificates, consent
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput
from practice.services.formatting import full_date


@dataclass
class SigningView:
    subject: str
    issuer: str
    fingerprint: str
    valid_from: str
    valid_until: str
    origin: str  # "Made here on …" / "Uploaded on …"
    tsa_url: str
    disclosure_text: str
    older_certificates: int
    # The French version (empty: French readers get the text above, or the default in French) and that default.
    disclosure_text_fr: str = ""
    default_disclosure_fr: str = ""


def _day(value) -> str:
    return full_date(value) if value else "—"


def view(session: Session, actor: Actor) -> SigningView:
    """What the Signing settings show (owner and admins)."""
    require_admin(actor)
    row = certificates.ensure_certificate(session)
    settings = consent.settings(session)
    origin = (_("Uploaded by the firm on {date}") if row.source == "uploaded" else _("Made here on {date}")).format(
        date=_day(row.created_at))
    return SigningView(subject=row.subject, issuer=row.issuer, fingerprint=row.fingerprint_sha256,
                       valid_from=_day(row.not_before), valid_until=_day(row.not_after), origin=origin,
                       tsa_url=settings.tsa_url, disclosure_text=settings.disclosure_text,
                       older_certificates=len(certificates.all_certificates(session)) - 1,
                       disclosure_text_fr=settings.disclosure_text_fr or "",
                       default_disclosure_fr=consent.default_disclosure("fr"))


def clean_tsa_url(url: str) -> str:
    """The timestamp server address, checked for shape (empty: no timestamps)."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 500 or not url.startswith(("http://", "https://")) or " " in url:
        raise InvalidInput(_("The timestamp server address must be a web address starting with http:// or https://."),
                           "tsa_url")
    return url


def set_timestamp_server(session: Session, actor: Actor, url: str) -> str:
    """Save the timestamp server (the caller tests it first with seal.check_timestamp_server)."""
    require_admin(actor)
    url = clean_tsa_url(url)
    row = consent.settings(session)
    row.tsa_url, row.updated_at = url, utcnow()
    audit.record(session, actor, "update", "signing_settings", row.id,
                 f"Timestamp server set to {url}" if url else "Timestamp server removed")
    return url


def set_disclosure(session: Session, actor: Actor, text: str, text_fr: str | None = None) -> str:
    """Save the firm's consent disclosure (empty: the default) and, when given, its French version (empty: French
    readers get the main text, or the default in French); clients asked again once the words they read change."""
    require_admin(actor)
    text = consent.check_disclosure(text)
    french = consent.check_disclosure(text_fr, field="disclosure_fr") if text_fr is not None else None
    row = consent.settings(session)
    if text != (row.disclosure_text or ""):
        row.disclosure_text, row.updated_at = text, utcnow()
        audit.record(session, actor, "update", "signing_settings", row.id,
                     "Consent disclosure changed" if text else "Consent disclosure reset to the default")
    if french is not None and french != (row.disclosure_text_fr or ""):
        change = audit.french_change([row.disclosure_text_fr], [french])
        row.disclosure_text_fr, row.updated_at = french, utcnow()
        audit.record(session, actor, "update", "signing_settings", row.id, f"Consent disclosure: French version {change}",
                     french=change)
    return text


def certificate_pem(session: Session, actor: Actor) -> str:
    """The current certificate (public part, PEM) for download."""
    require_admin(actor)
    return certificates.ensure_certificate(session).cert_pem
