"""Finding a signature request for whoever asks (staff who see its account, or a contact asked to sign it),
its signers and fields in order, and its timeline of signing events."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.models import (AccountContact, Contact, PortalLogin, PortalStatus, Role, SignatureField, SignatureRequest,
                             SignatureRequestStatus, Signer, SigningEvent)
from practice.i18n import N_, _
from practice.services.actor import Actor
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from practice.services.work.accounts import get_account

OPEN = (SignatureRequestStatus.draft, SignatureRequestStatus.sent)
GONE = N_("That signature request is not in your portal (it may have been cancelled).")


def require_staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can ask for signatures."))
    return actor


def is_contact(who) -> bool:
    return not isinstance(who, Actor) and hasattr(who, "contact_id") and hasattr(who, "account_ids")


def client_actor(name: str) -> Actor:
    return Actor(None, f"{name} (client)", Role.employee)


def get_request(session: Session, request_id) -> SignatureRequest:
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        raise NotFound(_("That signature request does not exist.")) from None
    req = session.get(SignatureRequest, request_id)
    if req is None:
        raise NotFound(_("That signature request does not exist (it may have been deleted)."))
    return req


def staff_request(session: Session, actor: Actor, request_id) -> SignatureRequest:
    require_staff(actor)
    req = get_request(session, request_id)
    get_account(session, actor, req.account_id)
    return req


def signer_of(session: Session, who, request_id) -> tuple[SignatureRequest, Signer]:
    """The request and `who`'s signer row, if `who` is a contact asked to sign it (re-checked against the
    database: a contact unlinked from the account stops seeing it at once)."""
    if not is_contact(who):
        raise PermissionDenied(_("Only the client asked to sign can do that."))
    try:
        req = get_request(session, request_id)
    except NotFound:
        raise NotFound(_(GONE)) from None
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == req.account_id, AccountContact.contact_id == who.contact_id)).first()
    signer = session.exec(select(Signer).where(Signer.request_id == req.id,
                                               Signer.contact_id == who.contact_id)).first()
    if (req.account_id not in tuple(who.account_ids) or linked is None or signer is None
            or req.status == SignatureRequestStatus.draft):
        # Another client's request is reported as missing: its existence is none of this contact's business.
        raise NotFound(_(GONE))
    return req, signer


def viewer_of(session: Session, who, request_id) -> tuple[SignatureRequest, Signer | None]:
    """Staff who see the account, or a signer contact of the request."""
    if isinstance(who, Actor):
        return staff_request(session, who, request_id), None
    return signer_of(session, who, request_id)


def contact_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email


def signers_of(session: Session, request_id: int) -> list[Signer]:
    return list(session.exec(select(Signer).where(Signer.request_id == request_id)
                             .order_by(Signer.position, Signer.id)))


def fields_of(session: Session, request_id: int) -> list[SignatureField]:
    return list(session.exec(select(SignatureField).where(SignatureField.request_id == request_id)
                             .order_by(SignatureField.page, SignatureField.y, SignatureField.x, SignatureField.id)))


def log_event(session: Session, req: SignatureRequest, kind: str, detail: str = "", *, signer: Signer | None = None,
              ip_address: str = "", user_agent: str = "") -> SigningEvent:
    row = SigningEvent(request_id=req.id, signer_id=signer.id if signer else None,
                       contact_id=signer.contact_id if signer else None, kind=kind, detail=detail[:1000],
                       ip_address=str(ip_address or "")[:100], user_agent=str(user_agent or "")[:500])
    session.add(row)
    return row


def clean_text(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def portal_login(session: Session, contact_id: int) -> PortalLogin | None:
    return session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact_id)).first()


def check_signer_contact(session: Session, account_id: int, contact_id) -> Contact:
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the signers among the account's contacts."), field="signers") from None
    contact = session.get(Contact, contact_id)
    linked = session.exec(select(AccountContact.contact_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == contact_id)).first()
    if contact is None or linked is None:
        raise InvalidInput(_("Each signer must be a contact of this account."), field="signers")
    if not (contact.email or "").strip():
        raise InvalidInput(_("{name} has no email address; add one before asking for a signature.").format(
            name=contact_name(contact)),
                           field="signers")
    login = portal_login(session, contact.id)
    if login is None or login.status not in (PortalStatus.invited, PortalStatus.active):
        raise InvalidInput(_("{name} has no portal access; invite them to the client portal first (they sign there).").format(
            name=contact_name(contact)), field="signers")
    return contact
