"""A team member who forgot their password: the emailed link (same rules as the portal's), no hint whether an email
is the team's, every session ended on reset, throttling kept, and an audit row for each step."""
import datetime as dt
import re

import pyotp
import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, LoginAttempt, OutgoingMail, StaffToken, StaffTwoFactor, TeamMember, utcnow
from practice.services.access import auth, login_safety, password_reset, two_factor
from practice.services.errors import Conflict, InvalidInput, PermissionDenied
from practice.services.mail import password_reset as reset_email
from tests.factories import make_firm
from tests.factories.firms import PASSWORD

BOB = "bob@parklee.example"
NEW = "quiet-walnut-harbour"


def bob_and_owner(monkeypatch):
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://practice.parklee.example")
    with write_session() as s:
        return make_firm(s, employees={"bob": {"name": "Bob Stone", "email": BOB}})


pytestmark = pytest.mark.firm(build=bob_and_owner)


def forgot(email: str, ip: str = "203.0.113.9") -> str:
    with write_session() as s:
        return reset_email.forgot_password(s, email, ip=ip)


def reset_mails() -> list[OutgoingMail]:
    with read_session() as s:
        return list(s.exec(select(OutgoingMail).where(OutgoingMail.subject.like("Reset your practice password%"))))


def token_in(mail: OutgoingMail) -> str:
    link = re.search(r"(https://\S+/reset-password\?token=([\w-]+))", mail.body)
    assert link and link.group(1).startswith("https://practice.parklee.example/reset-password?token=")
    return link.group(2)


def log_in(password: str) -> str:
    with write_session() as s:
        return auth.log_in(s, BOB, password)[0]


def reset(token: str, password: str = NEW, ip: str = "203.0.113.9") -> str:
    with write_session() as s:
        return password_reset.reset_password(s, token, password, ip=ip)


def still_logged_in(sid: str) -> bool:
    with read_session() as s:
        return auth.actor_for_session(s, sid) is not None


def test_the_answer_is_the_same_for_a_member_and_a_stranger_and_only_the_member_gets_mail(firm):
    assert forgot(BOB.upper() + " ") == forgot("nobody@nowhere.example") == password_reset.FORGOT_SENTENCE
    (mail,) = reset_mails()
    assert mail.to_address == BOB and "Hello Bob" in mail.body and "works once" in mail.body
    with read_session() as s:
        (row,) = s.exec(select(StaffToken)).all()
        # Only the hash is kept: the token in the email is nowhere in the database.
        assert token_in(mail) not in row.token_hash and len(row.token_hash) == 64
        assert "Bob Stone asked for a password reset link" in s.exec(select(AuditLog.summary)).all()


def test_the_link_sets_a_new_password_once_and_ends_every_session(firm):
    first, second = log_in(PASSWORD), log_in(PASSWORD)
    forgot(BOB)
    token = token_in(reset_mails()[0])
    with read_session() as s:
        assert password_reset.email_for_link(s, token) == BOB
    with pytest.raises(InvalidInput, match="most common"):
        reset(token, "password1")
    assert reset(token) == BOB
    assert not still_logged_in(first) and not still_logged_in(second)
    with pytest.raises(PermissionDenied, match="do not match"):
        log_in(PASSWORD)
    assert still_logged_in(log_in(NEW))
    with pytest.raises(Conflict, match="already used"):
        reset(token, "another-quiet-harbour")
    with read_session() as s:
        summaries = s.exec(select(AuditLog.summary).where(AuditLog.action == "password_reset")).all()
    assert summaries == ["Bob Stone chose a new password with an emailed link; 2 open sessions ended"]


def test_a_newer_link_replaces_the_older_and_an_expired_one_is_refused(firm):
    forgot(BOB)
    forgot(BOB)
    older, newer = (token_in(m) for m in reset_mails())
    with pytest.raises(Conflict, match="replaced by a newer one"):
        reset(older)
    with write_session() as s:
        for row in s.exec(select(StaffToken)):
            row.expires_at = utcnow() - dt.timedelta(minutes=1)
    with pytest.raises(InvalidInput, match="expired"):
        reset(newer)


def test_a_member_asking_again_and_again_gets_three_links_an_hour(firm):
    for _ in range(5):
        assert forgot(BOB) == password_reset.FORGOT_SENTENCE
    assert len(reset_mails()) == password_reset.RESETS_PER_HOUR


def test_a_former_member_gets_no_link_and_cannot_use_one(firm):
    forgot(BOB)
    token = token_in(reset_mails()[0])
    with write_session() as s:
        s.exec(select(TeamMember).where(TeamMember.email == BOB)).one().active = False
    forgot(BOB)
    assert len(reset_mails()) == 1
    with pytest.raises(PermissionDenied, match="no longer log in"):
        reset(token)


def test_throttling_holds_bad_links_count_and_a_locked_login_stays_locked(firm):
    # Links that do not work count against the address they come from, like failed logins.
    for _ in range(login_safety.IP_POLICY.slow_after):
        with pytest.raises(InvalidInput, match="not valid"):
            reset("made-up-token", ip="198.51.100.7")
    with pytest.raises(login_safety.TooManyAttempts):
        reset("made-up-token", ip="198.51.100.7")
    with pytest.raises(login_safety.TooManyAttempts):
        forgot(BOB, ip="198.51.100.7")
    # A login locked by guessing is not unlocked by choosing a new password.
    for _ in range(login_safety.PRINCIPAL_POLICY.lock_after):
        with write_session() as s:
            login_safety.record_failure(s, [login_safety.principal_key("staff", BOB)])
    forgot(BOB)
    reset(token_in(reset_mails()[0]))
    with read_session() as s:
        assert s.get(LoginAttempt, login_safety.principal_key("staff", BOB)).locked
    with pytest.raises(login_safety.TooManyAttempts):
        log_in(NEW)


def test_a_new_password_does_not_skip_two_factor_sign_in_nor_finish_a_login_begun_with_the_old_one(firm):
    bob = firm["bob"]
    with write_session() as s:
        two_factor.start_setup(s, bob)
        secret = s.get(StaffTwoFactor, bob.member_id).secret
    with write_session() as s:
        two_factor.confirm_setup(s, bob, pyotp.TOTP(secret).now())
    with write_session() as s:
        begun = auth.start_login(s, BOB, PASSWORD).pending_id
    forgot(BOB)
    reset(token_in(reset_mails()[0]))
    with write_session() as s:
        step = auth.start_login(s, BOB, NEW)
    assert step.sid is None and step.pending_id  # the code is still asked
    with write_session() as s, pytest.raises(PermissionDenied, match="expired"):
        auth.finish_login(s, begun, pyotp.TOTP(secret).now())

