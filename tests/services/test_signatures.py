"""Signature requests through the services: who may ask and sign, the order, consent, the email code (to a
real SMTP server), declining, cancelling, sealing the result, the events and rules, reminders, page images."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import (Document, Due, Event, Job, MailSettings, Notification, OutgoingMail, RuleRun,
                             SignatureField, SignatureRequest, Signer, SigningEvent, utcnow)
from practice.services import (accounts, automation, consent, doc_templates, documents, events, jobs, mail, portal,
                               reminders, signatures)
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.pipelines import stages_of
from tests.factories import actor_of, make_account, make_member, make_pipeline
from tests.smtp import SMTPServer

HAS_SEALING = importlib.util.find_spec("practice.services.sealing") is not None
needs_sealing = pytest.mark.skipif(not HAS_SEALING, reason="sealing.py arrives with the seal branch")
UA = "Mozilla/5.0 (iPhone) test"


def two_page_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=612, height=792)
    writer.add_blank_page(width=612, height=792)
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def firm(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        bob = actor_of(make_member(s, role="employee", name="Bob Stone"))
        dave = actor_of(make_member(s, role="employee", name="Dave Outside"))
        pipeline = make_pipeline(s, owner, name="1040 Return")
        hartley = make_account(s, owner, name="Hartley Household")
        other = make_account(s, owner, name="Other Client")
        june = accounts.create_contact(s, owner, account_ids=[hartley.id], first_name="June", last_name="Hartley",
                                       email="june@hartley.example")
        jim = accounts.create_contact(s, owner, account_ids=[hartley.id], first_name="Jim", last_name="Hartley",
                                      email="jim@hartley.example")
        nolog = accounts.create_contact(s, owner, account_ids=[hartley.id], first_name="No", last_name="Login",
                                        email="nolog@hartley.example")
        sam = accounts.create_contact(s, owner, account_ids=[other.id], first_name="Sam", last_name="Other",
                                      email="sam@other.example")
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 2026")
        jobs.assign_job(s, owner, job.id, [bob.member_id])
        folder = documents.create_folder(s, owner, hartley.id, "To sign")
        for c in (june, jim, sam):
            portal.invite(s, owner, c.id)
    doc = documents.upload(owner, hartley.id, folder.id, "8879.pdf", two_page_pdf())
    text = documents.upload(owner, hartley.id, folder.id, "notes.txt", b"just text")
    other_doc = documents.upload(owner, other.id, None, "other.pdf", two_page_pdf())
    with read_session() as s:
        who = {n: documents.contact_actor(s, c.id) for n, c in (("june", june), ("jim", jim), ("sam", sam),
                                                                  ("nolog", nolog))}
    return {"owner": owner, "bob": bob, "dave": dave, "hartley": hartley.id, "other": other.id, "job": job.id,
            "folder": folder.id, "doc": doc.id, "text": text.id, "other_doc": other_doc.id,
            "june_id": june.id, "jim_id": jim.id, "sam_id": sam.id, "nolog_id": nolog.id, **who}


def make_request(firm, *, signers=("june_id", "jim_id"), in_order=True, code=False, send=True, fields=None):
    with write_session() as s:
        req = signatures.create_request(s, firm["owner"], firm["hartley"], title="Form 8879",
                                        signer_contact_ids=[firm[k] for k in signers], document_id=firm["doc"],
                                        in_order=in_order, require_email_code=code, job_id=firm["job"])
        rows = s.exec(select(Signer).where(Signer.request_id == req.id).order_by(Signer.position)).all()
        if fields is None:
            fields = []
            for i, signer in enumerate(rows):
                fields += [{"signer_id": signer.id, "kind": "signature", "page": 1, "x": 0.1, "y": 0.7 + i * 0.1,
                            "width": 0.3, "height": 0.05},
                           {"signer_id": signer.id, "kind": "date", "page": 1, "x": 0.6, "y": 0.7 + i * 0.1,
                            "width": 0.2, "height": 0.03}]
        signatures.set_fields(s, firm["owner"], req.id, fields)
        if send:
            signatures.send(s, firm["owner"], req.id)
        return req.id


def agree(who, req_id):
    with write_session() as s:
        signatures.open_for_signing(s, who, req_id, ip_address="203.0.113.5", user_agent=UA)
        signatures.give_consent(s, who, req_id, ip_address="203.0.113.5", user_agent=UA)


def do_sign(who, req_id, **kw):
    kw.setdefault("signature_kind", "typed")
    kw.setdefault("signature", {"text": who.name})
    with write_session() as s:
        return signatures.sign(s, who, req_id, ip_address="203.0.113.5", user_agent=UA, **kw).status.value


def test_smoke_create_send_sign_in_order(firm):
    req = make_request(firm)
    agree(firm["june"], req)
    with pytest.raises(Conflict, match="not your turn"):
        agree(firm["jim"], req) or do_sign(firm["jim"], req)
