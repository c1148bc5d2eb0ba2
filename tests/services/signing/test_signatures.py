"""Signature requests through the services: who may ask and sign, the order, consent, the email code (to a
real SMTP server), declining, cancelling, sealing the result, the events and rules, reminders, page images."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Document, Due, Event, Job, Notification, OutgoingMail, RuleRun,
                             SignatureField, SignatureRequest, Signer, SigningEvent, utcnow)
from practice.services import reminders
from practice.services.mail import outbox, settings as mail_settings
from practice.services.automation import actions, reminder_kinds, rulesets
from practice.services.documents import doc_templates, files as document_files, folders as document_folders
from practice.services.actor import ContactActor
from practice.services.signing import consent, pages, requests, signer_flow, verify
from practice.services.work import jobs
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.pipelines import stages_of
from tests.factories import blank_pdf, contact_actor, make_contact, make_firm, make_household, make_pipeline
from tests.smtp import SMTPServer

UA = "Mozilla/5.0 (iPhone) test"


def hartley_household_with_files(monkeypatch):
    """Hartley Household (June, Jim and No Login, who has none) with a job Bob works on and a two-page PDF to
    sign; Other Client with Sam; Dave works elsewhere."""
    with write_session() as s:
        staff = make_firm(s, employees={"bob": "Bob Stone", "dave": "Dave Outside"})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return")
        hartley, (june, jim) = make_household(s, owner, "Hartley Household", "Hartley", ("June", "Jim"))
        other, (sam,) = make_household(s, owner, "Other Client", "Other", ("Sam",))
        nolog = make_contact(s, owner, [hartley.id], "No", "Login", email="nolog@hartley.example")
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 2026")
        jobs.assign_job(s, owner, job.id, [staff["bob"].member_id])
        folder = document_folders.create_folder(s, owner, hartley.id, "To sign")
    doc = document_files.upload(owner, hartley.id, folder.id, "8879.pdf", blank_pdf(2))
    text = document_files.upload(owner, hartley.id, folder.id, "notes.txt", b"just text")
    other_doc = document_files.upload(owner, other.id, None, "other.pdf", blank_pdf(2))
    who = {n: contact_actor(c.id) for n, c in (("june", june), ("jim", jim), ("sam", sam), ("nolog", nolog))}
    return {**staff, "hartley": hartley.id, "other": other.id, "job": job.id,
            "folder": folder.id, "doc": doc.id, "text": text.id, "other_doc": other_doc.id,
            "june_id": june.id, "jim_id": jim.id, "sam_id": sam.id, "nolog_id": nolog.id, **who}


pytestmark = pytest.mark.firm(build=hartley_household_with_files)


def make_request(firm, *, signers=("june_id", "jim_id"), in_order=True, code=False, code_for=None, send=True,
                 fields=None):
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["hartley"], title="Form 8879",
                                        signer_contact_ids=[firm[k] for k in signers], document_id=firm["doc"],
                                        in_order=in_order, require_email_code=code, job_id=firm["job"],
                                        email_code_contact_ids=None if code_for is None
                                        else [firm[k] for k in code_for])
        rows = s.exec(select(Signer).where(Signer.request_id == req.id).order_by(Signer.position)).all()
        if fields is None:
            fields = []
            for i, signer in enumerate(rows):
                fields += [{"signer_id": signer.id, "kind": "signature", "page": 1, "x": 0.1, "y": 0.7 + i * 0.1,
                            "width": 0.3, "height": 0.05},
                           {"signer_id": signer.id, "kind": "date", "page": 1, "x": 0.6, "y": 0.7 + i * 0.1,
                            "width": 0.2, "height": 0.03}]
        requests.set_fields(s, firm["owner"], req.id, fields)
        if send:
            requests.send(s, firm["owner"], req.id)
        return req.id


def agree(who, req_id):
    with write_session() as s:
        signer_flow.open_for_signing(s, who, req_id, ip_address="203.0.113.5", user_agent=UA)
        signer_flow.give_consent(s, who, req_id, ip_address="203.0.113.5", user_agent=UA)


def do_sign(who, req_id, **kw):
    kw.setdefault("signature_kind", "typed")
    kw.setdefault("signature", {"text": who.name})
    with write_session() as s:
        return signer_flow.sign(s, who, req_id, ip_address="203.0.113.5", user_agent=UA, **kw).status.value



def sign_mails():
    """Mail about signatures (the portal invitations of the fixture left out), oldest first."""
    with read_session() as s:
        return [m for m in s.exec(select(OutgoingMail).order_by(OutgoingMail.id)) if "sign" in m.subject.lower()]


def staff_notes(member):
    with read_session() as s:
        return [n.text for n in s.exec(select(Notification).where(Notification.member_id == member.member_id,
                                                                  Notification.kind == "client_activity"))]


def events_of(kind):
    with read_session() as s:
        return s.exec(select(Event).where(Event.kind == kind).order_by(Event.id)).all()


def signing_kinds(req_id):
    with read_session() as s:
        return [e.kind for e in s.exec(select(SigningEvent).where(SigningEvent.request_id == req_id)
                                       .order_by(SigningEvent.id))]


@pytest.fixture
def sealer():
    return verify


# --- who may do what ------------------------------------------------------------------------------------


def test_only_staff_who_see_the_account_make_send_and_cancel_requests(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        requests.create_request(s, firm["dave"], firm["hartley"], title="X", signer_contact_ids=[firm["june_id"]],
                                  document_id=firm["doc"])
    with write_session() as s, pytest.raises(PermissionDenied):
        requests.create_request(s, firm["june"], firm["hartley"], title="X", signer_contact_ids=[firm["june_id"]],
                                  document_id=firm["doc"])
    req = make_request(firm, send=False)
    with write_session() as s, pytest.raises(PermissionDenied):
        requests.send(s, firm["dave"], req)
    with write_session() as s, pytest.raises(PermissionDenied):
        requests.cancel(s, firm["dave"], req)
    with read_session() as s, pytest.raises(PermissionDenied):
        requests.request_detail(s, firm["dave"], req)
    with read_session() as s:  # the job's assignee sees the account through the job
        assert requests.request_detail(s, firm["bob"], req).request.title == "Form 8879"
        assert [v.id for v in requests.list_for_account(s, firm["bob"], firm["hartley"])] == [req]


def test_signers_must_be_portal_contacts_of_the_account_and_the_file_a_pdf_of_it(firm):
    def create(**kw):
        args = {"title": "X", "signer_contact_ids": [firm["june_id"]], "document_id": firm["doc"]} | kw
        with write_session() as s:
            return requests.create_request(s, firm["owner"], firm["hartley"], **args)

    with pytest.raises(InvalidInput, match="no portal access"):
        create(signer_contact_ids=[firm["nolog_id"]])
    with pytest.raises(InvalidInput, match="contact of this account"):
        create(signer_contact_ids=[firm["sam_id"]])
    with pytest.raises(InvalidInput, match="not a PDF"):
        create(document_id=firm["text"])
    with pytest.raises(NotFound):
        create(document_id=firm["other_doc"])
    with pytest.raises(InvalidInput, match="at least one"):
        create(signer_contact_ids=[])
    with pytest.raises(InvalidInput, match="title"):
        create(title="  ")
    with pytest.raises(InvalidInput, match="either"):
        create(document_id=None)


def test_another_clients_contact_a_non_signer_and_staff_cannot_sign(firm):
    req = make_request(firm, signers=("june_id",))
    for who, error in ((firm["sam"], NotFound), (firm["jim"], NotFound), (firm["owner"], PermissionDenied)):
        with write_session() as s, pytest.raises(error):
            signer_flow.open_for_signing(s, who, req)
        with write_session() as s, pytest.raises(error):
            signer_flow.sign(s, who, req, signature_kind="typed", signature={"text": "X"})
        with read_session() as s, pytest.raises(error):
            pages.page_png(s, who, req, 0) if who is not firm["owner"] else signer_flow.list_for_contact(s, who)
    forged = ContactActor(firm["sam_id"], "Sam", frozenset({firm["hartley"]}))
    with write_session() as s, pytest.raises(NotFound):  # claims the account, is not linked to it
        signer_flow.open_for_signing(s, forged, req)
    with read_session() as s:
        assert signer_flow.list_for_contact(s, firm["sam"]) == []
        assert signer_flow.list_for_contact(s, firm["jim"]) == []
        (view,) = signer_flow.list_for_contact(s, firm["june"])
        assert view.my_turn and view.id == req


def test_a_draft_is_invisible_to_signers_and_fields_are_checked(firm):
    req = make_request(firm, send=False, fields=[])
    with write_session() as s, pytest.raises(NotFound):
        signer_flow.open_for_signing(s, firm["june"], req)
    with read_session() as s:
        june_signer, jim_signer = s.exec(select(Signer.id).where(Signer.request_id == req).order_by(Signer.position)).all()
    good = {"signer_id": june_signer, "kind": "signature", "page": 0, "x": 0.1, "y": 0.1, "width": 0.3, "height": 0.05}
    for bad, words in (({"page": 2}, "has 2 pages"), ({"x": float("inf")}, "no valid position"),
                       ({"kind": "stamp"}, "signature, initials"), ({"signer_id": 999}, "does not sign"),
                       ({"width": "wide"}, "position")):
        with write_session() as s, pytest.raises(InvalidInput, match=words):
            requests.set_fields(s, firm["owner"], req, [good | bad])
    with write_session() as s, pytest.raises(InvalidInput, match="at most 200"):
        requests.set_fields(s, firm["owner"], req, [good] * 201)
    with write_session() as s:
        requests.set_fields(s, firm["owner"], req, [good])
    with write_session() as s, pytest.raises(InvalidInput, match="signature field for Jim Hartley"):
        requests.send(s, firm["owner"], req)
    with write_session() as s:
        requests.set_fields(s, firm["owner"], req, [good, good | {"signer_id": jim_signer, "y": 0.3}])
        requests.send(s, firm["owner"], req)
    with write_session() as s, pytest.raises(Conflict):
        requests.set_fields(s, firm["owner"], req, [good])


# --- signing --------------------------------------------------------------------------------------------


def test_in_order_only_the_first_unsigned_signer_may_sign_and_the_next_is_emailed(firm):
    req = make_request(firm)
    (first,) = sign_mails()
    assert first.to_address == "june@hartley.example" and f"/portal/sign/{req}" in first.body
    agree(firm["jim"], req)  # a later signer may read and consent, not sign yet
    with pytest.raises(Conflict, match="not your turn yet: June Hartley signs first"):
        do_sign(firm["jim"], req)
    agree(firm["june"], req)
    assert do_sign(firm["june"], req, signature_kind="drawn",
                   signature={"strokes": [[[0.1, 0.5], [0.5, 0.2], [0.9, 0.6]]]}) == "sent"
    assert [m.to_address for m in sign_mails()] == ["june@hartley.example", "jim@hartley.example"]
    with read_session() as s:
        june = s.exec(select(Signer).where(Signer.contact_id == firm["june_id"])).one()
        assert june.status.value == "signed" and june.identity_check == "portal password"
        assert june.ip_address == "203.0.113.5" and june.user_agent == UA and june.login == "june@hartley.example"
        assert june.consented_at is not None and june.viewed_at is not None
        dates = s.exec(select(SignatureField).where(SignatureField.signer_id == june.id,
                                                    SignatureField.kind == "date")).all()
        assert dates[0].value and str(utcnow().year) in dates[0].value
        view = signer_flow.list_for_contact(s, firm["jim"])[0]
        assert view.my_turn and view.waiting_for == ["Jim Hartley"]
    with pytest.raises(Conflict, match="already signed"):
        do_sign(firm["june"], req)
    assert [e.payload["contact_id"] for e in events_of("signature_signed")] == [firm["june_id"]]
    assert staff_notes(firm["bob"]) == ['June Hartley (Hartley Household) signed "Form 8879"']


def test_without_order_everyone_may_sign_at_once(firm):
    req = make_request(firm, in_order=False)
    assert sorted(m.to_address for m in sign_mails()) == ["jim@hartley.example", "june@hartley.example"]
    agree(firm["jim"], req)
    assert do_sign(firm["jim"], req) == "sent"


def test_consent_is_required_before_the_first_signature_and_kept_for_the_next(firm):
    req = make_request(firm, signers=("june_id",))
    with write_session() as s:
        view = signer_flow.open_for_signing(s, firm["june"], req, ip_address="203.0.113.5", user_agent=UA)
        assert view.needs_consent and "electronically" in view.disclosure and view.my_turn
        assert [f.kind for f in view.my_fields] == ["signature", "date"] and view.page_count == 2
    with pytest.raises(InvalidInput, match="Agree"):
        do_sign(firm["june"], req)
    agree(firm["june"], req)
    with read_session() as s:
        row = consent.current_consent(s, firm["june_id"], consent.disclosure_text(s, "My Firm"))
        assert row is not None and row.ip_address == "203.0.113.5"
    req2 = make_request(firm, signers=("june_id",))
    with write_session() as s:
        assert not signer_flow.open_for_signing(s, firm["june"], req2).needs_consent
    assert signing_kinds(req)[:4] == ["created", "sent", "viewed", "consented"]


def test_bad_signatures_are_refused_with_a_sentence(firm):
    req = make_request(firm, signers=("june_id",))
    agree(firm["june"], req)
    for kind, sig, words in (("typed", {"text": "  "}, "Type your name"), ("drawn", {"strokes": []}, "Draw"),
                             ("drawn", {"strokes": [[["a", 1]]]}, "could not be read"), ("ink", {}, "Draw or type")):
        with pytest.raises(InvalidInput, match=words):
            do_sign(firm["june"], req, signature_kind=kind, signature=sig)


def test_text_and_initials_fields_are_filled_by_the_signer(firm, sealer):
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["hartley"], title="Form 8879",
                                        signer_contact_ids=[firm["june_id"]], document_id=firm["doc"])
        signer = s.exec(select(Signer).where(Signer.request_id == req.id)).one()
        base = {"signer_id": signer.id, "page": 0, "x": 0.1, "width": 0.2, "height": 0.04}
        made = requests.set_fields(s, firm["owner"], req.id, [
            base | {"kind": "signature", "y": 0.1}, base | {"kind": "initials", "y": 0.2},
            base | {"kind": "text", "y": 0.3, "label": "Company"}, base | {"kind": "text", "y": 0.4, "required": False}])
        text_id = made[2].id
        requests.send(s, firm["owner"], req.id)
        req = req.id
    agree(firm["june"], req)
    with pytest.raises(InvalidInput, match="initials"):
        do_sign(firm["june"], req)
    with pytest.raises(InvalidInput, match='Fill in "Company" on page 1'):
        do_sign(firm["june"], req, initials="JH")
    assert do_sign(firm["june"], req, initials="JH", values={str(text_id): "Hartley LLC"}) == "completed"
    with read_session() as s:
        values = {f.kind + f.label: f.value for f in s.exec(select(SignatureField).where(SignatureField.request_id == req))}
        assert values["initials"] == "JH" and values["textCompany"] == "Hartley LLC" and values["text"] == ""


# --- the email code -------------------------------------------------------------------------------------


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.get_payload(decode=True).decode()).group(1)


def test_the_email_code_reaches_a_real_smtp_server_and_is_checked(firm):
    req = make_request(firm, signers=("june_id",), code=True)
    agree(firm["june"], req)
    with write_session() as s:
        assert signer_flow.open_for_signing(s, firm["june"], req).needs_code
    with pytest.raises(InvalidInput, match="code we emailed"):
        do_sign(firm["june"], req)
    with SMTPServer() as server:
        with write_session() as s:
            settings = mail_settings.get_settings(s)
            settings.host, settings.port, settings.security = "127.0.0.1", server.port, "none"
            settings.from_address = "office@firm.example"
        with write_session() as s:
            signer_flow.send_code(s, firm["june"], req)
        outbox.deliver_due()
        got = [m for m in server.wait_for(1) if "code" in m["Subject"]]
        assert len(got) == 1 and got[0]["X-Envelope-To"] == "june@hartley.example"
        code = _code_from(got[0])
        # Only in the body: a subject shows on a phone's lock screen and in every admin's outbox list.
        assert code not in got[0]["Subject"]
        with read_session() as s:
            signer = s.exec(select(Signer).where(Signer.request_id == req)).one()
            assert code not in signer.code_hash and signer.code_expires_at > utcnow()
        with write_session() as s, pytest.raises(Conflict, match="just sent"):
            signer_flow.send_code(s, firm["june"], req)  # at most one a minute
        wrong = "000000" if code != "000000" else "111111"
        with write_session() as s, pytest.raises(InvalidInput, match="4 tries left"):
            signer_flow.check_code(s, firm["june"], req, wrong)
        with read_session() as s:  # the wrong try was kept although the error rolled the transaction back
            assert s.exec(select(Signer).where(Signer.request_id == req)).one().code_attempts == 1
        with write_session() as s:
            signer_flow.check_code(s, firm["june"], req, f" {code[:3]} {code[3:]} ")
    assert do_sign(firm["june"], req) == "completed"
    with read_session() as s:
        signer = s.exec(select(Signer).where(Signer.request_id == req)).one()
    if True:
        assert signer.identity_check == "portal password + one-time code sent to june@hartley.example"
        assert "after 1 wrong try" in signer.identity_result
    kinds = signing_kinds(req)
    assert {"code_sent", "code_failed", "code_ok"} <= set(kinds)


def _backdate_code(req, **changes):
    with write_session() as s:
        signer = s.exec(select(Signer).where(Signer.request_id == req)).one()
        for name, value in changes.items():
            setattr(signer, name, value)


def _fresh_code(firm, req) -> str:
    _backdate_code(req, code_sent_at=utcnow() - dt.timedelta(minutes=2))
    with write_session() as s:
        signer_flow.send_code(s, firm["june"], req)
    with read_session() as s:
        mails = s.exec(select(OutgoingMail).where(OutgoingMail.subject.contains("code")).order_by(OutgoingMail.id)).all()
    return re.search(r"\b(\d{6})\b", mails[-1].body).group(1)


def test_an_expired_code_and_too_many_wrong_tries_need_a_new_code(firm):
    req = make_request(firm, signers=("june_id",), code=True)
    agree(firm["june"], req)
    with write_session() as s, pytest.raises(InvalidInput, match="Ask for a code first"):
        signer_flow.check_code(s, firm["june"], req, "123456")
    code = _fresh_code(firm, req)
    _backdate_code(req, code_expires_at=utcnow() - dt.timedelta(seconds=1))
    with write_session() as s, pytest.raises(InvalidInput, match="expired"):
        signer_flow.check_code(s, firm["june"], req, code)
    code = _fresh_code(firm, req)
    wrong = "000000" if code != "000000" else "111111"
    for n in range(5):
        with write_session() as s, pytest.raises(InvalidInput, match="last try" if n == 4 else "not right"):
            signer_flow.check_code(s, firm["june"], req, wrong)
    with write_session() as s, pytest.raises(InvalidInput, match="Too many"):
        signer_flow.check_code(s, firm["june"], req, code)  # even the right code, now
    code = _fresh_code(firm, req)
    with write_session() as s:
        signer_flow.check_code(s, firm["june"], req, code)
        assert not signer_flow.open_for_signing(s, firm["june"], req).needs_code


def test_only_the_signers_chosen_for_the_code_are_asked_for_it(firm, sealer):
    req = make_request(firm, code_for=("jim_id",))
    with read_session() as s:
        detail = requests.request_detail(s, firm["owner"], req)
        created = s.exec(select(SigningEvent).where(SigningEvent.request_id == req,
                                                    SigningEvent.kind == "created")).one()
    assert [(x.name, x.require_email_code) for x in detail.signers] == [("June Hartley", False),
                                                                        ("Jim Hartley", True)]
    assert not detail.request.require_email_code and detail.request.email_code_names == ["Jim Hartley"]
    assert created.detail.endswith("; Jim Hartley also enters a code sent by email")

    # June, first, signs with her portal login alone: she is never asked for a code, nor can ask for one.
    agree(firm["june"], req)
    with write_session() as s:
        view = signer_flow.open_for_signing(s, firm["june"], req)
        assert not view.needs_code and view.code_sent_to == ""
    with write_session() as s, pytest.raises(Conflict, match="no email code"):
        signer_flow.send_code(s, firm["june"], req)
    with write_session() as s, pytest.raises(Conflict, match="no email code"):
        signer_flow.check_code(s, firm["june"], req, "123456")
    assert do_sign(firm["june"], req) == "sent"

    # Jim, second, must enter the code emailed to him.
    agree(firm["jim"], req)
    with write_session() as s:
        view = signer_flow.open_for_signing(s, firm["jim"], req)
        assert view.needs_code and view.code_sent_to == "jim@hartley.example"
    with pytest.raises(InvalidInput, match="code we emailed"):
        do_sign(firm["jim"], req)
    with write_session() as s:
        signer_flow.send_code(s, firm["jim"], req)
    (code_mail,) = [m for m in sign_mails() if "code" in m.subject.lower()]
    assert code_mail.to_address == "jim@hartley.example"
    with write_session() as s:
        signer_flow.check_code(s, firm["jim"], req, re.search(r"\b(\d{6})\b", code_mail.body).group(1))
    assert do_sign(firm["jim"], req) == "completed"

    with read_session() as s:
        june, jim = s.exec(select(Signer).where(Signer.request_id == req).order_by(Signer.position)).all()
        data = document_files.document_for_download(
            s, firm["owner"], s.get(SignatureRequest, req).signed_document_id).path.read_bytes()
        report = sealer.verify(data, session=s)
    assert june.identity_check == "portal password" and june.code_sent_at is None
    assert jim.identity_check == "portal password + one-time code sent to jim@hartley.example"
    assert "code confirmed" in jim.identity_result and "code" not in june.identity_result
    assert [x["identity_check"] for x in report.audit["signers"]] == [june.identity_check, jim.identity_check]
    codes = [e for e in signing_kinds(req) if e.startswith("code")]
    assert codes == ["code_sent", "code_ok"]


def test_the_code_is_asked_only_of_the_requests_own_signers(firm):
    def create(**args):
        with write_session() as s:
            req = requests.create_request(s, firm["owner"], firm["hartley"], title="Form 8879",
                                            signer_contact_ids=[firm["june_id"], firm["jim_id"]],
                                            document_id=firm["doc"], **args)
            return [x.require_email_code for x in s.exec(select(Signer).where(Signer.request_id == req.id)
                                                          .order_by(Signer.position))], req.require_email_code

    with pytest.raises(InvalidInput, match="Only the signers of this request"):
        create(email_code_contact_ids=[firm["jim_id"], firm["sam_id"]])
    with pytest.raises(InvalidInput, match="among the signers"):
        create(email_code_contact_ids=["<script>"])
    # Without a list, the request-level switch decides for everyone; a list decides alone.
    assert create() == ([False, False], False)
    assert create(require_email_code=True) == ([True, True], True)
    assert create(email_code_contact_ids=[]) == ([False, False], False)
    assert create(email_code_contact_ids=[str(firm["june_id"]), firm["jim_id"]]) == ([True, True], True)
    assert create(require_email_code=True, email_code_contact_ids=[firm["june_id"]]) == ([True, False], False)


# --- decline, cancel --------------------------------------------------------------------------------------


def test_declining_needs_a_reason_and_stops_the_request(firm):
    req = make_request(firm)
    agree(firm["june"], req)
    with write_session() as s, pytest.raises(InvalidInput, match="Say why"):
        signer_flow.decline(s, firm["june"], req, reason=" ")
    with write_session() as s:
        signer_flow.decline(s, firm["june"], req, reason="The income is wrong", ip_address="203.0.113.5",
                           user_agent=UA)
    (ev,) = events_of("signature_declined")
    assert ev.payload["contact_id"] == firm["june_id"] and ev.payload["request_id"] == req
    assert staff_notes(firm["bob"]) == ['June Hartley (Hartley Household) declined to sign "Form 8879": '
                                        "The income is wrong"]
    with pytest.raises(Conflict, match="declined"):
        do_sign(firm["jim"], req)
    with read_session() as s:
        assert s.get(SignatureRequest, req).status.value == "declined"
        detail = requests.request_detail(s, firm["owner"], req)
        assert detail.signers[0].decline_reason == "The income is wrong" and detail.events[-1].kind == "declined"


def test_a_cancelled_request_cannot_be_signed_and_its_reminders_stop(firm):
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["hartley"], title="Letter",
                                        signer_contact_ids=[firm["june_id"]], document_id=firm["doc"])
        signer = s.exec(select(Signer).where(Signer.request_id == req.id)).one()
        requests.set_fields(s, firm["owner"], req.id, [{"signer_id": signer.id, "kind": "signature", "page": 0,
                                                          "x": 0.1, "y": 0.1, "width": 0.3, "height": 0.05}])
        requests.send(s, firm["owner"], req.id, remind_every=dt.timedelta(days=2), remind_times=3)
        req = req.id
    later = utcnow() + dt.timedelta(days=2, minutes=1)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later) == 1
    if True:
        (reminder,) = [m for m in sign_mails() if m.subject.startswith("Reminder")]
        assert reminder.to_address == "june@hartley.example" and f"/portal/sign/{req}" in reminder.body
    with write_session() as s:
        requests.cancel(s, firm["owner"], req)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=later + dt.timedelta(days=2)) == 0
        due = s.exec(select(Due).where(Due.kind == "reminder")).one()
        assert due.status == "done" and "Stopped" in reminders.told_log(due)[-1]
    with write_session() as s:  # the signer still sees what happened, but no longer the document
        view = signer_flow.open_for_signing(s, firm["june"], req)
        assert view.status == "cancelled" and view.page_count == 0 and view.pages == []
    with read_session() as s, pytest.raises(NotFound, match="cancelled this request"):
        pages.page_png(s, firm["june"], req, 0)
    with read_session() as s:  # staff still see it
        assert pages.page_png(s, firm["owner"], req, 0)[:4] == b"\x89PNG"
    with pytest.raises(Conflict, match="cancelled"):
        agree(firm["june"], req)
    with pytest.raises(Conflict, match="cancelled"):
        do_sign(firm["june"], req)
    with write_session() as s, pytest.raises(Conflict):
        requests.cancel(s, firm["owner"], req)
    assert signing_kinds(req) == ["created", "sent", "reminded", "cancelled", "viewed"]


# --- completion -------------------------------------------------------------------------------------------


def test_the_last_signature_seals_a_new_document_next_to_the_original(firm, sealer):
    req = make_request(firm)
    for who in ("june", "jim"):
        agree(firm[who], req)
        do_sign(firm[who], req, signature_kind="drawn" if who == "june" else "typed",
                signature={"strokes": [[[0.1, 0.5], [0.9, 0.5]]]} if who == "june" else {"text": "Jim Hartley"})
    with read_session() as s:
        r = s.get(SignatureRequest, req)
        assert r.status.value == "completed" and r.completed_at is not None
        signed, original = s.get(Document, r.signed_document_id), s.get(Document, r.document_id)
        assert signed.name == "Form 8879 – signed.pdf" and signed.folder_id == original.folder_id == firm["folder"]
        assert signed.account_id == firm["hartley"] and original.deleted_at is None
        data = document_files.document_for_download(s, firm["owner"], signed.id).path.read_bytes()
        import hashlib

        assert hashlib.sha256(data).hexdigest() == r.final_sha256
        orig = document_files.document_for_download(s, firm["owner"], original.id).path.read_bytes()
        assert hashlib.sha256(orig).hexdigest() == r.original_sha256
        # The client finds the signed copy among the documents to look at; the unsigned original stays internal.
        assert signed.id in [d.id for d in document_files.to_look_at(s, firm["june"], firm["hartley"])]
        assert signed.shared and not original.shared
        listed = [d.id for d in document_files.list_documents(s, firm["june"], firm["hartley"])]
        assert signed.id in listed and original.id not in listed
        with pytest.raises(PermissionDenied):
            document_files.document_for_download(s, firm["june"], original.id)
    (ev,) = events_of("signature_completed")
    assert ev.payload["document_id"] == signed.id and ev.payload["contact_id"] == firm["jim_id"]
    assert ev.account_id == firm["hartley"] and ev.job_id == firm["job"]
    assert len(events_of("signature_signed")) == 2
    assert staff_notes(firm["bob"])[-1] == ('Everyone signed "Form 8879" (Hartley Household); the sealed copy '
                                            '"Form 8879 – signed.pdf" is in the documents')
    assert signing_kinds(req)[-1] == "sealed"
    with read_session() as s:
        report = sealer.verify(data, session=s)
    assert report.intact and report.trusted, report.summary
    audit = report.audit
    assert [x["name"] for x in audit["signers"]] == ["June Hartley", "Jim Hartley"], audit
    assert audit["original_sha256"] == r.original_sha256 and audit["stamped_sha256"] == r.stamped_sha256
    assert audit["signers"][0]["identity_check"] == "portal password"
    assert audit["signers"][0]["ip_address"] == "203.0.113.5" and audit["signers"][1]["user_agent"] == UA
    assert len(PdfReader(io.BytesIO(data)).pages) >= 3  # the two pages, then the audit page(s)
    flipped = bytearray(data)
    flipped[len(flipped) // 3] ^= 0x01
    assert not sealer.verify(bytes(flipped)).intact


# --- rules --------------------------------------------------------------------------------------------------

TEMPLATE = """<h1>Engagement letter</h1>
<p>Between {{ firm.name }} and {{ account.name }}{% if job %} for {{ job.name }}{% endif %}.</p>
<p>Client: {% for c in contacts %}{{ c.name }}{% if not loop.last %}, {% endif %}{% endfor %}</p>
<div id="sign-1-signature" style="width: 240px; height: 50px; border-bottom: 1px solid #000"></div>
<div id="sign-1-date" style="width: 140px; height: 20px"></div>
<div id="sign-2-signature" style="width: 240px; height: 50px; border-bottom: 1px solid #000"></div>
"""

RULES = """
rule "Engagement"
when job enters stage "Review" in pipeline "1040 Return"
then
  request signature on "Engagement letter" from account with reminders every 3 days up to 2 times
end

rule "Signed"
when signature is completed
then
  create task "File {{ document.name }}"
end
"""


def _move_to_review(firm):
    with write_session() as s:
        pipeline_id = s.get(Job, firm["job"]).pipeline_id
        review = [st for st in stages_of(s, pipeline_id) if st.name == "Review"][0]
        jobs.move_job(s, firm["owner"], firm["job"], review.id)


def test_the_rule_action_makes_and_sends_a_request_from_a_template_once(firm):
    with write_session() as s, pytest.raises(rulesets.RulesInvalid):
        rulesets.save_rules(s, firm["owner"], RULES)  # no such document template yet
    with write_session() as s:
        doc_templates.save_template(s, firm["owner"], name="Engagement letter", body=TEMPLATE)
    with write_session() as s:
        _, unavailable = rulesets.save_rules(s, firm["owner"], RULES)
        assert unavailable == []
    _move_to_review(firm)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Engagement")).one()
        assert run.status.value == "done", run.actions
        assert run.actions[0]["outcome"] == ('Asked June Hartley, Jim Hartley to sign "Engagement letter", '
                                             "with up to 2 reminders")
        req = s.exec(select(SignatureRequest)).one()
        assert (req.status.value, req.in_order, req.job_id, req.template_name) == ("sent", True, firm["job"],
                                                                                   "Engagement letter")
        made = s.get(Document, req.document_id)
        assert made.name == "Engagement letter.pdf" and made.account_id == firm["hartley"]
        signers = s.exec(select(Signer).where(Signer.request_id == req.id).order_by(Signer.position)).all()
        assert [x.contact_id for x in signers] == [firm["june_id"], firm["jim_id"]]  # No Login has no portal
        fields = s.exec(select(SignatureField).where(SignatureField.request_id == req.id)).all()
        assert sorted((f.signer_id == signers[0].id, f.kind) for f in fields) == [
            (False, "signature"), (True, "date"), (True, "signature")]
        assert all(0 < f.x < 1 and 0 < f.y < 1 and f.page == 0 for f in fields)
        dues = s.exec(select(Due).where(Due.kind == "reminder")).all()
        assert len(dues) == 1 and dues[0].payload["item_kind"] == "signature"
    # A retried run makes no second request.
    with write_session() as s:
        out = actions.request_signature(s, actions.Act(actions.robot("Engagement"), {"template": "Engagement letter"},
                                                       actions.Target(firm["job"], firm["hartley"]), run.actions and
                                                       f"Engagement|{run.event_id}|{firm['job']}|0"))
        assert s.exec(select(SignatureRequest)).all() == [s.get(SignatureRequest, req.id)]
        assert "Engagement letter" in out


def test_signature_completed_fires_rules_with_the_document(firm, sealer):
    with write_session() as s:
        doc_templates.save_template(s, firm["owner"], name="Engagement letter", body=TEMPLATE)
        rulesets.save_rules(s, firm["owner"], RULES)
    req = make_request(firm, signers=("june_id",))
    agree(firm["june"], req)
    do_sign(firm["june"], req)
    with read_session() as s:
        run = s.exec(select(RuleRun).where(RuleRun.rule_name == "Signed")).one()
        assert run.status.value == "done", (run.reason, run.actions)
        assert run.actions[0]["outcome"] == 'Created task "File Form 8879 – signed.pdf"'
        assert run.job_id == firm["job"]


def test_reminders_go_to_whose_turn_it_is_and_stop_once_signed(firm, sealer):
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["hartley"], title="Letter", in_order=True,
                                        signer_contact_ids=[firm["june_id"], firm["jim_id"]], document_id=firm["doc"])
        ids = s.exec(select(Signer.id).where(Signer.request_id == req.id).order_by(Signer.position)).all()
        requests.set_fields(s, firm["owner"], req.id, [{"signer_id": i, "kind": "signature", "page": 0, "x": 0.1,
                                                          "y": 0.1 + n * 0.1, "width": 0.3, "height": 0.05}
                                                         for n, i in enumerate(ids)])
        requests.send(s, firm["owner"], req.id, remind_every=dt.timedelta(days=1), remind_times=5)
        req = req.id
    day = utcnow() + dt.timedelta(days=1, minutes=1)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=day) == 1
    agree(firm["june"], req)
    do_sign(firm["june"], req)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=day + dt.timedelta(days=1)) == 1
    reminded = [m.to_address for m in sign_mails() if m.subject.startswith("Reminder")]
    if True:
        assert reminded == ["june@hartley.example", "jim@hartley.example"]
    agree(firm["jim"], req)
    do_sign(firm["jim"], req)
    with write_session() as s:
        assert reminder_kinds.send_due_reminders(s, now=day + dt.timedelta(days=2)) == 0


# --- page images ----------------------------------------------------------------------------------------


def test_pages_are_drawn_in_a_limited_process_and_a_page_too_costly_is_refused_with_a_sentence(firm, monkeypatch):
    """pdfium never runs in the app: with the child's memory limit set too low to draw, the page is refused."""
    from practice.services.documents import pdf_check

    req = make_request(firm, signers=("june_id",))
    with monkeypatch.context() as limited:
        limited.setattr(pdf_check, "MEMORY_BYTES", 40 * 1024 * 1024)
        with read_session() as s, pytest.raises(InvalidInput, match="could not be drawn safely"):
            pages.page_png(s, firm["owner"], req, 0)
    with read_session() as s:
        assert pages.page_png(s, firm["owner"], req, 0)[:4] == b"\x89PNG"


def test_page_images_for_staff_and_signers_only(firm):
    req = make_request(firm, signers=("june_id",))
    with read_session() as s:
        png = pages.page_png(s, firm["owner"], req, 1)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        from PIL import Image

        assert 990 <= Image.open(io.BytesIO(png)).width <= 1010
        assert pages.page_png(s, firm["june"], req, 0)[:4] == b"\x89PNG"
        assert pages.page_png(s, firm["june"], req, 1) == png  # from the cache
        with pytest.raises(NotFound):
            pages.page_png(s, firm["june"], req, 2)
        with pytest.raises(NotFound):
            pages.page_png(s, firm["sam"], req, 0)
        with pytest.raises(NotFound):
            pages.page_png(s, firm["jim"], req, 0)
        with pytest.raises(PermissionDenied):
            pages.page_png(s, firm["dave"], req, 0)
        detail = requests.request_detail(s, firm["june"], req)
        assert detail.page_count == 2 and round(detail.pages[0].width) == 612 and not detail.editable


def test_wrong_codes_are_capped_per_day_however_many_new_codes_are_asked_for(firm):
    req = make_request(firm, signers=("june_id",), code=True)
    agree(firm["june"], req)
    for _round in range(signer_flow.DAILY_WRONG_CODES // signer_flow.CODE_TRIES):
        code = _fresh_code(firm, req)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(signer_flow.CODE_TRIES):
            with write_session() as s, pytest.raises(InvalidInput, match="not right"):
                signer_flow.check_code(s, firm["june"], req, wrong)
    _backdate_code(req, code_sent_at=utcnow() - dt.timedelta(minutes=2))
    with write_session() as s, pytest.raises(InvalidInput, match="Too many wrong codes today"):
        signer_flow.send_code(s, firm["june"], req)  # no new code to guess at
    with write_session() as s, pytest.raises(InvalidInput, match="paused for 24 hours"):
        signer_flow.check_code(s, firm["june"], req, "123456")
    # A day later the signer may ask again.
    with write_session() as s:
        for event in s.exec(select(SigningEvent).where(SigningEvent.kind == "code_failed")).all():
            event.at = utcnow() - dt.timedelta(hours=25)
    assert _fresh_code(firm, req).isdigit()
