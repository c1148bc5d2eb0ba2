"""The rules' `send webhook "URL"` as a receiver meets it: a real HTTP server on 127.0.0.1 checks each request's
signature with the standardwebhooks package. A job moved into the stage sends the rule's webhook once, signed with
the secret shown on the webhooks page; handling the event again, or the worker's next rounds, send nothing more; a
receiver that was down gets it once when it is back. An address the firm does not allow is refused when the rules
are saved, with the sentence the webhook settings would give."""
import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, RuleRun, RunStatus, WebhookDelivery, WebhookSubscription
from practice.services.automation import engine, rulesets
from practice.services.webhooks import delivery, subscriptions
from practice.services.work import jobs
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_pipeline
from tests.services.webhooks.test_webhooks import Receiver

STAGES = ("Preparation", "Review", "Filed")


def a_job_in_preparation(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, admins={"ann": "Ann Admin"})
        actor = staff["owner"]
        pipeline = make_pipeline(s, actor, name="1040 Return", stages=STAGES)
        account = make_account(s, actor)
        job = jobs.create_job(s, actor, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    return dict(staff, job_id=job.id, account_id=account.id, stages=stage_ids)


pytestmark = pytest.mark.firm(build=a_job_in_preparation)


def rule_to(url):
    return f'rule "Tell the books app"\nwhen job enters stage "Review"\nthen\n  send webhook "{url}"\nend\n'


@pytest.fixture
def receiver(firm, monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF", [delivery.dt.timedelta(0)] * 6)
    r = Receiver()
    with write_session() as s:
        subscriptions.set_allow_private(s, firm["owner"], True)
        _version, told = rulesets.save_rules(s, firm["owner"], rule_to(r.url))
    assert told == [f'The rules now send webhooks to {r.url}. Its receiver needs the signing secret: make it with '
                    '"New secret" on Settings → Webhooks.']
    with write_session() as s:  # saved again, nothing new to tell
        assert rulesets.save_rules(s, firm["owner"], rule_to(r.url) + "\n")[1] == []
    with read_session() as s:  # the secret is on the webhooks page as soon as the rules are saved
        (sub,) = s.exec(select(WebhookSubscription)).all()
    assert sub.from_rules and sub.url == r.url and sub.kinds == []
    r.secret, r.sub_id = sub.secret, sub.id
    yield r
    r.stop()


def move(firm, stage):
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job_id"], firm["stages"][stage])


def rows():
    with read_session() as s:
        return list(s.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_stage_move_sends_the_rules_webhook_once_signed(firm, receiver):
    receiver.start()
    move(firm, "Review")
    assert receiver.bad == 0 and len(receiver.seen) == 1
    webhook_id, payload = receiver.seen[0]
    assert payload["type"] == "job_moved"
    assert payload["data"]["rule"] == "Tell the books app"
    assert payload["data"]["job_id"] == firm["job_id"] and payload["data"]["account_id"] == firm["account_id"]
    (row,) = rows()
    assert row.key == webhook_id and row.status.value == "delivered" and row.attempts == 1
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Tell the books app")).one()
        moved = s.exec(select(Event.id).where(Event.kind == "job_moved")).all()
    assert run.status == RunStatus.done and f"Queued a webhook to {receiver.url}" in run.actions[0]["outcome"]
    engine.handle_events(list(moved))  # the same event handled again (a retry, a restart): nothing more
    for _ in range(3):
        delivery.deliver_due()
    assert len(receiver.seen) == 1 and len(rows()) == 1
    move(firm, "Filed")  # leaving the stage does not fire it
    move(firm, "Review")  # entering again is a new event: a new webhook, with its own id
    assert len(receiver.seen) == 2 and len(set(receiver.ids())) == 2 and receiver.bad == 0


def test_a_receiver_that_was_down_gets_it_once_when_back(firm, receiver):
    move(firm, "Review")  # the receiver is down: the try fails and the delivery waits
    (row,) = rows()
    assert row.status.value == "queued" and "could not be reached" in row.last_answer
    receiver.start()
    for _ in range(5):
        delivery.deliver_due()
    assert receiver.ids() == [row.key] and receiver.bad == 0
    assert rows()[0].status.value == "delivered"


def test_an_address_the_firm_does_not_allow_is_refused_when_saving(firm):
    with write_session() as s:
        with pytest.raises(rulesets.RulesInvalid) as err:
            rulesets.save_rules(s, firm["owner"], rule_to("http://127.0.0.1:9/hooks"))
    (e,) = err.value.errors
    assert (e["line"], e["column"]) == (4, 16) and "https://" in e["message"]
    with write_session() as s:
        with pytest.raises(rulesets.RulesInvalid) as err:
            rulesets.save_rules(s, firm["owner"], rule_to("https://10.0.0.7/hooks"))
    assert "private network" in err.value.errors[0]["message"]
    with read_session() as s:
        assert s.exec(select(WebhookSubscription)).all() == [] and rulesets.current_ruleset(s) is None


def test_a_paused_address_is_not_sent_to_and_the_run_log_says_so(firm, receiver):
    receiver.start()
    with write_session() as s:
        subscriptions.update(s, firm["owner"], receiver.sub_id, enabled=False)
    move(firm, "Review")
    assert receiver.seen == [] and rows() == []
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Tell the books app")).one()
    assert run.status == RunStatus.done
    assert run.actions[0]["outcome"] == f"Webhook to {receiver.url} not sent: it is paused on the webhooks page"
