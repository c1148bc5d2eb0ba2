"""Factory helpers: make_x(session, **overrides) with sensible defaults."""
from __future__ import annotations

import itertools

from practice.models import Role, TeamMember
from practice.services.work import accounts, jobs, pipelines, tags
from practice.services.actor import Actor
from practice.services.access.auth import hash_password

_n = itertools.count(1)
PASSWORD = "correct horse battery"


def make_member(session, *, role: str = "employee", name: str | None = None, email: str | None = None,
                can_view_all_accounts: bool = False, password: str = PASSWORD) -> TeamMember:
    i = next(_n)
    member = TeamMember(name=name or f"Member {i}", email=email or f"member{i}@example.com", role=Role(role),
                        password_hash=hash_password(password), can_view_all_accounts=can_view_all_accounts)
    session.add(member)
    session.flush()
    return member


def actor_of(member: TeamMember) -> Actor:
    return Actor.of(member)


def make_pipeline(session, actor, *, name: str | None = None, stages=("Onboarding", "Preparation", "Review", "Done")):
    return pipelines.create_pipeline(session, actor, name=name or f"Pipeline {next(_n)}", stages=list(stages))


def make_account(session, actor, **overrides):
    fields = {"name": f"Account {next(_n)}", "type": "Individual"} | overrides
    return accounts.create_account(session, actor, **fields)


def make_job(session, actor, *, account=None, pipeline=None, **overrides):
    account = account or make_account(session, actor)
    pipeline = pipeline or make_pipeline(session, actor)
    fields = {"name": f"Job {next(_n)}"} | overrides
    return jobs.create_job(session, actor, account_id=account.id, pipeline_id=pipeline.id, **fields)


def make_tag(session, actor, name: str | None = None, color: str = "#123456"):
    return tags.create_tag(session, actor, name=name or f"Tag {next(_n)}", color=color)


def give_portal_login(staff: Actor, contact_id: int, password: str) -> None:
    """Invite the contact to the portal and activate the login with `password`, through the invitation email's
    one-time link (the portal journey covers the same steps in a browser). Opens its own transactions."""
    import re  # noqa: PLC0415

    from practice.db import read_session, write_session  # noqa: PLC0415
    from practice.models import OutgoingMail  # noqa: PLC0415
    from practice.services.portal import portal  # noqa: PLC0415

    with write_session() as s:
        mail_id = portal.invite(s, staff, contact_id).id
    with read_session() as s:
        body = s.get(OutgoingMail, mail_id).body
    token = re.search(r"/portal/activate\?token=([\w-]+)", body).group(1)
    with write_session() as s:
        portal.activate(s, token, password)
