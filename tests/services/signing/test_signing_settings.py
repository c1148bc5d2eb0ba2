"""Settings → Signing through the services, and the verify page's record lookup."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, SignatureRequest
from practice.services.documents import files as document_files
from practice.services.signing import consent, seal, signing_settings, verify
from practice.services.errors import InvalidInput, PermissionDenied
from tests.factories import actor_of, make_account, make_member
from tests.factories import sample_fields, sample_pdf, sample_trail


@pytest.fixture
def people(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_DATA_DIR", str(tmp_path / "data"))
    with write_session() as s:
        return actor_of(make_member(s, role="owner")), actor_of(make_member(s, role="employee"))


def test_view_shows_the_certificate_made_here(people):
    owner, bob = people
    with write_session() as s:
        v = signing_settings.view(s, owner)
        assert "document seal" in v.subject and v.origin.startswith("Made here on") and v.fingerprint.count(":") == 31
        with pytest.raises(PermissionDenied):
            signing_settings.view(s, bob)
        with pytest.raises(PermissionDenied):
            signing_settings.certificate_pem(s, bob)
        assert signing_settings.certificate_pem(s, owner).startswith("-----BEGIN CERTIFICATE-----")


def test_timestamp_server_address_and_disclosure_are_saved_with_audit(people):
    owner, bob = people
    with write_session() as s:
        with pytest.raises(InvalidInput, match="http:// or https://"):
            signing_settings.set_timestamp_server(s, owner, "ftp://tsa.example")
        with pytest.raises(PermissionDenied):
            signing_settings.set_timestamp_server(s, bob, "https://tsa.example/")
        signing_settings.set_timestamp_server(s, owner, " https://tsa.example/ ")
        assert consent.settings(s).tsa_url == "https://tsa.example/"
        signing_settings.set_disclosure(s, owner, "  Our own words about {{ firm }}.  ")
        with pytest.raises(InvalidInput, match="longer than"):
            signing_settings.set_disclosure(s, owner, "x" * 30_000)
    with read_session() as s:
        assert consent.disclosure_text(s, "Park & Co") == "Our own words about Park & Co."
        summaries = [a.summary for a in s.exec(select(AuditLog).where(AuditLog.entity == "signing_settings"))]
    assert "Timestamp server set to https://tsa.example/" in summaries and "Consent disclosure changed" in summaries


def test_on_record_finds_the_firms_exact_file(people):
    owner, _ = people
    with write_session() as s:
        done = seal.finish(s, sample_pdf(1), sample_fields()[:2], sample_trail())
        account = make_account(s, owner)
    doc = document_files.upload(owner, account.id, None, "letter.pdf", sample_pdf(1))
    with write_session() as s:
        req = SignatureRequest(account_id=account.id, title="Letter", document_id=doc.id,
                               final_sha256=done.final_sha256, status="completed")
        s.add(req)
        s.flush()
    with read_session() as s:
        assert verify.on_record(s, done.final_sha256).startswith("Yes: this exact file is the firm's signed copy "
                                                                   'of the signature request "Letter"')
        assert verify.on_record(s, "0" * 64).startswith("No:")
