"""The portal's guard: contacts never pass staff levels, staff never pass the contact level, and the
portal keeps its own cookie."""
import pytest
from reflex.istate.data import RouterData

from practice.models import Role
from practice.services.actor import Actor
from practice.services.actor import ContactActor
from practice.state.base import ADMIN, ANYONE, CONTACT, OWNER, STAFF, AppState, _permits
from practice.state.portal import PortalState

pytestmark = pytest.mark.security
CONTACT_ACTOR = ContactActor(contact_id=1, name="Amy Jones", account_ids=(1,), current_account_id=1)
OWNER_ACTOR = Actor(1, "Olivia Park", Role.owner)


def test_a_contact_passes_only_anyone_and_contact():
    assert [lvl for lvl in (ANYONE, STAFF, ADMIN, OWNER, CONTACT) if _permits(lvl, CONTACT_ACTOR)] == [ANYONE, CONTACT]


def test_staff_even_the_owner_do_not_pass_the_contact_level():
    assert not _permits(CONTACT, OWNER_ACTOR) and not _permits(CONTACT, None)
    assert _permits(OWNER, OWNER_ACTOR)


def test_the_portal_cookie_is_not_the_staff_cookie():
    both = "practice_sid=staff-session; portal_sid=portal-session"
    staff, portal = AppState(), PortalState()
    for state in (staff, portal):
        state.router = RouterData.from_router_data({"headers": {"cookie": both}})
    assert (staff._session_id(), portal._session_id()) == ("staff-session", "portal-session")
