"""The client portal through its services: invitation by email, one-time links, logins that staff can end,
the account switcher, client tasks and the rule they trigger, and one contact never seeing another's data."""
import datetime as dt
import re

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Event, Notification, OutgoingMail, PortalLogin, PortalSession, PortalToken, RuleRun,
                             RunStatus, utcnow)
from practice.services.automation import rulesets
from practice.services.mail.settings import get_settings
from practice.services.portal import client_tasks, logins
from practice.services.work import accounts
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_account, make_contact, make_firm, make_job, make_pipeline

GOOD = "plum-harbor-lantern"


def jones_and_smith_households(monkeypatch):
    """The Jones household (Amy, who is also in Jones Bakery LLC, and Ben) and the Smiths (Sam), a job each;
    Eve works elsewhere. Links in emails point at https://portal.example."""
    monkeypatch.setenv("PRACTICE_BASE_URL", "https://portal.example")
    with write_session() as s:
        staff = make_firm(s, employees={"outsider": "Eve Outside"})
        actor = staff["owner"]
        get_settings(s).host = "smtp.jones.example"  # mail is set up: invitations go by email
        pipeline = make_pipeline(s, actor, name="1040 Return")
        jones = make_account(s, actor, name="Jones Household")
        llc = make_account(s, actor, name="Jones Bakery LLC")
        smith = make_account(s, actor, name="Smith Family")
        amy = make_contact(s, actor, [jones.id, llc.id], "Amy", "Jones")
        ben = make_contact(s, actor, [jones.id], "Ben", "Jones")
        sam = make_contact(s, actor, [smith.id], "Sam", "Smith")
        jones_job = make_job(s, actor, account=jones, pipeline=pipeline, name="1040 2025",
                             due_date=dt.date(2026, 4, 15))
        llc_job = make_job(s, actor, account=llc, pipeline=pipeline, name="1120 2025")
        smith_job = make_job(s, actor, account=smith, pipeline=pipeline, name="Smith 1040")
    return {"actor": actor, "outsider": staff["outsider"], "jones": jones.id, "llc": llc.id, "smith": smith.id,
            "amy": amy.id, "ben": ben.id, "sam": sam.id, "jones_job": jones_job.id, "llc_job": llc_job.id,
            "smith_job": smith_job.id}


pytestmark = pytest.mark.firm(build=jones_and_smith_households)


def invite(firm, contact_id):
    with write_session() as s:
        invitation = logins.invite(s, firm["actor"], contact_id)
        return invitation.mail.id


def link_in(mail_id):
    with read_session() as s:
        body = s.get(OutgoingMail, mail_id).body
    return re.search(r"https://portal\.example/portal/(?:activate|reset)\?token=([\w-]+)", body).group(1)


def activate(token, password=GOOD):
    with write_session() as s:
        return logins.activate(s, token, password)


def log_in(email, password=GOOD):
    with write_session() as s:
        return logins.log_in(s, email, password)


def actor(sid):
    with read_session() as s:
        return logins.actor_for_portal_session(s, sid)


def onboard(firm, contact_id, email):
    activate(link_in(invite(firm, contact_id)))
    return log_in(email)


def test_an_invitation_queues_an_email_with_a_one_time_link(firm):
    mail_id = invite(firm, firm["amy"])
    with read_session() as s:
        queued = s.get(OutgoingMail, mail_id)
        assert queued.to_address == "amy@jones.example" and "invites you" in queued.subject
        assert "Hello Amy" in queued.body and "7 days" in queued.body
        token = link_in(mail_id)
        # Only the hash is stored.
        assert not s.exec(select(PortalToken).where(PortalToken.token_hash == token)).first()
        assert s.exec(select(PortalLogin)).one().status == "invited"
        assert s.exec(select(Event).where(Event.kind == "portal_invitation_sent")).first()


def test_without_mail_set_up_the_invitation_is_recorded_and_its_link_returned_instead_of_sent(firm):
    with write_session() as s:
        get_settings(s).host = ""
    with write_session() as s:
        invitation = logins.invite(s, firm["actor"], firm["amy"])
        assert not invitation.sent and invitation.mail is None
        assert "not sent" in invitation.message and "Amy Jones" in invitation.message
        link = invitation.link
    with read_session() as s:
        assert s.exec(select(OutgoingMail)).first() is None
        assert s.exec(select(Event).where(Event.kind == "portal_invitation_sent")).first() is None
        assert s.exec(select(PortalLogin)).one().status == "invited"
    token = re.search(r"https://portal\.example/portal/activate\?token=([\w-]+)", link).group(1)
    assert activate(token) == "amy@jones.example"
    assert actor(log_in("amy@jones.example")).contact_id == firm["amy"]


def test_with_mail_set_up_the_invitation_says_sent_and_the_link_is_the_emailed_one(firm):
    with write_session() as s:
        invitation = logins.invite(s, firm["actor"], firm["amy"])
        assert invitation.sent and invitation.message.startswith("Invitation sent.")
        assert invitation.link in invitation.mail.body


def test_invitations_need_an_email_a_link_to_an_account_and_a_staff_member_who_sees_it(firm):
    with write_session() as s:
        lone = accounts.create_contact(s, firm["actor"], first_name="No", last_name="Account", email="no@x.example")
        mute = accounts.create_contact(s, firm["actor"], account_ids=[firm["jones"]], first_name="No", last_name="Mail")
    with pytest.raises(InvalidInput, match="Link this contact"):
        invite(firm, lone.id)
    with pytest.raises(InvalidInput, match="no email address"):
        invite(firm, mute.id)
    with pytest.raises(PermissionDenied):
        invite({"actor": firm["outsider"]}, firm["amy"])


def test_activation_link_works_once_and_refuses_weak_passwords_first(firm):
    token = link_in(invite(firm, firm["amy"]))
    with pytest.raises(InvalidInput, match="at least 8"):
        activate(token, "short")
    with pytest.raises(InvalidInput, match="most common"):
        activate(token, "password123")
    with pytest.raises(InvalidInput, match="email address"):
        activate(token, "amy-likes-cake")
    assert activate(token) == "amy@jones.example"  # the refusals left the link usable
    with pytest.raises(Conflict, match="already used"):
        activate(token, "another-good-one-42")
    assert actor(log_in("amy@jones.example")).contact_id == firm["amy"]


def test_an_expired_activation_link_is_refused_with_a_sentence(firm):
    token = link_in(invite(firm, firm["amy"]))
    with write_session() as s:
        s.exec(select(PortalToken)).one().expires_at = utcnow() - dt.timedelta(seconds=1)
    with pytest.raises(InvalidInput, match="expired .*7 days.*new invitation"):
        activate(token)


def test_a_new_invitation_replaces_the_old_link(firm):
    first = link_in(invite(firm, firm["amy"]))
    second = link_in(invite(firm, firm["amy"]))
    with pytest.raises(Conflict):
        activate(first)
    activate(second)
    with pytest.raises(Conflict, match="already has portal access"):
        invite(firm, firm["amy"])


def test_the_shipped_list_holds_ten_thousand_common_passwords():
    common = logins.common_passwords()
    assert len(common) >= 10_000 and {"password", "qwerty123", "iloveyou"} <= common


def test_each_login_is_a_new_session_and_wrong_passwords_get_one_sentence(firm):
    onboard(firm, firm["amy"], "amy@jones.example")
    a, b = log_in("amy@jones.example"), log_in("AMY@jones.example ")
    assert a != b and actor(a) and actor(b)
    for email, password in (("amy@jones.example", "wrong-password"), ("nobody@x.example", GOOD)):
        with pytest.raises(PermissionDenied) as err:
            log_in(email, password)
        assert str(err.value) == logins.BAD_LOGIN


def test_repeated_failures_lock_the_email_for_a_while(firm):
    onboard(firm, firm["amy"], "amy@jones.example")
    # The shared login-safety rules: after a few failures the email must wait, whatever the password.
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            log_in("amy@jones.example", "wrong-password")
    with pytest.raises(PermissionDenied, match="Too many attempts"):
        log_in("amy@jones.example")


def test_revoking_ends_every_session_at_once(firm):
    a = onboard(firm, firm["amy"], "amy@jones.example")
    b = log_in("amy@jones.example")
    with write_session() as s:
        logins.revoke(s, firm["actor"], firm["amy"])
    assert actor(a) is None and actor(b) is None
    with pytest.raises(PermissionDenied):
        log_in("amy@jones.example")
    with read_session() as s:
        assert all(r.ended_at for r in s.exec(select(PortalSession)))
        assert logins.status_of_contacts(s, firm["actor"], [firm["amy"], firm["ben"]]) == {firm["amy"]: "revoked"}
    # Access can be given again; a new password is chosen.
    activate(link_in(invite(firm, firm["amy"])), "a-brand-new-secret")
    assert actor(log_in("amy@jones.example", "a-brand-new-secret"))


def test_forgot_password_says_the_same_and_the_reset_link_works_once(firm):
    old = onboard(firm, firm["amy"], "amy@jones.example")
    with write_session() as s:
        known = logins.forgot_password(s, "amy@jones.example")
        unknown = logins.forgot_password(s, "stranger@x.example")
    assert known == unknown == logins.FORGOT_SENTENCE
    with read_session() as s:
        reset_mail = s.exec(select(OutgoingMail).where(OutgoingMail.subject.like("Reset%"))).one()
        assert reset_mail.to_address == "amy@jones.example"
    token = link_in(reset_mail.id)
    with write_session() as s:
        with pytest.raises(InvalidInput, match="most common"):
            logins.reset(s, token, "sunshine1")
    with write_session() as s:
        logins.reset(s, token, "new-quiet-meadow")
    assert actor(old) is None  # a new password ends the old sessions
    with write_session() as s, pytest.raises(Conflict):
        logins.reset(s, token, "yet-another-meadow")
    assert actor(log_in("amy@jones.example", "new-quiet-meadow"))


def test_an_expired_reset_link_is_refused(firm):
    onboard(firm, firm["amy"], "amy@jones.example")
    with write_session() as s:
        logins.forgot_password(s, "amy@jones.example")
        mail_id = s.exec(select(OutgoingMail.id).where(OutgoingMail.subject.like("Reset%"))).one()
        for t in s.exec(select(PortalToken).where(PortalToken.kind == "reset")):
            t.expires_at = utcnow() - dt.timedelta(minutes=1)
    with write_session() as s, pytest.raises(InvalidInput, match="expired"):
        logins.reset(s, link_in(mail_id), "new-quiet-meadow")


def test_the_switcher_offers_only_linked_accounts(firm):
    sid = onboard(firm, firm["amy"], "amy@jones.example")
    me = actor(sid)
    with read_session() as s:
        assert [n for _, n in logins.accounts_of_contact(s, me)] == ["Jones Bakery LLC", "Jones Household"]
    with write_session() as s:
        assert logins.switch_account(s, sid, firm["jones"]).current_account_id == firm["jones"]
    assert actor(sid).current_account_id == firm["jones"]
    with write_session() as s, pytest.raises(PermissionDenied):
        logins.switch_account(s, sid, firm["smith"])
    # Unlinking an account takes it out of the portal at once.
    with write_session() as s:
        accounts.link_contact(s, firm["actor"], firm["jones"], firm["amy"], False)
    assert actor(sid).account_ids == (firm["llc"],) and actor(sid).current_account_id == firm["llc"]


def add_task(firm, job, title):
    with write_session() as s:
        return client_tasks.create_client_task(s, firm["actor"], firm[job], title=title).id


def test_the_last_client_task_done_fires_the_rule_once(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["actor"], '''
rule "Checklist done"
when client tasks are completed
then
  notify "Olivia Park" "{{ contact.first_name }} finished the checklist for {{ job.name }}"
end
''')
    w2, id_ = add_task(firm, "jones_job", "Upload your W-2"), add_task(firm, "jones_job", "Upload your ID")
    me = actor(onboard(firm, firm["amy"], "amy@jones.example"))
    with write_session() as s:
        me = logins.switch_account(s, log_in("amy@jones.example"), firm["jones"])
    with write_session() as s:
        client_tasks.complete_client_task(s, me, w2)
    with read_session() as s:
        assert not s.exec(select(Event).where(Event.kind == "client_tasks_completed")).first()
        assert [t.title for t in client_tasks.client_tasks_for_contact(s, me, open_only=True)] == ["Upload your ID"]
    with write_session() as s:
        client_tasks.complete_client_task(s, me, id_)
        client_tasks.complete_client_task(s, me, id_)  # a second tick changes nothing
    with read_session() as s:
        (ev,) = s.exec(select(Event).where(Event.kind == "client_tasks_completed")).all()
        assert ev.status == "handled" and ev.payload["contact_id"] == firm["amy"]
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Checklist done")).one()
        assert run.status == RunStatus.done and run.job_id == firm["jones_job"]
        assert s.exec(select(Notification).where(Notification.kind == "notify")).one().text == "Amy finished the checklist for 1040 2025"
        done = client_tasks.client_tasks_of_job(s, firm["actor"], firm["jones_job"])
        assert {t.done_by for t in done} == {"Amy Jones"}
        jobs = client_tasks.jobs_for_contact(s, me)
        assert [(j.name, j.open_tasks) for j in jobs] == [("1040 2025", 0)]
    with write_session() as s:
        client_tasks.reopen_client_task(s, firm["actor"], w2)
    with read_session() as s:
        assert [t.title for t in client_tasks.client_tasks_for_contact(s, me, open_only=True)] == ["Upload your W-2"]


def test_a_contact_never_reaches_another_accounts_data(firm):
    jones_task = add_task(firm, "jones_job", "Upload your W-2")
    llc_task = add_task(firm, "llc_job", "Send the bank statements")
    smith_task = add_task(firm, "smith_job", "Sign the engagement letter")
    ben = actor(onboard(firm, firm["ben"], "ben@jones.example"))      # Jones Household only
    sam = actor(onboard(firm, firm["sam"], "sam@smith.example"))      # Smith Family only
    amy = actor(onboard(firm, firm["amy"], "amy@jones.example"))      # Jones Household and the LLC
    with read_session() as s:
        assert [t.id for t in client_tasks.client_tasks_for_contact(s, ben)] == [jones_task]
        assert [t.id for t in client_tasks.client_tasks_for_contact(s, sam)] == [smith_task]
        assert [t.id for t in client_tasks.client_tasks_for_contact(s, amy, account_id=firm["jones"])] == [jones_task]
        assert [t.id for t in client_tasks.client_tasks_for_contact(s, amy, account_id=firm["llc"])] == [llc_task]
        assert [j.name for j in client_tasks.jobs_for_contact(s, sam)] == ["Smith 1040"]
        for who, account in ((ben, "smith"), (ben, "llc"), (sam, "jones"), (amy, "smith")):
            with pytest.raises(PermissionDenied):
                client_tasks.client_tasks_for_contact(s, who, account_id=firm[account])
            with pytest.raises(PermissionDenied):
                client_tasks.jobs_for_contact(s, who, account_id=firm[account])
        assert [n for _, n in logins.accounts_of_contact(s, sam)] == ["Smith Family"]
    for who, task in ((ben, smith_task), (ben, llc_task), (sam, jones_task), (amy, smith_task)):
        with write_session() as s, pytest.raises(NotFound):
            client_tasks.complete_client_task(s, who, task)
        with write_session() as s, pytest.raises(NotFound):
            client_tasks.reopen_client_task(s, who, task)
    # Staff-only services refuse a contact outright.
    with write_session() as s:
        for call in (lambda: client_tasks.create_client_task(s, amy, firm["jones_job"], title="x"),
                     lambda: client_tasks.client_tasks_of_job(s, amy, firm["jones_job"]),
                     lambda: client_tasks.delete_client_task(s, amy, jones_task)):
            with pytest.raises(PermissionDenied):
                call()
    # And a staff member who does not see the account cannot add to its checklist.
    with write_session() as s, pytest.raises(PermissionDenied):
        client_tasks.create_client_task(s, firm["outsider"], firm["jones_job"], title="Upload")
