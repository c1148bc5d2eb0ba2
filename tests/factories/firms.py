"""Firms for tests, made through the services: staff, accounts and their contacts (with portal logins),
pipelines, jobs and tags. Each factory is make_x(session, actor, **overrides) with sensible defaults."""
from __future__ import annotations

import functools
import itertools
import re

from argon2 import PasswordHasher
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Account, Contact, Role, TeamMember
from practice.services import actor as actors
from practice.services.actor import Actor
from practice.services.portal import logins
from practice.services.work import accounts, jobs, pipelines, tags

_n = itertools.count(1)
PASSWORD = "correct horse battery"
_FROM_NAMES = object()  # make_contact's default email: first@last.example
# Staff made here get an Argon2id hash of their password at the lowest cost (the stored hash names its parameters, so
# checking it at log-in is cheap too). The app's own hash (`auth.hash_password`, the library's parameters, slow on
# purpose) ran for every member of every test's firm: a third of the processor time of the tests without a browser.
# Passwords set through the app (a member added, a reset, a portal login activated) are hashed as in production.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@functools.lru_cache(maxsize=None)
def cheap_hash(password: str) -> str:
    return _CHEAP_HASHER.hash(password)


def make_member(session, *, role: str = "employee", name: str | None = None, email: str | None = None,
                can_view_all_accounts: bool = False, password: str = PASSWORD) -> TeamMember:
    i = next(_n)
    member = TeamMember(name=name or f"Member {i}", email=email or f"member{i}@example.com", role=Role(role),
                        password_hash=cheap_hash(password), can_view_all_accounts=can_view_all_accounts)
    session.add(member)
    session.flush()
    return member


def actor_of(member: TeamMember) -> Actor:
    return Actor.of(member)


def make_firm(session, *, owner: str | dict = "Olivia Park", admins: dict[str, str | dict] | None = None,
              employees: dict[str, str | dict] | None = None) -> dict[str, Actor]:
    """The firm's staff as actors by key: "owner", then each admin and employee under the key given.

    A person is a name, or make_member's fields: make_firm(s, employees={"bob": "Bob Stone",
    "emma": {"name": "Emma Stone", "email": "emma@example.com"}})."""
    people = {"owner": ("owner", owner)} | {k: ("admin", v) for k, v in (admins or {}).items()} \
        | {k: ("employee", v) for k, v in (employees or {}).items()}
    staff = {}
    for key, (role, person) in people.items():
        fields = person if isinstance(person, dict) else {"name": person}
        staff[key] = actor_of(make_member(session, role=role, **fields))
    return staff


def make_pipeline(session, actor, *, name: str | None = None, stages=("Onboarding", "Preparation", "Review", "Done")):
    return pipelines.create_pipeline(session, actor, name=name or f"Pipeline {next(_n)}", stages=list(stages))


def make_account(session, actor, **overrides):
    fields = {"name": f"Account {next(_n)}", "type": "Individual"} | overrides
    return accounts.create_account(session, actor, **fields)


def make_contact(session, actor, account_ids: list[int], first_name: str, last_name: str, *,
                 email: str | None = _FROM_NAMES, **fields) -> Contact:  # type: ignore[assignment]
    """A contact of these accounts; its email is first@last.example unless given (None: no email)."""
    if email is _FROM_NAMES:
        email = f"{first_name}@{last_name}.example".lower()
    if email is not None:
        fields["email"] = email
    return accounts.create_contact(session, actor, account_ids=account_ids, first_name=first_name,
                                   last_name=last_name, **fields)


def make_household(session, actor, name: str, last_name: str, first_names: tuple[str, ...] = (), *,
                   invite: bool = True, **account_fields) -> tuple[Account, list[Contact]]:
    """An account and its contacts (first@last.example), each invited to the portal unless invite=False."""
    account = make_account(session, actor, name=name, **account_fields)
    contacts = [make_contact(session, actor, [account.id], first, last_name) for first in first_names]
    if invite:
        for contact in contacts:
            logins.invite(session, actor, contact.id)
    return account, contacts


def make_job(session, actor, *, account=None, pipeline=None, **overrides):
    account = account or make_account(session, actor)
    pipeline = pipeline or make_pipeline(session, actor)
    fields = {"name": f"Job {next(_n)}"} | overrides
    return jobs.create_job(session, actor, account_id=account.id, pipeline_id=pipeline.id, **fields)


def make_tag(session, actor, name: str | None = None, color: str = "#123456"):
    return tags.create_tag(session, actor, name=name or f"Tag {next(_n)}", color=color)


def contact_actor(contact_id: int):
    """The actor a contact is when signed in to the portal (opens its own read transaction)."""
    with read_session() as s:
        return actors.contact_actor(s, contact_id)


def give_portal_login(staff: Actor, contact_id: int, password: str) -> None:
    """Invite the contact to the portal and activate the login with `password`, through the invitation's
    one-time link (the portal journey covers the same steps in a browser). Opens its own transactions."""
    with write_session() as s:
        link = logins.invite(s, staff, contact_id).link
    token = re.search(r"/portal/activate\?token=([\w-]+)", link).group(1)
    with write_session() as s:
        logins.activate(s, token, password)


def demo_owner() -> Actor:
    """The owner of the firm already in the database (the browser journeys' demo firm); opens its own read."""
    with read_session() as s:
        return Actor.of(s.exec(select(TeamMember).where(TeamMember.role == Role.owner)).first())


def portal_client(*, account: str, first_name: str, last_name: str, email: str, password: str,
                  type: str = "Individual", staff: Actor | None = None) -> tuple[int, int]:
    """A new account with one contact whose portal login is active with `password`, made by `staff` (the
    owner by default); (account id, contact id). Opens its own transactions."""
    staff = staff or demo_owner()
    with write_session() as s:
        made = accounts.create_account(s, staff, name=account, type=type)
        contact = accounts.create_contact(s, staff, account_ids=[made.id], first_name=first_name,
                                          last_name=last_name, email=email)
        ids = made.id, contact.id
    give_portal_login(staff, ids[1], password)
    return ids
