"""Clients' portal logins: invitation and withdrawal by staff, activation, log in, sessions, password
reset and change, and switching between the contact's accounts.

A contact acts as a `ContactActor`, re-read from the database on every call, so a revoked login
or an unlinked account stops working at once. One-time links and session ids are random; the
database keeps only their SHA-256.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from practice import config, i18n, routes
from practice.i18n import N_, _
from practice.models import Account, Contact, OutgoingMail, PortalLogin, PortalSession, PortalStatus, PortalToken, Role, utcnow
from practice.services import audit, events, one_time_links
from practice.services.access import login_safety
from practice.services.access.passwords import check_password, common_passwords  # noqa: F401 - used from here
from practice.services.access.auth import hash_password, verify_password
from practice.services.actor import (Actor, ContactActor, client_actor, contact_name, linked_account_ids,
                                     recorded_actor)
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.firm import checked_language, get_firm, language_for
from practice.services.mail import outbox
from practice.services.mail.settings import is_configured as mail_is_configured
from practice.services.mail.system import render_system_email
from practice.services.portal import pages
from practice.services.work import accounts
from practice.services.work.accounts import contact_visible, get_account

ACTIVATION_TTL = dt.timedelta(days=7)
RESET_TTL = dt.timedelta(hours=1)
# A simple per-email brake on password guessing (the lead unifies it with staff login throttling).
RESETS_PER_HOUR = 3
FORGOT_SENTENCE = N_("If that email address has portal access, a link to choose a new password is on its way. "
                     "It works for one hour.")
BAD_LOGIN = N_("That email and password do not match. Check them and try again.")
_digest = one_time_links.digest
LINK_SENTENCES = {
    "activation": one_time_links.Sentences(
        unknown=N_("This activation link is not valid. Check that you opened the whole link from the email."),
        used=N_("This activation link was already used or replaced by a newer one. Log in, or use 'Forgot password' "
                "to choose a new password."),
        expired=N_("This activation link has expired (links work for 7 days). Ask the firm to send you a new "
                   "invitation.")),
    "reset": one_time_links.Sentences(
        unknown=N_("This password reset link is not valid. Check that you opened the whole link from the email."),
        used=N_("This password reset link was already used or replaced by a newer one. Ask for a new one."),
        expired=N_("This password reset link has expired (links work for one hour). Ask for a new one.")),
}


# --- system emails ---------------------------------------------------------------------------------


def _new_token(session: Session, kind: str, contact_id: int, ttl: dt.timedelta) -> str:
    """A fresh one-time link token; earlier unused ones of the same kind stop working."""
    return one_time_links.issue(session, PortalToken, ("contact_id", contact_id), kind, ttl)


def _send(session: Session, actor, template: str, contact: Contact, to: str, link: str, **extra) -> OutgoingMail:
    context = {"first_name": contact.first_name or contact_name(contact), "firm_name": get_firm(session).name,
               "link": link, **extra}
    subject, body = render_system_email(template, context, language_for(session, contact.language))
    accounts = linked_account_ids(session, contact.id)
    queued = outbox.enqueue(session, to_address=to, subject=subject, body=body,
                            account_id=accounts[0] if accounts else None,
                            sender_id=actor.member_id if isinstance(actor, Actor) else None)
    # The event rings the worker, which sends the queued mail at once (the minute sweep is the fallback).
    events.emit(session, actor, f"portal_{template.removeprefix('portal_')}_sent",
                account_id=accounts[0] if accounts else None, payload={"contact_id": contact.id})
    return queued


# --- staff: giving and withdrawing access -------------------------------------------------------


def _login_of(session: Session, contact_id: int) -> PortalLogin | None:
    return session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact_id)).first()


@dataclass
class Invitation:
    """What staff learn after inviting: the mail queued, or (mail not set up) no mail and a link to give by hand."""

    contact_name: str
    link: str
    mail: OutgoingMail | None

    @property
    def sent(self) -> bool:
        return self.mail is not None

    @property
    def message(self) -> str:
        if self.sent:
            return _("Invitation sent. The link in it works for {days} days.").format(days=ACTIVATION_TTL.days)
        return _("Mail is not set up, so the invitation was not sent. Copy the link below and give it to {name} "
                 "yourself; it works for {days} days.").format(name=self.contact_name, days=ACTIVATION_TTL.days)


def invite(session: Session, actor: Actor, contact_id: int) -> Invitation:
    """Give a contact portal access with a one-time activation link (also to send a new one). The link is
    emailed when mail is set up; otherwise nothing is sent and the link is returned for staff to hand over."""
    contact = contact_visible(session, actor, contact_id)
    linked = linked_account_ids(session, contact.id)
    visible = []
    for account_id in linked:
        try:
            visible.append(get_account(session, actor, account_id).id)
        except PermissionDenied:
            continue
    if not visible:
        raise InvalidInput(_("Link this contact to an account first: the portal shows a client its accounts."))
    email = (contact.email or "").strip().lower()
    if not email:
        raise InvalidInput(_("{name} has no email address. Add one to send the invitation.").format(
            name=contact_name(contact)), field="email")
    login = _login_of(session, contact.id)
    if login and login.status == PortalStatus.active:
        raise Conflict(_("{name} already has portal access. If the password is lost, the client can use 'Forgot "
                         "password' on the portal's login page.").format(name=contact_name(contact)))
    other = session.exec(select(PortalLogin).where(PortalLogin.email == email,
                                                   PortalLogin.contact_id != contact.id)).first()
    if other and other.status != PortalStatus.revoked:
        raise Conflict(_("Another contact already logs in to the portal with {email}. Each person needs their own "
                         "email address.").format(email=email))
    now = utcnow()
    if login is None:
        login = PortalLogin(contact_id=contact.id, email=email)
        session.add(login)
    login.email, login.status, login.invited_at, login.revoked_at = email, PortalStatus.invited, now, None
    login.password_hash = ""
    session.flush()
    token = _new_token(session, "activation", contact.id, ACTIVATION_TTL)
    link = f"{config.base_url()}{routes.PORTAL_ACTIVATE}?token={token}"
    queued = None
    if mail_is_configured(session):
        queued = _send(session, actor, "portal_invitation", contact, email, link, days=ACTIVATION_TTL.days)
    how = "" if queued else ", link given by hand: mail is not set up"
    audit.record(session, actor, "portal_invite", "contact", contact.id,
                 f"Invited {contact_name(contact)} to the client portal ({email}{how})")
    return Invitation(contact_name(contact), link, queued)


def revoke(session: Session, actor: Actor, contact_id: int) -> None:
    """Withdraw a contact's portal access; its open sessions end at once."""
    contact = contact_visible(session, actor, contact_id)
    login = _login_of(session, contact.id)
    if login is None or login.status == PortalStatus.revoked:
        raise Conflict(_("{name} has no portal access to withdraw.").format(name=contact_name(contact)))
    now = utcnow()
    login.status, login.revoked_at, login.password_hash = PortalStatus.revoked, now, ""
    session.execute(update(PortalSession).where(PortalSession.contact_id == contact.id,
                                                PortalSession.ended_at.is_(None)).values(ended_at=now))
    session.execute(update(PortalToken).where(PortalToken.contact_id == contact.id,
                                              PortalToken.used_at.is_(None)).values(used_at=now))
    audit.record(session, actor, "portal_revoke", "contact", contact.id,
                 f"Withdrew {contact_name(contact)}'s portal access")


def update_contact(session: Session, actor: Actor, contact_id: int, **fields) -> Contact:
    """Correct a contact (accounts.update_contact: their portal login follows a new email). A client who can log
    in hears of the new login email at the old address, in case the change was not theirs."""
    login = _login_of(session, contact_id)
    before = login.email if login is not None and login.status == PortalStatus.active else None
    contact = accounts.update_contact(session, actor, contact_id, **fields)
    if before and login.email != before and mail_is_configured(session):
        subject, body = render_system_email("portal_email_changed", {
            "first_name": contact.first_name or contact_name(contact), "firm_name": get_firm(session).name,
            "new_email": login.email}, language_for(session, contact.language))
        outbox.enqueue(session, to_address=before, subject=subject, body=body, sender_id=actor.member_id)
    return contact


def status_of_contacts(session: Session, actor: Actor, contact_ids: list[int]) -> dict[int, str]:
    """Portal status (invited / active / revoked) of the given contacts the actor may see; absent: none."""
    out = {}
    for login in session.exec(select(PortalLogin).where(PortalLogin.contact_id.in_(contact_ids or [-1]))):
        try:
            contact_visible(session, actor, login.contact_id)
        except (PermissionDenied, NotFound):
            continue
        out[login.contact_id] = PortalStatus(login.status).value
    return out


# --- the client: activation, login, reset ---------------------------------------------------------


def _valid_token(session: Session, kind: str, token: str) -> PortalToken:
    return one_time_links.valid(session, PortalToken, kind, token, LINK_SENTENCES[kind])


def check_token(session: Session, kind: str, token: str) -> str:
    """The email a valid one-time link is for (to show on the page); raises a sentence otherwise."""
    row = _valid_token(session, kind, token)
    login = _login_of(session, row.contact_id)
    if login is None or login.status == PortalStatus.revoked:
        raise PermissionDenied(_("Portal access for this address was withdrawn. Contact the firm."))
    return login.email


def activate(session: Session, token: str, password: str) -> str:
    """Set the first password with an activation link (used once); returns the login's email."""
    row = _valid_token(session, "activation", token)
    login = _login_of(session, row.contact_id)
    if login is None or login.status == PortalStatus.revoked:
        raise PermissionDenied(_("Portal access for this address was withdrawn. Contact the firm."))
    check_password(password or "", login.email)
    now = utcnow()
    login.password_hash, login.status, login.activated_at = hash_password(password), PortalStatus.active, now
    row.used_at = now
    contact = session.get(Contact, row.contact_id)
    audit.record(session, client_actor(contact_name(contact)), "portal_activate", "contact",
                 contact.id, f"{contact_name(contact)} activated portal access")
    return login.email


def log_in(session: Session, email: str, password: str, *, client_ip: str | None = None, device: str | None = None,
           now: dt.datetime | None = None) -> str:
    """Check a contact's credentials; return a new portal session id for the browser.
    Failures slow down and then lock the email (and slow the address) like staff logins do; a browser that logged
    in before as this contact (its device cookie, `device`) has its own count."""
    now = now or utcnow()
    email = (email or "").strip().lower()[:320]
    principal = login_safety.principal_key("contact", email)
    keys = login_safety.keys_for(principal, client_ip, device, now=now)
    login_safety.check(session, keys, now=now)
    login = session.exec(select(PortalLogin).where(PortalLogin.email == email)).first()
    ok = verify_password(login.password_hash if login else "", password or "")
    if not login or not ok or login.status != PortalStatus.active:
        audit.record(session, Actor(None, email or "unknown", Role.employee), "portal_login_failed", "contact",
                     login.contact_id if login else None, f"Failed portal login for {email or 'an empty email'}")
        login_safety.record_failure(session, keys, now=now)
        session.commit()  # keep the record although the caller rolls back on the error
        raise PermissionDenied(_(BAD_LOGIN))
    login_safety.record_success(session, *keys)
    sid = secrets.token_urlsafe(32)
    linked = linked_account_ids(session, login.contact_id)
    session.add(PortalSession(id_hash=_digest(sid), contact_id=login.contact_id, created_at=now, last_seen_at=now,
                              current_account_id=linked[0] if linked else None))
    login.last_login_at = now
    contact = session.get(Contact, login.contact_id)
    audit.record(session, client_actor(contact_name(contact)), "portal_login", "contact",
                 contact.id, f"{contact_name(contact)} logged in to the portal")
    return sid


def _session_row(session: Session, sid: str | None) -> PortalSession | None:
    if not sid:
        return None
    row = session.exec(select(PortalSession).where(PortalSession.id_hash == _digest(sid))).first()
    if not row or not pages.session_alive(row.created_at, row.last_seen_at, row.ended_at, utcnow()):
        return None
    return row


def actor_for_portal_session(session: Session, sid: str | None) -> ContactActor | None:
    """The contact behind a portal session id, checked on every call: None when ended, timed out or revoked."""
    who = pages.visit(session, sid)
    return who.actor if who else None


def log_out(session: Session, sid: str | None) -> None:
    row = _session_row(session, sid)
    if row:
        row.ended_at = utcnow()


def forgot_password(session: Session, email: str) -> str:
    """Email a password reset link if the address has active portal access; the answer is the same either way."""
    email = (email or "").strip().lower()[:320]
    login = session.exec(select(PortalLogin).where(PortalLogin.email == email)).first() if email else None
    if login and login.status == PortalStatus.active:
        recent = one_time_links.issued_since(session, PortalToken, ("contact_id", login.contact_id), "reset",
                                             utcnow() - dt.timedelta(hours=1))
        if recent < RESETS_PER_HOUR:  # more would only fill the client's mailbox
            contact = session.get(Contact, login.contact_id)
            token = _new_token(session, "reset", contact.id, RESET_TTL)
            actor = client_actor(contact_name(contact))
            _send(session, actor, "portal_reset", contact, login.email,
                  f"{config.base_url()}{routes.PORTAL_RESET}?token={token}")
            audit.record(session, actor, "portal_reset_requested", "contact", contact.id,
                         f"{contact_name(contact)} asked for a portal password reset")
    return _(FORGOT_SENTENCE)


def reset(session: Session, token: str, password: str) -> str:
    """Choose a new password with a reset link (used once); every open session ends. Returns the email."""
    row = _valid_token(session, "reset", token)
    login = _login_of(session, row.contact_id)
    if login is None or login.status != PortalStatus.active:
        raise PermissionDenied(_("Portal access for this address was withdrawn. Contact the firm."))
    check_password(password or "", login.email)
    now = utcnow()
    login.password_hash = hash_password(password)
    row.used_at = now
    session.execute(update(PortalSession).where(PortalSession.contact_id == login.contact_id,
                                                PortalSession.ended_at.is_(None)).values(ended_at=now))
    contact = session.get(Contact, login.contact_id)
    audit.record(session, client_actor(contact_name(contact)), "portal_reset", "contact",
                 contact.id, f"{contact_name(contact)} chose a new portal password")
    return login.email


def change_password(session: Session, actor: ContactActor, sid: str, *, current: str, new: str) -> None:
    """Change one's own password (the current one is asked again); other sessions end."""
    login = _login_of(session, actor.contact_id)
    if login is None or not verify_password(login.password_hash, current or ""):
        raise InvalidInput(_("Your current password is not right. Type it again."), field="current")
    check_password(new or "", login.email)
    login.password_hash = hash_password(new)
    session.execute(update(PortalSession).where(PortalSession.contact_id == actor.contact_id,
                                                PortalSession.ended_at.is_(None),
                                                PortalSession.id_hash != _digest(sid)).values(ended_at=utcnow()))
    audit.record(session, recorded_actor(actor), "portal_password", "contact", actor.contact_id,
                 f"{actor.name} changed the portal password")


# --- the client: accounts and profile ----------------------------------------------------------------


def accounts_of_contact(session: Session, actor: ContactActor) -> list[tuple[int, str]]:
    """The accounts this contact may switch between, as (id, name)."""
    if not actor.account_ids:
        return []
    rows = session.exec(select(Account.id, Account.name).where(Account.id.in_(actor.account_ids)))
    names = dict(rows.all())
    return [(i, names[i]) for i in actor.account_ids if i in names]


def switch_account(session: Session, sid: str, account_id: int) -> ContactActor:
    """Make another linked account the current one for this portal session."""
    actor = actor_for_portal_session(session, sid)
    if actor is None:
        raise PermissionDenied(_("Your session has ended. Log in again."))
    if account_id not in actor.account_ids:
        raise PermissionDenied(_("That account is not one of yours."))
    _session_row(session, sid).current_account_id = account_id
    return ContactActor(actor.contact_id, actor.name, actor.account_ids, account_id)


@dataclass
class Profile:
    name: str
    email: str


def profile(session: Session, actor: ContactActor) -> Profile:
    login = _login_of(session, actor.contact_id)
    return Profile(actor.name, login.email if login else "")


def set_contact_language(session: Session, actor: ContactActor, language: str) -> str:
    """A contact chooses the language of its portal, its emails and its documents; returns the code."""
    if not isinstance(actor, ContactActor):
        raise PermissionDenied()
    contact = session.get(Contact, actor.contact_id)
    if contact is None:
        raise NotFound(_("Your session has ended. Log in again."))
    contact.language = checked_language(language)
    audit.record(session, recorded_actor(actor), "update", "contact", contact.id,
                 f"{actor.name} chose {i18n.LANGUAGES[contact.language]} for the portal")
    return contact.language


def language_of_login(session: Session, email: str) -> str:
    """The language of the contact behind a portal login (theirs, or the firm's default): the activation and reset
    pages a link opens speak it before the contact has logged in."""
    login = session.exec(select(PortalLogin).where(PortalLogin.email == (email or "").strip().lower())).first()
    contact = session.get(Contact, login.contact_id) if login else None
    return language_for(session, contact.language if contact else "")
