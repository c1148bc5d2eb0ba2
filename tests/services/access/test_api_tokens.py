"""Personal access tokens: the secret is shown once and kept only as a digest, each token acts as its member within
its scope, and stops working when revoked or when the member is deactivated; creating and revoking are audited."""
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import ApiToken, AuditLog, TeamMember
from practice.services.access import api_tokens
from practice.services.errors import InvalidInput, PermissionDenied
from tests.factories import make_firm


def staff(monkeypatch):
    with write_session() as s:
        return make_firm(s, admins={"ann": "Ann Admin"}, employees={"eli": "Eli Employee", "zoe": "Zoe Other"})


pytestmark = pytest.mark.firm(build=staff)


def create(actor, name="Bookkeeping sync", scope="read"):
    with write_session() as s:
        token, secret = api_tokens.create_token(s, actor, name, scope)
        return token.id, secret


def use(secret):
    with read_session() as s:
        return api_tokens.use_token(s, secret)


def test_the_secret_is_shown_once_and_only_its_digest_is_kept(firm):
    token_id, secret = create(firm["eli"])
    assert secret.startswith("prt_") and len(secret) > 40
    with read_session() as s:
        row = s.get(ApiToken, token_id)
        assert secret not in (row.token_hash, row.prefix, row.name)
        assert secret.startswith(row.prefix) and len(row.prefix) < 16
    used = use(secret)
    assert used.actor.member_id == firm["eli"].member_id and used.scope == "read" and not used.may_write
    assert use(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert use("") is None and use(None) is None and use("Bearer " + secret) is None


def test_a_write_token_may_write_and_a_bad_scope_or_name_is_refused_with_a_sentence(firm):
    _, secret = create(firm["eli"], scope="write")
    assert use(secret).may_write
    with pytest.raises(InvalidInput, match="read only, or read and write"):
        create(firm["eli"], scope="admin")
    with pytest.raises(InvalidInput, match="Give the token a name"):
        create(firm["eli"], name="   ")
    with pytest.raises(InvalidInput, match="under 100 characters"):
        create(firm["eli"], name="x" * 101)


def test_revoking_stops_the_token_at_once_and_is_audited(firm):
    token_id, secret = create(firm["eli"])
    with write_session() as s:
        api_tokens.revoke_token(s, firm["eli"], token_id)
    assert use(secret) is None
    with read_session() as s:
        actions = [(a.action, a.actor_label, a.entity_id) for a in s.exec(select(AuditLog).where(
            AuditLog.action.like("api_token_%")).order_by(AuditLog.id))]
        listed = api_tokens.tokens_of(s, firm["eli"])
    assert actions == [("api_token_create", "Eli Employee", firm["eli"].member_id),
                       ("api_token_revoke", "Eli Employee", firm["eli"].member_id)]
    assert [t.revoked_at is not None for t in listed] == [True]


def test_only_the_member_or_an_admin_revokes_a_token_and_each_lists_only_their_own(firm):
    token_id, secret = create(firm["eli"])
    with write_session() as s, pytest.raises(PermissionDenied):
        api_tokens.revoke_token(s, firm["zoe"], token_id)
    with read_session() as s:
        assert api_tokens.tokens_of(s, firm["zoe"]) == []
    assert use(secret) is not None
    with write_session() as s:
        api_tokens.revoke_token(s, firm["ann"], token_id)
    assert use(secret) is None
    with read_session() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "api_token_revoke")).one()
        assert row.actor_label == "Ann Admin" and row.entity_id == firm["eli"].member_id


def test_a_deactivated_members_tokens_stop_working(firm):
    _, secret = create(firm["eli"])
    with write_session() as s:
        s.get(TeamMember, firm["eli"].member_id).active = False
    assert use(secret) is None


def test_last_use_is_noted_at_most_once_a_minute(firm):
    token_id, _secret = create(firm["eli"])
    start = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone.utc)
    for seconds in (0, 30, 75):
        with write_session() as s:
            api_tokens.touch_token(s, token_id, now=start + dt.timedelta(seconds=seconds))
        with read_session() as s:
            seen = s.get(ApiToken, token_id).last_used_at
        assert seen == start + dt.timedelta(seconds=0 if seconds < 75 else 75)


def test_a_member_has_at_most_twenty_working_tokens(firm):
    for i in range(api_tokens.MAX_ACTIVE):
        create(firm["eli"], name=f"Script {i}")
    with pytest.raises(InvalidInput, match="Revoke one"):
        create(firm["eli"], name="One more")
