"""The inbox states' pieces that need no browser: safe links, and who may call the handlers."""
from practice.state.base import InboxBadgeState
from practice.state.inbox import InboxState, _flag, _safe_link


def test_only_links_inside_the_app_are_followed():
    assert _safe_link("/jobs/4") == "/jobs/4"
    for bad in ("https://evil.example", "//evil.example", "javascript:alert(1)", "/\\evil.example", ""):
        assert _safe_link(bad) == ""


def test_browser_flags_are_coerced():
    assert _flag(True) and _flag("true") and not _flag(False) and not _flag("false") and not _flag(None)


def test_the_inbox_handlers_are_for_staff():
    assert InboxState.event_handlers["open_note"].fn.__practice_access__ == "staff"
    assert "watch_unread" not in InboxBadgeState.event_handlers  # the badges' poller is no event anyone can call
