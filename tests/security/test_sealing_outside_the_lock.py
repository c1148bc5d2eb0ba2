"""Issue 20: the last signature's stamping, audit-page layout and sealing (a limited child's layout and pyHanko's
signing: a second or more on a loaded machine) run before the write transaction, not inside it, so other people's
saves wait for none of it. Before, the signing page's write transaction held SQLite's write lock for the whole seal:
every other save in the firm waited as long.

The commit re-checks the request: a cancel that came in while the seal was made wins (nothing is stored), and a seal
made from anything that changed since is made again, inside the transaction, from what is true then."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Document, SignatureRequest, SignatureRequestStatus, utcnow
from practice.services import inbox
from practice.services.errors import Conflict
from practice.services.documents import files as document_files
from practice.services.signing import requests, seal, signer_flow
from practice.state.portal_sign import PortalSignState
from tests.factories import blank_pdf, contact_actor, make_firm, make_household, make_signature_request

UA = "Mozilla/5.0 (test)"
SIGNED = {"signature_kind": "typed", "signature": {"text": "June Hartley"}}


def june_ready_to_sign(monkeypatch):
    """Hartley Household; June, its only signer, has opened a sent request and agreed to sign electronically."""
    with write_session() as s:
        owner = make_firm(s)["owner"]
        hartley, (june,) = make_household(s, owner, "Hartley Household", "Hartley", ("June",))
    doc = document_files.upload(owner, hartley.id, None, "8879.pdf", blank_pdf(3))
    with write_session() as s:
        req = make_signature_request(s, owner, hartley.id, title="Form 8879", document_id=doc.id,
                                     signer_contact_ids=[june.id])
    who = contact_actor(june.id)
    with write_session() as s:
        signer_flow.open_for_signing(s, who, req.id, ip_address="203.0.113.5", user_agent=UA)
        signer_flow.give_consent(s, who, req.id, ip_address="203.0.113.5", user_agent=UA)
    return {"owner": owner, "june": who, "request": req.id, "doc": doc.id}


pytestmark = [pytest.mark.security, pytest.mark.firm(build=june_ready_to_sign)]


def sealed_copies(request_id: int) -> list[Document]:
    with read_session() as s:
        req = s.get(SignatureRequest, request_id)
        return [d for d in s.exec(select(Document).where(Document.account_id == req.account_id))
                if d.name.endswith("signed.pdf")]


def signing_page(firm, monkeypatch) -> PortalSignState:
    """June's signing page with her signature given, as the browser leaves it before she presses Sign."""
    state = PortalSignState()
    monkeypatch.setattr(PortalSignState, "_require", lambda self: firm["june"])
    monkeypatch.setattr(PortalSignState, "_client", lambda self: {"ip_address": "203.0.113.5", "user_agent": UA})
    monkeypatch.setattr(PortalSignState, "_show", lambda self, actor, fresh=False: None)
    state.rid, state._signature, state._values = firm["request"], SIGNED["signature"], {}
    return state


def press_sign(state: PortalSignState) -> None:
    """The Sign button's handler as Reflex runs it (its body; who may call it is the matrix's business)."""
    async def run_it():
        async for _ in PortalSignState.sign.fn.__wrapped__(state):
            pass
    asyncio.run(run_it())


class OtherWriter(threading.Thread):
    """Someone else saving all along (a preference, as a click on the inbox page does): each save's wait is noted."""

    def __init__(self, owner):
        super().__init__(daemon=True)
        self.owner, self.stop, self.saves = owner, threading.Event(), []

    def run(self):
        on = False
        while not self.stop.is_set():
            started = time.monotonic()
            with write_session() as s:
                inbox.set_preference(s, self.owner, "notify", on)
            self.saves.append((started, time.monotonic()))
            on = not on
            time.sleep(0.01)


def test_other_peoples_saves_do_not_wait_for_the_seal(firm, monkeypatch):
    sealing: list[tuple[float, float]] = []
    real_finish = seal.finish

    def timed_finish(*args, **kwargs):  # the real seal, timed
        started = time.monotonic()
        try:
            return real_finish(*args, **kwargs)
        finally:
            sealing.append((started, time.monotonic()))

    monkeypatch.setattr(seal, "finish", timed_finish)
    state = signing_page(firm, monkeypatch)
    other = OtherWriter(firm["owner"])
    other.start()
    try:
        time.sleep(0.2)
        press_sign(state)
        time.sleep(0.2)
    finally:
        other.stop.set()
        other.join(30)

    assert state.error == "", state.error
    with read_session() as s:
        assert s.get(SignatureRequest, firm["request"]).status == SignatureRequestStatus.completed
    assert len(sealed_copies(firm["request"])) == 1
    assert len(sealing) == 1, "the seal was made once"
    start, end = sealing[0]
    took = end - start
    # The saves that overlapped the seal: none waited for a good part of it (before, one waited for all of it).
    during = [done - began for began, done in other.saves if began < end and done > start]
    assert during, "nobody saved while the seal was made"
    print(f"\nthe seal took {took:.2f} s; {len(during)} saves meanwhile, the longest waited {max(during):.3f} s")
    assert max(during) < took / 2, f"a save waited {max(during):.2f} s while the seal took {took:.2f} s"


def test_a_cancel_while_the_seal_is_made_wins(firm):
    now = utcnow()
    with read_session() as s:
        prepared = signer_flow.prepare_seal(s, firm["june"], firm["request"], ip_address="203.0.113.5",
                                            user_agent=UA, now=now, **SIGNED)
    assert prepared is not None
    with write_session() as s:
        requests.cancel(s, firm["owner"], firm["request"])
    with write_session() as s, pytest.raises(Conflict):
        signer_flow.sign(s, firm["june"], firm["request"], ip_address="203.0.113.5", user_agent=UA, now=now,
                         sealed=prepared, **SIGNED)
    with read_session() as s:
        assert s.get(SignatureRequest, firm["request"]).status == SignatureRequestStatus.cancelled
    assert sealed_copies(firm["request"]) == []


def test_a_seal_made_from_what_has_changed_since_is_made_again(firm):
    now = utcnow()
    with read_session() as s:
        prepared = signer_flow.prepare_seal(s, firm["june"], firm["request"], ip_address="203.0.113.5",
                                            user_agent=UA, now=now, **SIGNED)
    # June signs from another address than the one the seal was made with: the audit page must say the real one.
    with write_session() as s:
        signer_flow.sign(s, firm["june"], firm["request"], ip_address="198.51.100.9", user_agent=UA, now=now,
                         sealed=prepared, **SIGNED)
    with read_session() as s:
        req = s.get(SignatureRequest, firm["request"])
        assert req.status == SignatureRequestStatus.completed
        assert req.final_sha256 != prepared.finished.final_sha256


def test_the_seal_made_before_is_the_one_kept(firm):
    now = utcnow()
    with read_session() as s:
        prepared = signer_flow.prepare_seal(s, firm["june"], firm["request"], ip_address="203.0.113.5",
                                            user_agent=UA, now=now, **SIGNED)
    with write_session() as s:
        signer_flow.sign(s, firm["june"], firm["request"], ip_address="203.0.113.5", user_agent=UA, now=now,
                         sealed=prepared, **SIGNED)
    with read_session() as s:
        assert s.get(SignatureRequest, firm["request"]).final_sha256 == prepared.finished.final_sha256


def test_no_seal_is_made_before_a_signature_that_does_not_complete_the_request(firm):
    with write_session() as s:
        requests.cancel(s, firm["owner"], firm["request"])
    with read_session() as s:
        assert signer_flow.prepare_seal(s, firm["june"], firm["request"], now=utcnow(), **SIGNED) is None

