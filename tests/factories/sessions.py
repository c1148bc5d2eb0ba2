"""A login state's answer, followed as the browser does: the one-time token it sends to /session/start, and the
session id that token opens (what the HttpOnly cookie would hold)."""
from __future__ import annotations

import re

from practice.db import write_session
from practice.services.access import session_handoff

_START = re.compile(r"/session/start\?token=([A-Za-z0-9_-]+)")


def handoff_token(answer) -> str | None:
    """The token in a login handler's answer (a page load of /session/start), or None when it sent none."""
    found = _START.search(str(answer))
    return found.group(1) if found else None


def session_after_login(answer) -> session_handoff.Handoff:
    """Redeem the answer's token as /session/start does: the cookie's kind, session id and next page."""
    token = handoff_token(answer)
    assert token, f"the login did not send the browser to /session/start: {answer!r}"
    with write_session() as s:
        return session_handoff.redeem(s, token)
