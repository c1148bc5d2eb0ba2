"""Proposals through the services: templates from the catalog, sending (by staff and by a rule, once), the
client's choices and totals, consent and signature, the sealed PDF in the account's documents, the
`proposal_signed` event and its rule, reminders that stop once signed, and who may do what."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Document, Due, Event, Job, Notification, OutgoingMail, Proposal, ProposalStatus,
                             RuleRun, SigningEvent, utcnow)
from practice.services import reminders
from practice.services.automation import compiled, engine, preview, reminder_kinds, rulesets
from practice.services.automation.actions import Target
from practice.services.documents import files as document_files, storage
from practice.services.portal import logins
from practice.services.proposals import client_flow, rendering, sending, templates
from practice.services.work import jobs
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.pipelines import stages_of
from tests.factories import contact_actor, make_firm, make_household, make_pipeline, make_proposal_template

TYPED = {"text": "June Hartley"}
DRAWN = {"strokes": [[[0.1, 0.6], [0.2, 0.3], [0.35, 0.7], [0.6, 0.4]], [[0.7, 0.5], [0.9, 0.5]]]}


def hartley_and_a_proposal_template(monkeypatch):
    """Hartley Household (June; Carla on its team) with a job Bob works on, Other Client with Sam, and a
    template of three services, one optional."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "carla": "Carla Diaz"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=("Engagement", "Signed", "Preparation"))
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",),
                                          team_member_ids=[staff["carla"].member_id])
        other, (sam,) = make_household(s, owner, "Other Client", "Other", ("Sam",))
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 2026")
        jobs.assign_job(s, owner, job.id, [staff["bob"].member_id])
        template = make_proposal_template(
            s, owner, name="Engagement 2027",
            introduction="Dear {{ contact.first_name }},\n\nThank you for choosing {{ firm.name }} for {{ account.name }}.",
            terms="Fees are due within 30 days. {{ job.name | default('') }}",
            lines=[{"service": "Tax return", "rate_cents": 90000, "description": "Federal and state"},
                   {"service": "Bookkeeping", "rate_cents": 25000, "quantity": 12},
                   {"service": "Tax planning", "rate_cents": 30000, "price": "250", "optional": True}])
    return {**staff, "hartley": hartley.id, "other": other.id, "job": job.id,
            "pipeline": pipeline.id, "template": template.id, "june": contact_actor(june.id),
            "sam": contact_actor(sam.id), "june_id": june.id}


pytestmark = pytest.mark.firm(build=hartley_and_a_proposal_template)


def send(firm, **kw):
    with write_session() as s:
        return sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027", **kw).id


def consent_and_sign(who, pid, kind="typed", signature=TYPED):
    with write_session() as s:
        client_flow.give_consent(s, who, pid, ip_address="203.0.113.9", user_agent="PhoneBrowser/1.0")
    with write_session() as s:
        return client_flow.sign(s, who, pid, signature_kind=kind, signature=signature, ip_address="203.0.113.9",
                              user_agent="PhoneBrowser/1.0").status


# --- templates --------------------------------------------------------------------------------------


def test_template_lines_take_the_catalog_rate_unless_priced_and_only_admins_edit(firm):
    with read_session() as s:
        (view,) = templates.list_templates(s, firm["bob"])
    assert [(line.name, line.quantity, line.price_cents, line.optional) for line in view.lines] == [
        ("Tax return", 1, 90000, False), ("Bookkeeping", 12, 25000, False), ("Tax planning", 1, 25000, True)]
    assert view.total_cents == 90000 + 12 * 25000
    with write_session() as s, pytest.raises(PermissionDenied):
        templates.save_template(s, firm["bob"], name="Mine", lines=[{"name": "Advice", "price": "10"}])
    with write_session() as s, pytest.raises(InvalidInput, match="line 1"):
        templates.save_template(s, firm["owner"], name="Broken", introduction="Hi {{ account.name",
                                lines=[{"name": "Advice", "price": "10"}])
    with write_session() as s, pytest.raises(InvalidInput, match="at least one service"):
        templates.save_template(s, firm["owner"], name="Empty", lines=[])
    with write_session() as s, pytest.raises(Conflict):
        templates.save_template(s, firm["owner"], name=" engagement 2027 ", lines=[{"name": "A", "price": "1"}])
    with read_session() as s:
        assert rulesets.catalog_from_db(s).to_dict()["templates"]["proposal"] == ["Engagement 2027"]


def test_preview_renders_offline_with_sample_facts(firm):
    with read_session() as s:
        pdf = rendering.preview_pdf(s, firm["owner"], firm["template"])
    assert pdf.startswith(b"%PDF")
    html = rendering.proposal_html(firm_name="F", account_name="A", name="N", introduction="<img src='http://x/y'>",
                                   terms="", lines=[])
    assert "&lt;img" in html  # the firm's texts are text, never markup (so never fetched)


def test_step_names_are_the_firms_or_the_defaults(firm):
    with read_session() as s:
        assert templates.step_names(s) == {"read": "Read", "choose": "Choose services", "sign": "Sign"}
    with write_session() as s:
        templates.rename_steps(s, firm["owner"], {"read": "Review the letter", "choose": "", "sign": "Accept"})
    with read_session() as s:
        assert templates.step_names(s) == {"read": "Review the letter", "choose": "Choose services", "sign": "Accept"}
    with write_session() as s, pytest.raises(PermissionDenied):
        templates.rename_steps(s, firm["bob"], {"read": "x"})


# --- sending, choosing, totals ----------------------------------------------------------------------


def test_sending_freezes_a_filled_in_copy_and_emails_portal_contacts(firm):
    pid = send(firm, job_id=firm["job"])
    with write_session() as s:  # a later edit of the template does not change what was sent
        templates.save_template(s, firm["owner"], name="Engagement 2027", introduction="Changed",
                                lines=[{"name": "Other", "price": "1"}], template_id=firm["template"])
    with read_session() as s:
        p = s.get(Proposal, pid)
        assert p.introduction.startswith("Dear June,") and "Hartley Household" in p.introduction
        assert p.terms.endswith("1040 2026") and p.total_cents == 390000
        (mail,) = [m for m in s.exec(select(OutgoingMail)) if "proposal" in m.subject]
        assert mail.to_address == "june@hartley.example" and f"/portal/proposals/{pid}" in mail.body
        (view,) = sending.list_for_account(s, firm["owner"], firm["hartley"])
        assert (view.status, view.total_cents, view.job_name) == ("sent", 390000, "1040 2026")


def test_texts_filled_in_before_the_send_are_sent_unless_the_template_changed_meanwhile(firm):
    """The page fills the texts in a read transaction first (the child's seconds hold no write lock); the send uses
    them only if they came from the template as it is now."""
    with read_session() as s:
        filled = sending.fill_in(s, firm["owner"], firm["hartley"], firm["template"], job_id=firm["job"])
    assert filled.introduction.startswith("Dear June,") and filled.terms.endswith("1040 2026")
    with write_session() as s:
        first = sending.send_proposal(s, firm["owner"], firm["hartley"], firm["template"], job_id=firm["job"],
                                      filled=dataclasses.replace(filled, introduction="As filled in before"))
        assert first.introduction == "As filled in before"
    with write_session() as s:
        templates.save_template(s, firm["owner"], name="Engagement 2027", introduction="Changed {{ account.name }}",
                                lines=[{"name": "Other", "price": "1"}], template_id=firm["template"])
    with write_session() as s:
        second = sending.send_proposal(s, firm["owner"], firm["hartley"], firm["template"], job_id=firm["job"],
                                       filled=filled)
        assert second.introduction == "Changed Hartley Household"
    with read_session() as s, pytest.raises(PermissionDenied):  # the same checks as the send, first
        sending.fill_in(s, firm["carla"], firm["other"], firm["template"])


def test_optional_lines_change_the_total_and_required_ones_cannot_be_dropped(firm):
    pid = send(firm)
    with write_session() as s:
        detail = client_flow.open_proposal(s, firm["june"], pid, ip_address="203.0.113.9", user_agent="UA")
        assert detail.total_cents == 390000 and detail.has_optional and detail.needs_consent
        optional = next(line for line in detail.lines if line.optional)
        required = next(line for line in detail.lines if not line.optional)
        assert not optional.chosen
        assert client_flow.choose(s, firm["june"], pid, optional.id, True).total_cents == 415000
    with write_session() as s, pytest.raises(InvalidInput, match="cannot be left out"):
        client_flow.choose(s, firm["june"], pid, required.id, False)
    with write_session() as s:
        assert client_flow.choose(s, firm["june"], pid, optional.id, False).total_cents == 390000
        assert client_flow.choose(s, firm["june"], pid, optional.id, True).total_cents == 415000
    with read_session() as s:
        p = s.get(Proposal, pid)
        assert p.viewed_at is not None and p.total_cents == 415000
        kinds = [e.kind for e in s.exec(select(SigningEvent).where(SigningEvent.proposal_id == pid))]
        assert kinds == ["sent", "viewed"]


def test_another_accounts_contact_staff_and_outsiders_are_refused(firm):
    pid = send(firm)
    with write_session() as s:
        with pytest.raises(NotFound):
            client_flow.open_proposal(s, firm["sam"], pid)
        with pytest.raises(NotFound):
            client_flow.sign(s, firm["sam"], pid, signature_kind="typed", signature={"text": "Sam"})
        with pytest.raises(NotFound):
            client_flow.decline(s, firm["sam"], pid, reason="not mine")
        with pytest.raises(PermissionDenied):
            client_flow.sign(s, firm["owner"], pid, signature_kind="typed", signature={"text": "Olivia"})
        assert client_flow.list_for_contact(s, firm["sam"], firm["other"]) == []
        with pytest.raises(NotFound):
            client_flow.list_for_contact(s, firm["sam"], firm["hartley"])
        with pytest.raises(PermissionDenied):  # Bob works on Hartley's job only
            sending.send_proposal(s, firm["bob"], firm["other"], "Engagement 2027")
        with pytest.raises(PermissionDenied):
            sending.list_for_account(s, firm["bob"], firm["other"])
        with pytest.raises(InvalidInput, match="portal"):  # Other Client's contact was invited; revoke it
            logins.revoke(s, firm["owner"], firm["sam"].contact_id)
            sending.send_proposal(s, firm["owner"], firm["other"], "Engagement 2027")


def test_signing_needs_consent_and_a_real_signature(firm):
    pid = send(firm)
    with write_session() as s, pytest.raises(InvalidInput, match="Agree"):
        client_flow.sign(s, firm["june"], pid, signature_kind="typed", signature=TYPED)
    with write_session() as s:
        client_flow.give_consent(s, firm["june"], pid)
    for kind, sig in (("typed", {"text": "  "}), ("drawn", {"strokes": [[[0.5, 0.5]]]}), ("drawn", {"strokes": "x"}),
                      ("scribble", TYPED)):
        with write_session() as s, pytest.raises(InvalidInput):
            client_flow.sign(s, firm["june"], pid, signature_kind=kind, signature=sig)


# --- signing: the sealed document, the event, the rule -------------------------------------------------


def test_signing_seals_the_pdf_into_the_accounts_documents_and_tells_staff(firm):
    from practice.services.signing import verify

    pid = send(firm, job_id=firm["job"])
    with write_session() as s:
        detail = client_flow.open_proposal(s, firm["june"], pid, ip_address="203.0.113.9", user_agent="UA")
        optional = next(line for line in detail.lines if line.optional)
        client_flow.choose(s, firm["june"], pid, optional.id, True)
    assert consent_and_sign(firm["june"], pid, "drawn", DRAWN) == ProposalStatus.signed
    with read_session() as s:
        p = s.get(Proposal, pid)
        assert p.signer_name == "June Hartley" and p.ip_address == "203.0.113.9" and p.total_cents == 415000
        doc = s.get(Document, p.document_id)
        assert doc.account_id == firm["hartley"] and doc.name == "Engagement 2027 - signed.pdf"
        pdf = storage.path_for(doc.stored_key).read_bytes()
        ev = s.exec(select(Event).where(Event.kind == "proposal_signed")).one()
        assert ev.payload == {"proposal_id": pid, "contact_id": firm["june_id"], "job_id": firm["job"],
                              "document_id": doc.id}
        notes = [n.text for n in s.exec(select(Notification).where(Notification.kind == "client_activity"))]
        assert notes == ['June Hartley (Hartley Household) signed the proposal "Engagement 2027" for $4,150.00']
        kinds = [e.kind for e in s.exec(select(SigningEvent).where(SigningEvent.proposal_id == pid))]
        assert kinds == ["sent", "viewed", "consented", "signed", "sealed"]
        assert [d.name for d in document_files.list_documents(s, firm["june"], firm["hartley"])] == [doc.name]
        facts = engine.event_facts(s, Target(), {"proposal_id": pid})
        assert facts["proposal"]["name"] == "Engagement 2027" and str(facts["proposal"]["total"]) == "4150"
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == p.final_sha256
    report = verify.verify(pdf)
    assert report.intact, report.problems
    assert report.audit is not None
    with write_session() as s, pytest.raises(Conflict):
        client_flow.decline(s, firm["june"], pid, reason="too late")


RULES = '''
rule "Engagement letter"
when job enters stage "Engagement" in pipeline "1040 Return"
then
  send proposal "Engagement 2027" to account with reminders every 2 days up to 2 times
end

rule "Signed, move on"
when proposal is signed
if proposal.total > 1000
then
  move job to next stage
end
'''


def test_the_rule_sends_once_reminds_until_signed_and_the_signature_moves_the_job(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], RULES)
        stages = {st.name: st.id for st in stages_of(s, firm["pipeline"])}
        jobs.move_job(s, firm["owner"], firm["job"], stages["Signed"])
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job"], stages["Engagement"])
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Engagement letter")).all()[-1]
        assert run.status.value == "done", run.actions
        assert run.actions[0]["outcome"] == 'Sent proposal "Engagement 2027" ($3,900.00), with up to 2 reminders'
        (sent,) = s.exec(select(Proposal)).all()
        assert sent.job_id == firm["job"]
        pid = sent.id
        ev = s.exec(select(Event).where(Event.kind == "job_moved")).all()[-1]
    # Retrying the same event's run repeats nothing (the action key finds the proposal).
    with write_session() as s:
        before = len(s.exec(select(Proposal)).all())
        engine.handle_event(s, s.get(Event, ev.id))
        assert len(s.exec(select(Proposal)).all()) == before
    with write_session() as s:
        first = sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027", key="k1")
        again = sending.send_proposal(s, firm["owner"], firm["hartley"], "Engagement 2027", key="k1")
        assert first.id == again.id
        sending.cancel(s, firm["owner"], first.id)
    later = utcnow() + dt.timedelta(days=2, minutes=1)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later) >= 1
    with read_session() as s:
        reminded = [m for m in s.exec(select(OutgoingMail)) if m.subject.startswith("Reminder")]
        assert reminded and all(m.to_address == "june@hartley.example" for m in reminded)
    consent_and_sign(firm["june"], pid)
    with read_session() as s:
        assert s.get(Job, firm["job"]).stage_id == stages["Signed"]
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Signed, move on")).one()
        assert run.status.value == "done", run.actions
    with write_session() as s, pytest.raises(Conflict, match="Engagement letter"):
        templates.delete_template(s, firm["owner"], firm["template"], rules_using=compiled.rules_sending_proposal)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later + dt.timedelta(days=2)) == 0
    with read_session() as s:
        dues = s.exec(select(Due).where(Due.kind == "reminder")).all()
        assert dues and all(d.status == "done" for d in dues)
        assert any("completed" in reminders.told_log(d)[-1] for d in dues)


def test_declining_needs_a_reason_and_tells_the_team(firm):
    pid = send(firm)
    with write_session() as s, pytest.raises(InvalidInput, match="why"):
        client_flow.decline(s, firm["june"], pid, reason=" ")
    with write_session() as s:
        client_flow.decline(s, firm["june"], pid, reason="Too expensive")
    with read_session() as s:
        assert s.get(Proposal, pid).status == ProposalStatus.declined
        notes = [n.text for n in s.exec(select(Notification).where(Notification.member_id == firm["carla"].member_id))]
        assert notes == ['June Hartley (Hartley Household) declined the proposal "Engagement 2027": Too expensive']
        assert client_flow.list_for_contact(s, firm["june"], firm["hartley"]) == []
    with write_session() as s, pytest.raises(Conflict):
        sending.cancel(s, firm["owner"], pid)


def test_try_on_a_job_says_who_would_get_the_proposal(firm):
    with read_session() as s:
        result = preview.try_on_job(s, firm["owner"], RULES, firm["job"], "job_entered_stage")
    (fired,) = [d for d in result["decisions"] if d["fired"]]
    assert fired["actions"][0]["outcome"] == ('Would send proposal "Engagement 2027" to june@hartley.example '
                                              "(a link to the client portal)")


def test_a_french_client_gets_the_proposal_mail_and_signed_pdf_in_french(firm):
    import io

    from pypdf import PdfReader

    from practice.models import Contact

    with write_session() as s:
        s.get(Contact, firm["june_id"]).language = "fr"
    pid = send(firm)
    with read_session() as s:
        mail = s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("proposition"))).one()
    assert mail.subject == "My Firm vous a adressé une proposition à signer : Engagement 2027"
    assert "(3\u202f900,00\xa0$US)" in mail.body  # Babel's French money, not "$3,900.00"
    with write_session() as s:
        client_flow.open_proposal(s, firm["june"], pid, ip_address="203.0.113.9", user_agent="UA")
    consent_and_sign(firm["june"], pid)
    with read_session() as s:
        doc = s.get(Document, s.get(Proposal, pid).document_id)
        pages = PdfReader(io.BytesIO(storage.path_for(doc.stored_key).read_bytes())).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Établie pour Hartley Household" in text and "Prestations" in text and "Montant" in text
    assert "Acceptée et signée électroniquement par" in text and "Signée le" in text
    assert "Piste d'audit de la signature" in text and f"Proposition n° {pid}" in text
    assert "Ouverte par June Hartley" in text and "Prepared for" not in text and "Amount" not in text
