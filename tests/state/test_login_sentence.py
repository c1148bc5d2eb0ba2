"""A visitor sent to the login page is told why in words that fit: never logged in, or a session that ended."""
from types import SimpleNamespace

from practice.state.base import login_sentence


def visitor(cookie: str) -> SimpleNamespace:
    """A state whose browser sent this session cookie (staff or portal: each state reads its own)."""
    return SimpleNamespace(_session_id=lambda: cookie)


def test_a_first_visit_is_asked_to_log_in_and_an_ended_session_is_named():
    assert login_sentence(visitor("")) == "Log in to continue."
    assert login_sentence(visitor("a-cookie-the-server-forgot")) == "Your session has ended. Log in again."
