"""Who staff are offered as signers (requests.signer_candidates): contacts with an email and a portal login, invited
or active; the others are listed with why not, and staff who cannot see the account are refused."""
import pytest

from practice.db import read_session, write_session
from practice.services.errors import PermissionDenied
from practice.services.portal import logins
from practice.services.signing import requests
from tests.factories import give_portal_login, make_contact, make_firm, make_household


def hartley_household(monkeypatch):
    """June (active login), Jim (invited), Kay (login withdrawn), Lou (no login), Max (no email)."""
    with write_session() as s:
        staff = make_firm(s, employees={"dave": "Dave Outside"})
        owner = staff["owner"]
        account, (jim, june, kay) = make_household(s, owner, "Hartley Household", "Hartley", ("Jim", "June", "Kay"))
        lou = make_contact(s, owner, [account.id], "Lou", "Hartley")
        max_ = make_contact(s, owner, [account.id], "Max", "Hartley", email=None)
        logins.revoke(s, owner, kay.id)
    give_portal_login(owner, june.id, "a long portal password 1")
    return {**staff, "account": account.id, "ids": {"Jim": jim.id, "June": june.id, "Kay": kay.id, "Lou": lou.id,
                                                    "Max": max_.id}}


pytestmark = pytest.mark.firm(build=hartley_household)


def candidates(firm, who="owner"):
    with read_session() as s:
        return {c.name.split()[0]: c for c in requests.signer_candidates(s, firm[who], firm["account"])}


def test_contacts_with_an_email_and_a_portal_login_are_offered(firm):
    found = candidates(firm)
    assert {name for name, c in found.items() if c.can_sign} == {"June", "Jim"}
    assert found["June"].note == "" and found["Jim"].note == "(invited to the portal, not logged in yet)"
    assert (found["June"].contact_id, found["June"].email) == (firm["ids"]["June"], "june@hartley.example")


def test_the_others_are_listed_with_why_not(firm):
    found = candidates(firm)
    assert {name: c.note for name, c in found.items() if not c.can_sign} == {
        "Kay": requests.NO_PORTAL["revoked"], "Lou": requests.NO_LOGIN, "Max": "has no email address"}


def test_staff_who_cannot_see_the_account_are_refused(firm):
    with pytest.raises(PermissionDenied):
        candidates(firm, "dave")
