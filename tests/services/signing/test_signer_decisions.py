"""The signing domain's answers the pages show: who may be asked to sign, where a signer is in the flow,
whether an emailed code must be sent again, and how a signer's part reads to staff."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import PortalLogin, PortalStatus
from practice.services.errors import PermissionDenied
from practice.services.signing import requests, signer_flow
from practice.services.signing.views import SignerView, SigningView, signer_progress
from tests.services.signing.test_signatures import hartley_household_with_files

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def signing_view(**changes) -> SigningView:
    """June's view of a two-signer request she may sign now, consent given, no code asked."""
    view = SigningView(request_id=1, title="Form 8879", message="", firm_name="Park & Lee", account_name="Hartley",
                       status="sent", signer_id=1, my_status="pending", my_turn=True, whose_turn=["June"],
                       needs_consent=False, disclosure="", needs_code=False, code_sent_to="", code_sent_at=None,
                       my_fields=[])
    view.signers = [SignerView(1, 11, "June", "", 0, "pending", None, None, None, None, "", "", "", "", ""),
                    SignerView(2, 12, "Jim", "", 1, "waiting", None, None, None, None, "", "", "", "", "")]
    for key, value in changes.items():
        setattr(view, key, value)
    return view


@pytest.mark.parametrize("changes, step", [
    ({}, "sign"),
    ({"needs_code": True}, "code"),
    ({"needs_consent": True, "needs_code": True}, "consent"),
    ({"my_turn": False, "my_status": "waiting"}, "waiting"),
    ({"status": "cancelled"}, "closed"),
    ({"status": "completed", "my_status": "signed"}, "signed"),
    ({"status": "declined", "my_status": "declined"}, "declined"),
])
def test_the_signer_is_put_on_the_step_the_request_and_their_part_call_for(changes, step):
    assert signer_flow.next_step(signing_view(**changes)) == step


def test_a_code_is_sent_again_only_when_none_was_sent_or_it_expired():
    assert signer_flow.code_is_stale(signing_view(), NOW)
    assert not signer_flow.code_is_stale(signing_view(code_sent_at=NOW - dt.timedelta(minutes=9)), NOW)
    assert signer_flow.code_is_stale(signing_view(code_sent_at=NOW - dt.timedelta(minutes=11)), NOW)
    naive = (NOW - dt.timedelta(minutes=1)).replace(tzinfo=None)  # as SQLite gives it back
    assert not signer_flow.code_is_stale(signing_view(code_sent_at=naive), NOW)


def test_the_thank_you_names_the_others_still_to_sign():
    assert signer_flow.still_to_sign(signing_view(my_status="signed")) == ["Jim"]


@pytest.mark.parametrize("signer_status, viewed, request_status, words", [
    ("pending", False, "draft", "not asked yet"),
    ("waiting", False, "sent", "waiting for an earlier signer"),
    ("pending", False, "sent", "may sign now"),
    ("pending", True, "sent", "viewed, not signed yet"),
    ("signed", True, "completed", "signed"),
    ("pending", True, "cancelled", "cancelled"),
])
def test_staff_read_each_signers_part_in_plain_words(signer_status, viewed, request_status, words):
    assert signer_progress(signer_status, viewed, request_status) == words


@pytest.mark.firm(build=hartley_household_with_files)
def test_only_contacts_with_an_email_and_a_portal_login_are_offered_as_signers_and_the_others_say_why(firm):
    with write_session() as s:
        login = s.exec(select(PortalLogin).where(PortalLogin.contact_id == firm["jim_id"])).one()
        login.status = PortalStatus.revoked
    with read_session() as s:
        offered = {c.contact_id: c for c in requests.signer_candidates(s, firm["owner"], firm["hartley"])}
        with pytest.raises(PermissionDenied):
            requests.signer_candidates(s, firm["june"], firm["hartley"])
    assert offered[firm["june_id"]].can_sign and offered[firm["june_id"]].email
    assert not offered[firm["jim_id"]].can_sign and "withdrawn" in offered[firm["jim_id"]].note
    assert not offered[firm["nolog_id"]].can_sign and "no portal login" in offered[firm["nolog_id"]].note
