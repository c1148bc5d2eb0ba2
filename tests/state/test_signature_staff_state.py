"""The staff signature states without a browser: junk from the browser is refused with a sentence, fields land
inside the page, the send refusal and the account list, and who is (not) offered as a signer, and why."""
from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import SignatureField, SignatureRequest, Signer
from practice.services.documents import files as document_files
from practice.services.actor import contact_actor
from practice.services.portal import logins
from practice.state.signatures import (AccountSignaturesState, DocTemplatesState, NewSignatureState,
                                       SignatureRequestState)
from tests.factories import blank_pdf, make_contact, make_firm, make_household

STATES = (AccountSignaturesState, NewSignatureState, SignatureRequestState, DocTemplatesState)


def hartley_on_the_signature_pages(monkeypatch):
    """Hartley Household: June and Jim invited to the portal, No Email without an email, No Login without a
    login, and a two-page PDF; Dave works elsewhere."""
    with write_session() as s:
        staff = make_firm(s, employees={"outsider": "Dave Outside"})
        owner = staff["owner"]
        account, (june, jim) = make_household(s, owner, "Hartley Household", "Hartley", ("June", "Jim"),
                                              invite=False)
        make_contact(s, owner, [account.id], "No", "Email", email=None)
        make_contact(s, owner, [account.id], "No", "Login", email="nolog@hartley.example")
        for c in (june, jim):
            logins.invite(s, owner, c.id)
    doc = document_files.upload(owner, account.id, None, "8879.pdf", blank_pdf(2))
    who = {"actor": owner}
    for cls in STATES:
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    # The page's route argument (Reflex defines it only when the app registers the page).
    route = lambda cls, name, value: monkeypatch.setattr(cls, name, value, raising=False)  # noqa: E731
    return {**staff, "who": who, "account": account.id, "doc": doc.id,
            "june": june.id, "jim": jim.id, "route": route}


pytestmark = pytest.mark.firm(build=hartley_on_the_signature_pages)


def new_request_page(firm) -> NewSignatureState:
    firm["route"](NewSignatureState, "account_id", str(firm["account"]))
    state = NewSignatureState()
    state.load()
    return state


def request_page(firm, request_id) -> SignatureRequestState:
    firm["route"](SignatureRequestState, "request_id", str(request_id))
    state = SignatureRequestState()
    state.load()
    return state


def drafted(firm) -> int:
    state = new_request_page(firm)
    state.toggle_signer(firm["june"])
    state.toggle_signer(firm["jim"])
    sent = asyncio.run(state.create({"source": f"doc-{firm['doc']}", "title": "Form 8879", "in_order": "on"}))
    assert state.new_error == "" and sent is not None
    with read_session() as s:
        return s.exec(select(SignatureRequest.id)).one()


def test_signers_offered_are_those_with_a_portal_login_and_the_others_say_why(firm):
    state = new_request_page(firm)
    assert [c.name for c in state.signer_choices] == ["June Hartley", "Jim Hartley"]
    reasons = {c.name: c.reason for c in state.not_offered}
    assert reasons["No Email"] == "has no email address"
    assert "has no portal login" in reasons["No Login"]
    assert [o.label for o in state.source_options] == ["8879.pdf"]

    # The order is the order they were chosen; a contact not offered (or junk) is ignored.
    state.toggle_signer(firm["jim"])
    state.toggle_signer(firm["june"])
    state.toggle_signer("99999")
    state.toggle_signer("<script>")
    assert [(c.name, c.order) for c in state.signer_choices] == [("June Hartley", "2"), ("Jim Hartley", "1")]
    state.toggle_signer(firm["jim"])
    assert [(c.name, c.order) for c in state.signer_choices] == [("June Hartley", "1"), ("Jim Hartley", "")]

    # The emailed code is chosen per chosen signer; taking a signer off forgets it.
    state.choose_code(firm["jim"], True)
    assert [(c.name, c.code) for c in state.signer_choices] == [("June Hartley", False), ("Jim Hartley", False)]
    state.choose_code(firm["june"], True)
    state.choose_code("<script>", True)
    assert [(c.name, c.code) for c in state.signer_choices] == [("June Hartley", True), ("Jim Hartley", False)]

    assert asyncio.run(state.create({"source": "tpl-4242", "title": "X"})) is None
    assert state.new_error == "Choose the PDF to sign or a document template."
    assert asyncio.run(state.create({"source": f"doc-{firm['doc']}", "title": ""})) is None
    assert "title" in state.new_error


def test_a_code_by_email_is_asked_of_the_ticked_signers_only(firm):
    state = new_request_page(firm)
    state.toggle_signer(firm["june"])
    state.toggle_signer(firm["jim"])
    state.choose_code(firm["jim"], True)
    state.choose_code(firm["june"], True)
    state.choose_code(firm["june"], False)
    # A stale form field from an older page asks nobody for a code: the ticks decide.
    assert asyncio.run(state.create({"source": f"doc-{firm['doc']}", "title": "Form 8879", "in_order": "on",
                         "require_email_code": "on"})) is not None
    with read_session() as s:
        request_id = s.exec(select(SignatureRequest.id)).one()
        assert [(x.name, x.require_email_code) for x in s.exec(select(Signer).order_by(Signer.position))] == [
            ("June Hartley", False), ("Jim Hartley", True)]
    page = request_page(firm, request_id)
    assert [s.check for s in page.signers] == ["Identity check: portal login",
                                               "Identity check: portal login + a code sent by email"]
    assert page.code_text == ("Jim Hartley also types a code sent by email; the others sign with their "
                              "portal login.")

    # Taking a signer off and on again forgets the tick; a signer nobody chose cannot be ticked.
    state = new_request_page(firm)
    state.choose_code(firm["june"], True)
    state.toggle_signer(firm["june"])
    assert [c.code for c in state.signer_choices] == [False, False]
    state.choose_code(firm["june"], "true")
    state.toggle_signer(firm["june"])
    state.toggle_signer(firm["june"])
    assert asyncio.run(state.create({"source": f"doc-{firm['doc']}", "title": "Form 8879 again"})) is not None
    with read_session() as s:
        newest = s.exec(select(SignatureRequest).order_by(SignatureRequest.id.desc())).first()
        assert [x.require_email_code for x in s.exec(select(Signer).where(Signer.request_id == newest.id))] == [False]
    assert request_page(firm, newest.id).code_text == ""


def test_clicks_become_fields_inside_the_page_and_junk_is_refused(firm):
    page = request_page(firm, drafted(firm))
    assert page.req_found and page.is_draft and len(page.pages) == 2
    assert page.pages[0].aspect == "612.00 / 792.00"
    page.choose_signer("not a signer")
    page.choose_kind("<b>")
    assert page.tool_kind == "signature"

    for junk in (("x", 0.5, 0.5), (0, "nan", 0.5), (0, None, 0.5), (7, 0.5, 0.5), (-1, 0.5, 0.5)):
        answer = page.place(*junk)
        # Refused with a sentence: on the page, or (for a value of the wrong type) by `allow` in a toast.
        assert (page.req_error or "not understood" in repr(answer)) and page.fields == []
    # A click at the very corner still gives a field wholly on the page.
    page.place(1, 5, -3)
    (f,) = page._placed
    assert f["page"] == 1 and f["x"] + f["width"] <= 1 and f["y"] == 0 and page.dirty

    page.change_field_signer("12345")  # not a signer of this request: nothing changes
    assert page._placed[0]["signer_id"] == f["signer_id"]
    page.change_field_kind("initials")
    assert page._placed[0]["kind"] == "initials" and page.fields[0].kind_label == "Initials"
    page.place_by_numbers({"page": "1", "x": "abc", "y": "10"})
    assert "percent" in page.req_error

    # Sending refuses while a signer has no signature field, with the service's sentence.
    page.send({})
    assert page.req_error == "Place a signature field for June Hartley before sending."
    page.delete_field()
    assert page.fields == []
    for signer in page.signer_options:
        page.choose_signer(signer.value)
        page.place(0, 0.3, 0.8)
    page.send({"remind_every": "3", "remind_times": "abc"})
    assert page.req_error.startswith("Reminders:") and page.is_draft
    page.send({"remind_every": "3", "remind_times": "2"})
    assert page.req_error == "" and page.status == "sent"
    assert [s.status_label for s in page.signers] == ["may sign now", "waiting for an earlier signer"]
    with read_session() as s:
        assert len(s.exec(select(SignatureField)).all()) == 2

    # Once sent, placing is refused and the account page lists the signers with their statuses.
    page.place(0, 0.5, 0.5)
    assert page.req_error == "Fields can only be placed before the request is sent."
    firm["route"](AccountSignaturesState, "account_id", str(firm["account"]))
    listing = AccountSignaturesState()
    listing.load()
    (row,) = listing.sig_requests
    assert row.signers == "June Hartley (may sign now), Jim Hartley (waiting for an earlier signer)"

    page.cancel_request()
    assert page.status == "cancelled" and page.req_error == ""


def test_a_dragged_or_nudged_field_lands_on_the_page_and_a_box_too_small_for_its_text_is_flagged(firm):
    page = request_page(firm, drafted(firm))
    page.choose_kind("date")
    page.place(0, 0.5, 0.5)
    (f,) = page.fields
    assert f.sample == "September 28, 2026".replace("2026", f.sample[-4:]) and f.warning == ""
    assert f.font_size == "1.797cqw"  # 11 points on a 612-point page, as the stamp prints it
    key = f.key

    page.move_field(key, [0.95, 0.4, 0.18, 0.03])  # dragged past the right edge: stops at it
    assert (page._placed[0]["x"], page._placed[0]["y"]) == (0.82, 0.4) and page.dirty
    page.move_field(key, None)  # a plain click: nothing moves
    page.move_field(key, ["a", 0, 0, 0])
    page.move_field(999, [0.1, 0.1, 0.2, 0.1])
    assert (page._placed[0]["x"], page._placed[0]["y"]) == (0.82, 0.4)

    page.nudge_field(key, "ArrowLeft", False)
    page.nudge_field(key, "Tab", False)
    assert page._placed[0]["x"] == 0.815
    # Undo puts it back, one change at a time, down to the click that placed it.
    page.undo_field_change()
    assert page._placed[0]["x"] == 0.82 and page.can_undo
    page.undo_field_change()
    assert page._placed[0]["x"] == 0.41
    page.undo_field_change()
    assert page._placed == [] and not page.can_undo
    page.undo_field_change()
    page.place(0, 0.5, 0.5)
    key = page.fields[0].key
    page.move_field(key, [0.82, 0.4, 0.18, 0.03])
    page.nudge_field(key, "ArrowLeft", False)
    # Resized (with the corner, or Shift+arrows) until the widest date no longer fits: flagged, and said.
    page.move_field(key, [0.815, 0.4, 0.07, 0.03])
    page.nudge_field(key, "ArrowLeft", True)
    assert page._placed[0]["width"] == 0.065
    assert page.fields[0].warning.startswith("The date field for June Hartley on page 1 is too small")
    assert page.fit_warnings == [page.fields[0].warning]
    page.choose_kind("signature")
    for signer in page.signer_options:
        page.choose_signer(signer.value)
        page.place(0, 0.3, 0.8)
    page.send({})
    assert page.req_error.startswith("The date field for June Hartley on page 1 is too small for its text")
    assert page.is_draft


def test_someone_who_may_not_see_the_account_sees_neither_the_request_nor_the_new_form(firm):
    request_id = drafted(firm)
    firm["who"]["actor"] = firm["outsider"]
    assert not request_page(firm, request_id).req_found
    assert not new_request_page(firm).new_found
    assert not request_page(firm, "nonsense").req_found


def test_once_everyone_signed_the_page_offers_the_signed_file_and_the_timeline(firm):
    from practice.services.signing import signer_flow

    page = request_page(firm, drafted(firm))
    for signer in page.signer_options:
        page.choose_signer(signer.value)
        page.place(0, 0.3, 0.8)
    page.send({})
    for contact in (firm["june"], firm["jim"]):
        with read_session() as s:
            who = contact_actor(s, contact)
        with write_session() as s:
            signer_flow.open_for_signing(s, who, page.req_id, ip_address="203.0.113.5", user_agent="test")
            signer_flow.give_consent(s, who, page.req_id, ip_address="203.0.113.5", user_agent="test")
            signer_flow.sign(s, who, page.req_id, signature_kind="typed", signature={"text": who.name},
                            ip_address="203.0.113.5", user_agent="test")
    page.load()
    assert page.status == "completed" and page.status_label == "Signed by everyone"
    assert [s.status_label for s in page.signers] == ["signed", "signed"]
    assert "IP address 203.0.113.5" in page.signers[0].detail and "consented" in page.signers[0].detail
    assert page.signed_href.endswith("/files/" + str(_signed_document(page.req_id)))
    assert [f.split(":")[0] for f in page.fingerprints] == ["Original SHA-256", "Signed file SHA-256"]
    assert len(page.events) >= 6 and not page.is_draft
    english = [e.text for e in page.events]
    assert english[-1].startswith('Everyone signed; sealed as "Form 8879 – signed.pdf" (SHA-256 ')
    # A member who reads French reads the same timeline in French (recorded once, in English).
    firm["who"]["actor"] = dataclasses.replace(firm["owner"], language="fr")
    page.load()
    french = [e.text for e in page.events]
    assert len(french) == len(english) and french[0].startswith("Olivia Park a préparé")
    assert any(t.startswith("June Hartley a ouvert le document") for t in french)
    assert "Tout le monde a signé" in french[-1] and "sealed" not in french[-1]


def _signed_document(request_id: int) -> int:
    with read_session() as s:
        return s.get(SignatureRequest, request_id).signed_document_id
