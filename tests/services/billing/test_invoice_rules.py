"""Invoices the rules send and the rules that hear of payments (issue 17): invoice templates kept by admins (refused
while a rule sends them), `send invoice "T" to account` issuing one invoice per rule run even when the event is
delivered twice, its reminders stopping once it is paid, `invoice is paid` firing once when the last of it is paid
and moving the job, unpaid invoices holding the job's stage open, and `account.balance` as the real sum due."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Due, Event, EventStatus, Invoice, InvoiceStatus, InvoiceTemplate, Job, Notification,
                             OutgoingMail, RuleRun, RunStatus, WebhookDelivery, utcnow)
from practice.services import stage_items
from practice.services.automation import compiled, preview, reminder_kinds, rulesets
from practice.services.billing import invoices, templates
from practice.services.errors import Conflict, InvalidInput, PermissionDenied
from practice.services.webhooks import delivery as webhook_delivery, subscriptions as webhook_subscriptions
from practice.services.work import accounts, catalog, jobs
from practice.services.work.board import load_board
from practice.services.work.facts import facts_for
from practice.services.work.pipelines import stages_of
from practice.worker import tasks as worker_tasks
from tests.factories import give_portal_login, make_account, make_contact, make_firm, make_pipeline

STAGES = ("Preparation", "Waiting for payment", "Filed")
PASSWORD = "plum-harbor-lantern"


def hartley_with_a_job(monkeypatch):
    """Hartley Household (June, with a portal login) with a job in a three-stage pipeline; the catalog's "Tax return"
    service at $400; the invoice template "Return fee" (that service and a typed $50 e-filing line, due in 15 days);
    Ann Lee is an employee."""
    with write_session() as s:
        staff = make_firm(s, employees={"ann": "Ann Lee"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=STAGES)
        account = make_account(s, owner, name="Hartley Household")
        june = make_contact(s, owner, [account.id], "June", "Hartley")
        service = catalog.create_service(s, owner, name="Tax return", rate_cents=40000)
        template = templates.save_template(s, owner, name="Return fee", due_days="15", notes="Thank you.",
                                           lines=[{"service_id": service.id},
                                                  {"name": "E-filing", "rate": "50"}],
                                           rules_using=compiled.rules_sending_invoice)
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    give_portal_login(owner, june.id, PASSWORD)
    return {**staff, "account": account.id, "job": job.id, "stages": stage_ids, "template": template.id,
            "service": service.id}


pytestmark = pytest.mark.firm(build=hartley_with_a_job)

RULES = '''
rule "Bill the return"
when job enters stage "Waiting for payment" in pipeline "1040 Return"
then
  send invoice "Return fee" to account with reminders every 3 days up to 2 times
end

rule "File once paid"
when invoice is paid
then
  move job to stage "Filed"
end
'''


def save_rules(firm, text=RULES):
    with write_session() as s:
        return rulesets.save_rules(s, firm["owner"], text)


def move(firm, stage):
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job"], firm["stages"][stage])


def the_invoices() -> list[Invoice]:
    with read_session() as s:
        return list(s.exec(select(Invoice).order_by(Invoice.id)))


def job_stage(firm) -> str:
    with read_session() as s:
        job = s.get(Job, firm["job"])
        return {v: k for k, v in firm["stages"].items()}[job.stage_id]


def board_card(firm):
    with read_session() as s:
        job = s.get(Job, firm["job"])
        cards = [c for col in load_board(s, firm["owner"], job.pipeline_id) for c in col.cards]
    return next(c for c in cards if c.id == firm["job"])


def pay(firm, invoice_id, cents):
    with write_session() as s:
        return invoices.record_payment(s, firm["owner"], invoice_id, amount_cents=cents, method="check")


# --- templates -----------------------------------------------------------------------------------------------


def test_a_template_keeps_its_lines_with_the_catalog_rate_and_its_total(firm):
    with read_session() as s:
        [row] = templates.list_templates(s, firm["owner"])
        kept = s.get(InvoiceTemplate, firm["template"])
    assert (row.name, row.lines, row.total_cents, row.due_days) == ("Return fee", 2, 45000, 15)
    assert kept.lines[0]["name"] == "Tax return" and kept.lines[0]["rate_cents"] == 40000
    assert kept.lines[1] == {"service_id": None, "name": "E-filing", "description": "", "quantity": "1",
                             "rate_cents": 5000, "discount": "", "tax": ""}


def test_templates_are_for_admins_and_bad_input_is_refused_with_a_sentence(firm):
    with write_session() as s:
        with pytest.raises(PermissionDenied):
            templates.save_template(s, firm["ann"], name="Mine", lines=[{"name": "X", "rate": "1"}],
                                    rules_using=compiled.rules_sending_invoice)
        with pytest.raises(Conflict, match='already an invoice template "Return fee"'):
            templates.save_template(s, firm["owner"], name=" return  FEE ", lines=[{"name": "X", "rate": "1"}],
                                    rules_using=compiled.rules_sending_invoice)
        with pytest.raises(InvalidInput, match="Add at least one line"):
            templates.save_template(s, firm["owner"], name="Empty", lines=[{"name": ""}],
                                    rules_using=compiled.rules_sending_invoice)
        with pytest.raises(InvalidInput, match="Due in: a whole number of days"):
            templates.save_template(s, firm["owner"], name="Late", due_days="soon", lines=[{"name": "X", "rate": "1"}],
                                    rules_using=compiled.rules_sending_invoice)
    with read_session() as s:
        assert [t.name for t in templates.list_templates(s, firm["owner"])] == ["Return fee"]


def test_a_template_a_rule_sends_is_neither_renamed_nor_deleted_and_the_rule_is_named(firm):
    save_rules(firm)
    with write_session() as s:
        with pytest.raises(Conflict, match='The rule "Bill the return" sends "Return fee"'):
            templates.delete_template(s, firm["owner"], firm["template"], rules_using=compiled.rules_sending_invoice)
        with pytest.raises(Conflict, match="then rename the invoice template"):
            templates.save_template(s, firm["owner"], template_id=firm["template"], name="Fee",
                                    lines=[{"name": "X", "rate": "1"}], rules_using=compiled.rules_sending_invoice)
    save_rules(firm, RULES.split('rule "File once paid"')[0].replace('"Return fee"', '"Other"')
               .replace('send invoice "Other" to account with reminders every 3 days up to 2 times',
                        'move job to stage "Filed"'))
    with write_session() as s:
        assert templates.delete_template(s, firm["owner"], firm["template"],
                                         rules_using=compiled.rules_sending_invoice) == "Return fee"
    with read_session() as s:
        assert templates.list_templates(s, firm["owner"]) == []


def test_the_rules_refuse_an_unknown_invoice_template_with_did_you_mean(firm):
    with pytest.raises(rulesets.RulesInvalid) as err:
        save_rules(firm, RULES.replace('"Return fee"', '"Retrun fee"'))
    (e,) = err.value.errors
    assert 'no invoice template "Retrun fee"' in e["message"] and '"Return fee"' in e["hint"]


# --- the journey: sent once, reminded, paid, the job moves on ------------------------------------------------


def test_the_rule_sends_one_invoice_even_twice_delivered_and_payment_moves_the_job(firm):
    save_rules(firm)
    move(firm, "Waiting for payment")
    worker_tasks.sweep_once()
    [invoice] = the_invoices()
    assert (invoice.number, invoice.status, invoice.total_cents, invoice.job_id) == (1, InvoiceStatus.sent, 45000,
                                                                                       firm["job"])
    assert invoice.notes == "Thank you." and invoice.due_date == invoice.issue_date + dt.timedelta(days=15)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Bill the return")).one()
        assert run.status == RunStatus.done
        assert run.actions[0]["outcome"] == ("Sent invoice 1 for $450.00 to june@hartley.example, "
                                             "with up to 2 reminders")
        sent = s.exec(select(OutgoingMail).where(OutgoingMail.to_address == "june@hartley.example")).all()
        assert [m.subject.split(" sent you ")[1] for m in sent] == ["invoice 1: $450.00"]
        # What the job waits on: the unpaid invoice is the stage's one item, still open.
        assert stage_items.open_and_total(s, s.get(Job, firm["job"])) == (1, 1)
        assert facts_for(s, account_id=firm["account"])["account"]["balance"] == Decimal("450")

    # The job_moved event delivered again (its 'handled' mark lost): no second invoice, no second email.
    with write_session() as s:
        for ev in s.exec(select(Event).where(Event.kind == "job_moved")):
            ev.status = EventStatus.pending
    worker_tasks.sweep_once()
    assert len(the_invoices()) == 1
    with read_session() as s:
        assert len(s.exec(select(OutgoingMail)).all()) == 1
        assert s.get(Invoice, invoice.id).pdf_document_id is not None

    # A first reminder after 3 days.
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, utcnow() + dt.timedelta(days=3, minutes=1)) == 1
    with read_session() as s:
        reminder = s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("Reminder"))).one()
        assert "invoice 1" in reminder.subject and "$450.00" in reminder.subject

    # The board's card says what the job waits on its client for.
    assert board_card(firm).waiting_words() == "1 unpaid invoice"

    # Part paid: nothing fires, the rest is due.
    pay(firm, invoice.id, 20000)
    worker_tasks.sweep_once()
    assert job_stage(firm) == "Waiting for payment"
    with read_session() as s:
        assert s.exec(select(Event).where(Event.kind == "invoice_paid")).all() == []
        assert facts_for(s, account_id=firm["account"])["account"]["balance"] == Decimal("250")

    # Paid in full: `invoice is paid` fires once, the firm hears, the job moves on.
    pay(firm, invoice.id, 25000)
    worker_tasks.sweep_once()
    assert job_stage(firm) == "Filed"
    with read_session() as s:
        [paid] = s.exec(select(Event).where(Event.kind == "invoice_paid")).all()
        assert paid.payload["invoice_id"] == invoice.id and paid.job_id == firm["job"]
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "File once paid")).one()
        assert run.actions[0]["outcome"] == 'Moved the job to "Filed"'
        assert facts_for(s, account_id=firm["account"])["account"]["balance"] == Decimal("0")
        # The second reminder is not sent: the invoice is paid.
        assert reminder_kinds.send_due_reminders(s, utcnow() + dt.timedelta(days=7)) == 0
        assert s.exec(select(Due).where(Due.kind == "reminder")).one().status == "done"
    assert board_card(firm).waiting_words() == ""


def test_trying_the_rules_on_the_job_says_what_invoice_would_go_and_to_whom(firm):
    with read_session() as s:
        tried = preview.try_on_job(s, firm["owner"], RULES, firm["job"], "job_entered_stage",
                                   stage="Waiting for payment")
    [fired] = [d for d in tried["decisions"] if d["rule"] == "Bill the return"]
    assert fired["actions"][0]["outcome"] == ('Would send an invoice "Return fee" for $450.00, due 15 days after it '
                                              "is sent, to june@hartley.example")
    assert the_invoices() == []


def test_invoice_is_paid_fires_once_even_when_a_payment_is_removed_and_recorded_again(firm):
    with write_session() as s:
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["account"], lines=[{"name": "Advice",
                                                                                           "rate": "100"}])
        invoices.issue(s, firm["owner"], draft.id)
    payment = pay(firm, draft.id, 10000)
    with write_session() as s:
        invoices.remove_payment(s, firm["owner"], payment.id)
    pay(firm, draft.id, 10000)
    with read_session() as s:
        assert len(s.exec(select(Event).where(Event.kind == "invoice_paid")).all()) == 1
        assert s.get(Invoice, draft.id).status == InvoiceStatus.paid


def test_a_webhook_subscribed_to_invoice_is_paid_gets_the_invoice(firm, monkeypatch):
    with write_session() as s:
        webhook_subscriptions.set_allow_private(s, firm["owner"], True)
        webhook_subscriptions.create(s, firm["owner"], url="http://127.0.0.1:9/hook", kinds=["invoice_paid"])
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["account"], lines=[{"name": "Advice",
                                                                                           "rate": "100"}])
        invoices.issue(s, firm["owner"], draft.id)
    pay(firm, draft.id, 10000)
    webhook_delivery.fan_out()  # the worker's fan-out (it may have run already, after the payment's commit)
    with read_session() as s:
        [sent] = s.exec(select(WebhookDelivery)).all()
    assert sent.kind == "invoice_paid" and sent.payload["data"]["invoice_id"] == draft.id


def test_the_account_team_hears_in_inbox_when_an_invoice_is_paid(firm):
    with write_session() as s:
        accounts.add_team_member_to_account(s, firm["owner"], firm["account"], firm["ann"].member_id)
        draft = invoices.save_draft(s, firm["owner"], account_id=firm["account"], lines=[{"name": "Advice",
                                                                                           "rate": "100"}])
        invoices.issue(s, firm["owner"], draft.id)
    with write_session() as s:
        invoices.record_payment(s, firm["owner"], draft.id, amount_cents=10000, method="cash")
    with read_session() as s:
        notes = s.exec(select(Notification).where(Notification.kind == "invoice_paid")).all()
    assert [(n.member_id, n.text) for n in notes] == [
        (firm["ann"].member_id, "Invoice 1 for Hartley Household is paid in full ($100.00).")]


def test_a_void_invoice_holds_no_stage_and_its_reminders_stop(firm):
    save_rules(firm)
    move(firm, "Waiting for payment")
    worker_tasks.sweep_once()
    [invoice] = the_invoices()
    with write_session() as s:
        invoices.void(s, firm["owner"], invoice.id, "Sent by mistake")
        assert stage_items.open_and_total(s, s.get(Job, firm["job"])) == (0, 0)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, utcnow() + dt.timedelta(days=4)) == 0
    assert job_stage(firm) == "Waiting for payment"
