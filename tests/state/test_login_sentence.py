"""A visitor sent to the login page is told why in words that fit: never logged in, or a session that ended."""
from types import SimpleNamespace

from practice.state.base import login_sentence


def test_a_first_visit_is_asked_to_log_in_and_an_ended_session_is_named():
    assert login_sentence(SimpleNamespace(sid="")) == "Log in to continue."
    assert login_sentence(SimpleNamespace()) == "Log in to continue."
    assert login_sentence(SimpleNamespace(sid="a-cookie-the-server-forgot")) == "Your session has ended. Log in again."
    assert login_sentence(SimpleNamespace(portal_sid="expired")) == "Your session has ended. Log in again."
