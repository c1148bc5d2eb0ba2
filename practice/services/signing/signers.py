"""Who staff are offered as signers of a new request: the account's contacts with an email and a portal login
(they sign in the portal), and the others with why not."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session

from practice.models import Contact
from practice.services.actor import Actor
from practice.services.portal import logins
from practice.services.work import accounts

INVITED = "(invited to the portal, not logged in yet)"
NO_EMAIL = "has no email address"
NO_LOGIN = "has no portal login: give portal access on the account page first (signers sign in the portal)"
LOGIN_REVOKED = "has no portal access any more (it was withdrawn): give it again on the account page"


@dataclasses.dataclass(frozen=True)
class SignerCandidate:
    """One contact of the account: whether they may be asked to sign, and a note (why not, or a remark)."""
    contact_id: int
    name: str
    email: str
    offered: bool
    note: str = ""


def candidate(contact: Contact, portal_status: str) -> SignerCandidate:
    """Whether a contact with this portal status ("", invited, active, revoked) may be asked to sign."""
    email = (contact.email or "").strip()
    name = f"{contact.first_name} {contact.last_name}".strip() or contact.email or "(no name)"
    if email and portal_status in ("active", "invited"):
        return SignerCandidate(contact.id, name, contact.email or "", True,
                               INVITED if portal_status == "invited" else "")
    note = NO_EMAIL if not email else LOGIN_REVOKED if portal_status == "revoked" else NO_LOGIN
    return SignerCandidate(contact.id, name, contact.email or "", False, note)


def signer_candidates(session: Session, actor: Actor, account_id: int) -> list[SignerCandidate]:
    """The account's contacts (by last name), each offered as a signer or not, with why."""
    contacts = accounts.contacts_of(session, actor, account_id)
    status = logins.status_of_contacts(session, actor, [c.id for c in contacts])
    return [candidate(c, status.get(c.id, "")) for c in contacts]
