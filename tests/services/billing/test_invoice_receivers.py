"""A contact of an account marked "receives invoices": the invoice email goes to the marked contacts only (through a
real SMTP server), to the portal's contacts as before when none is marked; the portal still lists the invoice for
every contact of the account with a login; only members who manage invoices and payments mark them, and only a
contact with an email."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.services.billing import delivery
from practice.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_account, make_contact
from tests.services.billing.test_delivery import issued, invoice_mails, looking_at, server, two_households, work_events

__all__ = ["server"]  # the SMTP server fixture, used by name
pytestmark = pytest.mark.firm(build=two_households)


def mark(firm, who: str, receives: bool = True, actor: str = "owner", account: str = "jones") -> bool:
    with write_session() as s:
        return delivery.set_receives_invoices(s, firm[actor], firm[account], firm[who], receives)


def test_the_invoice_email_goes_only_to_the_contacts_marked_as_receiving_invoices(firm, server):
    with write_session() as s:  # Dee has no portal login; marked, she gets the invoice all the same
        dee = make_contact(s, firm["owner"], [firm["jones"]], "Dee", "Jones").id
    firm["dee"] = dee
    assert mark(firm, "ben") and mark(firm, "dee")
    assert not mark(firm, "ben")  # already marked: nothing changes
    issued(firm)
    work_events()
    assert sorted(m["To"] for m in invoice_mails(server)) == ["ben@jones.example", "dee@jones.example"]
    with read_session() as s:
        assert delivery.invoice_receivers(s, firm["owner"], firm["jones"]) == {firm["ben"], dee}
    # Amy, not marked, still sees the invoice in the portal as every contact with a login does.
    with read_session() as s:
        assert len(delivery.portal_invoices(s, looking_at(firm, "amy", "jones")).invoices) == 1


def test_with_nobody_marked_the_portal_contacts_get_it_as_before(firm, server):
    mark(firm, "ben")
    mark(firm, "ben", False)  # unmarked again: back to the contacts with a portal login and an email
    issued(firm)
    work_events()
    assert sorted(m["To"] for m in invoice_mails(server)) == ["amy@jones.example", "ben@jones.example"]


def test_a_contact_without_an_email_cannot_be_marked_and_strangers_cannot_mark(firm):
    with write_session() as s:
        nomail = make_contact(s, firm["owner"], [firm["jones"]], "Eve", "Jones", email=None).id
    firm["eve"] = nomail
    with pytest.raises(InvalidInput, match="email"):
        mark(firm, "eve")
    with pytest.raises(PermissionDenied):  # an employee without "manage invoices and payments"
        mark(firm, "amy", actor="bob")
    with pytest.raises(NotFound):  # Sam is Smith's contact, not Jones's
        mark(firm, "sam")
    with write_session() as s:
        other = make_account(s, firm["owner"], name="Other").id
    firm["other"] = other
    with pytest.raises(NotFound):
        mark(firm, "amy", account="other")
    with read_session() as s:
        assert delivery.invoice_receivers(s, firm["owner"], firm["jones"]) == set()
