"""Client requests through the services: staff send one (from a template or typed) to a contact or to any address;
the recipient opens the link (a new browser proves the address with the emailed code), answers item by item,
uploads files through the checked upload, and completes it: the team is told, `client request is completed` fires,
and requests count as stage items. Security: a link reaches only its own request's items, a revoked or completed
one reaches nothing, a wrong link is throttled per address, wrong codes are counted."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (AuditLog, ClientRequest, ClientRequestItem, Document, Due, Event, Job, Notification,
                             OutgoingMail, RuleRun, RunStatus)
from practice.services import reminders, stage_items
from practice.services.access.login_safety import TooManyAttempts
from practice.services.automation import reminder_kinds, rulesets
from practice.services.client_requests import answering, links, sending
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from tests.factories import make_firm, make_household, make_pipeline

ITEMS = [{"kind": "file", "label": "1099-INT", "note": "From every bank"},
         {"kind": "file", "label": "Closing statement", "note": ""},
         {"kind": "text", "label": "Loan number", "note": "As on the statement"},
         {"kind": "yes_no", "label": "Is the loan refinanced?", "note": ""}]
DEVICE = "browser-one-0123456789abcdef"
OTHER_DEVICE = "browser-two-0123456789abcdef"


def a_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone"})
        owner = staff["owner"]
        account, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",))
        other, _ = make_household(s, owner, "Osei Household", "Osei", ("Omar",))
        pipeline = make_pipeline(s, owner, name="Mortgage", stages=("Docs", "Review", "Done"))
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="Refinance 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    return {**staff, "account": account.id, "other": other.id, "june": june.id, "job": job.id, "stages": stage_ids}


pytestmark = pytest.mark.firm(build=a_firm)


def send(firm, who="owner", account="account", **kw) -> int:
    kw.setdefault("title", "Refinance documents")
    kw.setdefault("items", ITEMS)
    if "contact_id" not in kw:
        kw.setdefault("email", "broker@lender.example")
    with write_session() as s:
        return sending.send_request(s, firm[who], firm[account], **kw).id


def token_of(request_id: int) -> str:
    """The link's token, read from the email as the recipient would."""
    with read_session() as s:
        mail = s.exec(select(OutgoingMail).where(OutgoingMail.key.endswith(f"|{request_id}|sent"))).one()
    return re.search(r"/request/([A-Za-z0-9_-]+)", mail.body).group(1)


def verify(token: str, device: str = DEVICE) -> None:
    with write_session() as s:
        answering.send_code(s, token, device=device, ip="203.0.113.5")
    with read_session() as s:
        body = s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("code"))
                      .order_by(OutgoingMail.id.desc())).first().body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    with write_session() as s:
        answering.enter_code(s, token, code, device=device, ip="203.0.113.5")


def items(request_id: int) -> list[ClientRequestItem]:
    with read_session() as s:
        return sending.items_of(s, request_id)


def fill(token: str, request_id: int, device: str = DEVICE) -> None:
    its = items(request_id)
    answering.upload_file(token, its[0].id, "1099-int.txt", b"interest 12.00", device=device)
    answering.upload_file(token, its[1].id, "closing.txt", b"closing statement", device=device)
    with write_session() as s:
        answering.answer_text(s, token, its[2].id, "LN-4471", device=device)
        answering.answer_yes_no(s, token, its[3].id, "no", device=device)


def test_sent_to_any_address_the_link_is_emailed_and_only_its_hash_is_kept(firm):
    rid = send(firm, job_id=firm["job"])
    token = token_of(rid)
    with read_session() as s:
        request = s.get(ClientRequest, rid)
        assert request.token_hash == links.digest(token) and token not in request.token_hash
        assert (request.status, request.recipient_email, request.contact_id) == ("open", "broker@lender.example", None)
        mail = s.exec(select(OutgoingMail)).one()
        assert "1099-INT" in mail.body and "Refinance documents" in mail.subject
        assert s.exec(select(AuditLog).where(AuditLog.action == "client_request_send")).one()
        [row] = sending.list_for_job(s, firm["owner"], firm["job"])
        assert (row.answered, row.total, row.status) == (0, 4, "open")


def test_a_template_is_saved_and_sent_and_bad_items_are_refused_with_a_sentence(firm):
    with write_session() as s:
        with pytest.raises(InvalidInput, match="Item 2 needs a name"):
            sending.save_template(s, firm["owner"], name="Broker docs", title="Documents",
                                  items=[{"kind": "file", "label": "W-2"}, {"kind": "text", "note": "no label"}])
        with pytest.raises(PermissionDenied):
            sending.save_template(s, firm["bob"], name="Broker docs", title="Documents", items=ITEMS)
        sending.save_template(s, firm["owner"], name="Broker docs", title="Refinance documents", items=ITEMS)
    rid = send(firm, template="Broker docs", title=None, items=None, contact_id=firm["june"])
    with read_session() as s:
        request = s.get(ClientRequest, rid)
        assert request.recipient_email == "june@hartley.example" and request.contact_id == firm["june"]
    assert [i.label for i in items(rid)] == [i["label"] for i in ITEMS]


def test_a_contact_of_another_account_cannot_be_the_recipient(firm):
    with write_session() as s:
        with pytest.raises(InvalidInput, match="account's contacts"):
            sending.send_request(s, firm["owner"], firm["other"], title="x", items=ITEMS, contact_id=firm["june"])


def test_a_new_device_needs_the_emailed_code_and_sees_nothing_before(firm):
    rid = send(firm)
    token = token_of(rid)
    with write_session() as s:
        view = answering.open_request(s, token, device=DEVICE)
    assert view.needs_code and view.items == [] and view.recipient_email == "b***@lender.example"
    with write_session() as s, pytest.raises(PermissionDenied, match="code"):
        answering.answer_text(s, token, items(rid)[2].id, "LN-1", device=DEVICE)
    verify(token)
    with write_session() as s:
        view = answering.open_request(s, token, device=DEVICE)
        assert not view.needs_code and [i.label for i in view.items][:2] == ["1099-INT", "Closing statement"]
        assert answering.open_request(s, token, device=OTHER_DEVICE).needs_code


def test_wrong_codes_are_counted_and_the_last_try_says_so(firm):
    rid = send(firm)
    token = token_of(rid)
    with write_session() as s:
        answering.send_code(s, token, device=DEVICE)
    for left in (4, 3, 2, 1):
        with write_session() as s, pytest.raises(InvalidInput, match=f"{left} tr"):
            answering.enter_code(s, token, "000000" if left % 2 else "999999", device=DEVICE)
    with write_session() as s, pytest.raises(InvalidInput, match="last try"):
        answering.enter_code(s, token, "111111", device=DEVICE)
    with write_session() as s, pytest.raises(Conflict, match="just sent"):
        answering.send_code(s, token, device=DEVICE)


def test_answers_are_saved_item_by_item_and_a_bad_one_loses_nothing(firm):
    rid = send(firm)
    token = token_of(rid)
    verify(token)
    its = items(rid)
    with write_session() as s:
        answering.answer_text(s, token, its[2].id, "LN-4471", device=DEVICE)
    with write_session() as s, pytest.raises(InvalidInput, match="too long"):
        answering.answer_text(s, token, its[2].id, "x" * 3000, device=DEVICE)
    with write_session() as s, pytest.raises(InvalidInput, match="yes or no"):
        answering.answer_yes_no(s, token, its[3].id, "maybe", device=DEVICE)
    with write_session() as s, pytest.raises(InvalidInput, match="another way"):
        answering.answer_text(s, token, its[0].id, "a file", device=DEVICE)
    doc = answering.upload_file(token, its[0].id, "1099-int.txt", b"interest", device=DEVICE)
    after = items(rid)
    assert after[2].answer_text == "LN-4471" and after[0].document_ids == [doc.id]
    with read_session() as s:
        stored = s.get(Document, doc.id)
        assert stored.account_id == firm["account"] and not stored.shared  # a third party's file stays internal
        row = sending.request_detail(s, firm["owner"], rid)
    assert (row.answered, row.total) == (2, 4) and row.items[0].documents == [(doc.id, "1099-int.txt")]


def test_the_link_reaches_only_its_own_requests_items(firm):
    mine = send(firm)
    theirs = send(firm, account="other", email="old-accountant@cpa.example")
    token = token_of(mine)
    verify(token)
    foreign = items(theirs)
    with write_session() as s:
        for call in (lambda: answering.answer_text(s, token, foreign[2].id, "hijack", device=DEVICE),
                     lambda: answering.answer_yes_no(s, token, foreign[3].id, True, device=DEVICE),
                     lambda: answering.remove_file(s, token, foreign[0].id, 1, device=DEVICE)):
            with pytest.raises(NotFound, match="not part of this request"):
                call()
    with pytest.raises(NotFound, match="not part of this request"):
        answering.upload_file(token, foreign[0].id, "x.txt", b"x", device=DEVICE)
    assert all(not i.answer_text and not i.document_ids for i in items(theirs))
    with write_session() as s:
        view = answering.open_request(s, token, device=DEVICE)
    assert {i.id for i in view.items} == {i.id for i in items(mine)}


def test_a_revoked_link_reaches_nothing_and_a_completed_one_closes(firm):
    rid = send(firm, job_id=firm["job"])
    token = token_of(rid)
    verify(token)
    its = items(rid)
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            sending.revoke(s, firm["bob"], rid)  # Bob is not on the account's team
        sending.revoke(s, firm["owner"], rid)
    with write_session() as s:
        for call in (lambda: answering.open_request(s, token, device=DEVICE),
                     lambda: answering.send_code(s, token, device=DEVICE),
                     lambda: answering.answer_text(s, token, its[2].id, "late", device=DEVICE),
                     lambda: answering.complete(s, token, device=DEVICE)):
            with pytest.raises(NotFound, match="withdrew"):
                call()
    with pytest.raises(NotFound, match="withdrew"):
        answering.upload_file(token, its[0].id, "late.txt", b"late", device=DEVICE)
    second = send(firm)
    token2 = token_of(second)
    verify(token2)
    fill(token2, second)
    with write_session() as s:
        answering.complete(s, token2, device=DEVICE)
    with write_session() as s, pytest.raises(Conflict, match="complete"):
        answering.open_request(s, token2, device=DEVICE)


def test_guessed_links_are_throttled_per_address(firm):
    rid = send(firm)
    token = token_of(rid)
    for _ in range(5):
        with write_session() as s, pytest.raises(NotFound, match="does not open anything"):
            answering.open_request(s, "x" * 43, device=DEVICE, ip="198.51.100.7")
    with write_session() as s, pytest.raises(TooManyAttempts):
        answering.open_request(s, token, device=DEVICE, ip="198.51.100.7")  # even a right one waits now
    with write_session() as s:
        assert answering.open_request(s, token, device=DEVICE, ip="192.0.2.44").needs_code  # another address


def test_completing_needs_every_item_tells_the_team_fires_the_rule_and_moves_the_job(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], '''
rule "Documents in"
when client request is completed
then
  move job to stage "Review"
end
''')
    rid = send(firm, job_id=firm["job"])
    token = token_of(rid)
    verify(token)
    with write_session() as s:
        assert stage_items.open_and_total(s, s.get(Job, firm["job"])) == (1, 1)
    its = items(rid)
    answering.upload_file(token, its[0].id, "1099-int.txt", b"interest", device=DEVICE)
    with write_session() as s, pytest.raises(InvalidInput, match="Still missing: “Closing statement”, “Loan number”"):
        answering.complete(s, token, device=DEVICE)
    fill(token, rid)
    with write_session() as s:
        answering.complete(s, token, device=DEVICE)
    with read_session() as s:
        request = s.get(ClientRequest, rid)
        assert request.status == "completed" and request.completed_at
        event = s.exec(select(Event).where(Event.kind == "client_request_completed")).one()
        assert event.payload["request_id"] == rid and event.job_id == firm["job"]
        assert s.exec(select(Event).where(Event.kind == "stage_items_completed")).one()
        notes = s.exec(select(Notification).where(Notification.kind == "client_activity")).all()
        assert any('completed the request "Refinance documents"' in n.text for n in notes)
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Documents in")).one()
        assert run.status == RunStatus.done
        assert s.get(Job, firm["job"]).stage_id == firm["stages"]["Review"]


def test_reminders_list_only_the_missing_items_and_stop_when_complete(firm):
    rid = send(firm, job_id=firm["job"], remind_every=dt.timedelta(days=3), remind_times=3)
    token = token_of(rid)
    verify(token)
    its = items(rid)
    answering.upload_file(token, its[0].id, "1099-int.txt", b"interest", device=DEVICE)
    answering.upload_file(token, its[1].id, "closing.txt", b"closing", device=DEVICE)
    with write_session() as s:
        answering.answer_text(s, token, its[2].id, "LN-4471", device=DEVICE)
    day3 = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3, minutes=1)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=day3) == 1
    with read_session() as s:
        reminder = s.exec(select(OutgoingMail).where(OutgoingMail.subject.startswith("Reminder"))).one()
    assert "still needs 1 item" in reminder.subject and "Is the loan refinanced?" in reminder.body
    assert "1099-INT" not in reminder.body and f"/request/{token}" in reminder.body
    with write_session() as s:
        answering.answer_yes_no(s, token, its[3].id, True, device=DEVICE)
        answering.complete(s, token, device=DEVICE)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=day3 + dt.timedelta(days=3)) == 0
        assert reminders.told_log(s.exec(select(Due)).one())[-1] == "Stopped: the client completed it."


def test_a_revoked_request_no_longer_holds_up_the_stage(firm):
    rid = send(firm, job_id=firm["job"])
    with write_session() as s:
        assert stage_items.open_and_total(s, s.get(Job, firm["job"])) == (1, 1)
        sending.revoke(s, firm["owner"], rid)
    with write_session() as s:
        assert stage_items.open_and_total(s, s.get(Job, firm["job"])) == (0, 0)
        with pytest.raises(Conflict, match="revoked"):
            sending.revoke(s, firm["owner"], rid)


def test_a_rule_sends_the_template_once_with_reminders_and_completion_fires_the_next_rule(firm):
    with write_session() as s:
        sending.save_template(s, firm["owner"], name="Broker docs", title="Refinance documents", items=ITEMS)
        rulesets.save_rules(s, firm["owner"], '''
rule "Ask the broker"
when job enters stage "Review"
then
  send client request "Broker docs" to account with reminders every 3 days up to 2 times
end

rule "Documents in"
when client request is completed
then
  move job to stage "Done"
end
''')
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job"], firm["stages"]["Review"])
    with read_session() as s:
        [request] = s.exec(select(ClientRequest)).all()
        assert (request.job_id, request.contact_id, request.key is not None) == (firm["job"], firm["june"], True)
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Ask the broker")).one()
        assert run.status == RunStatus.done and "up to 2 reminders" in run.actions[0]["outcome"]
        assert s.exec(select(Due)).one().payload["item_kind"] == "client_request"
    token = token_of(request.id)
    verify(token)
    fill(token, request.id)
    with write_session() as s:
        answering.complete(s, token, device=DEVICE)
    with read_session() as s:
        assert s.exec(select(RuleRun).where(RuleRun.rule_name == "Documents in")).one().status == RunStatus.done
        assert s.get(Job, firm["job"]).stage_id == firm["stages"]["Done"]


def test_the_account_page_lists_every_request_of_the_account_with_its_job_and_progress(firm, monkeypatch):
    """Staff see an account's requests on its page: those of each job (named) and those about no job, newest first,
    with their progress; another account's never; an employee off the account's team is refused."""
    from practice.state.client_requests import ClientRequestsState

    for_job = send(firm, job_id=firm["job"], title="Refinance documents")
    loose = send(firm, title="Last year's return", items=[{"kind": "file", "label": "2025 return"}])
    send(firm, account="other", title="Osei papers")
    with write_session() as s:
        item = sending.items_of(s, for_job)[2]
        item.answer_text = "LN-4471"
    monkeypatch.setattr(ClientRequestsState, "_actor", lambda self: firm["owner"])
    monkeypatch.setattr(ClientRequestsState, "account_id", str(firm["account"]), raising=False)
    state = ClientRequestsState()
    state.load_account()
    assert [(r.id, r.title, r.job, r.progress, r.status) for r in state.cr_items] == [
        (loose, "Last year's return", "", "0 of 1 given", "open"),
        (for_job, "Refinance documents", "Refinance 2026", "1 of 4 given", "open")]
    assert "LN-4471" in [a.answer for a in state.cr_items[1].answers]
    with write_session() as s:  # revoked on the job page: the account page says so on its next look
        sending.revoke(s, firm["owner"], for_job)
    state.tick()
    assert [r.status for r in state.cr_items] == ["open", "revoked"]
    with read_session() as s, pytest.raises(PermissionDenied):
        sending.list_for_account(s, firm["bob"], firm["account"])
