"""Portal data for benchmarks: a demo firm large enough for every client to be a contact of its own, each with
portal access, client tasks and a shared document, so every portal page has something to list.

Used by bench_portal_load.py, bench_message_latency.py and the capture_*_frames.py scripts; needs DATABASE_URL set to an empty database.
"""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from practice.db import write_session
from practice.migrate import upgrade
from practice.models import AccountContact, Contact, Job, PortalLogin, PortalStatus, TeamMember, utcnow
from practice.services import demo
from practice.services.access.auth import hash_password
from practice.services.actor import Actor, linked_account_ids
from practice.services.chats import messages, threads
from practice.services.documents import files
from practice.services.portal import client_tasks, logins

EMAIL_DOMAIN = "@example.net"


def build_firm(n_accounts: int) -> None:
    """A migrated database holding the demo firm with `n_accounts` accounts (one or two contacts each)."""
    upgrade()
    with write_session() as session:
        demo.load_demo(session, n_accounts=n_accounts)


def give_logins(n: int, password: str) -> list[str]:
    """Portal access for the first `n` contacts with an email, each with client tasks and a shared document on
    its account; returns their emails. Access goes through `logins.invite`; the activation is written directly,
    with one password hash for all (hashing 200 passwords would only slow the setup)."""
    password_hash = hash_password(password)
    with write_session() as session:
        owner = Actor.of(session.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        contacts = session.exec(select(Contact).where(Contact.email.like("%" + EMAIL_DOMAIN))
                                .order_by(Contact.id).limit(n)).all()
        emails = []
        for contact in contacts:
            logins.invite(session, owner, contact.id)
            emails.append(contact.email.lower())
        now = utcnow()
        for login in session.exec(select(PortalLogin).where(PortalLogin.email.in_(emails))):
            login.status, login.password_hash, login.activated_at = PortalStatus.active, password_hash, now
        accounts = sorted({link.account_id for link in session.exec(
            select(AccountContact).where(AccountContact.contact_id.in_([c.id for c in contacts])))})
        for job in session.exec(select(Job).where(Job.account_id.in_(accounts))):
            client_tasks.create_client_task(session, owner, job.id, title="Upload your W-2",
                                            description="The one your employer sent in January.")
    for account_id in accounts:
        files.upload(owner, account_id, None, "Engagement summary.txt", b"What we agreed this year.\n", shared=True)
    return emails


def give_threads(emails: list[str]) -> dict[str, int]:
    """A chat thread for each of these portal contacts, on the account its portal opens on (its first by name),
    started by the owner with one message; returns {email: thread id}."""
    with write_session() as session:
        owner = Actor.of(session.exec(select(TeamMember).where(TeamMember.role == "owner")).first())
        made = {}
        for contact in session.exec(select(Contact).where(func.lower(Contact.email).in_(emails))).all():
            account_id = linked_account_ids(session, contact.id)[0]
            thread = threads.start_thread(session, owner, account_id=account_id,
                                          subject=f"Your 2026 return ({contact.first_name})")
            messages.write_as_staff(session, owner, thread.id, "Hello, a few questions about this year's return.")
            made[contact.email.lower()] = thread.id
    return made
