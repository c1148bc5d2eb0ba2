"""The inbox states' pieces that need no browser: safe links, and the watcher's declarations."""
from practice.state.base import InboxBadgeState
from practice.state.inbox import InboxState, _flag, _safe_link


def test_only_links_inside_the_app_are_followed():
    assert _safe_link("/jobs/4") == "/jobs/4"
    for bad in ("https://evil.example", "//evil.example", "javascript:alert(1)", "/\\evil.example", ""):
        assert _safe_link(bad) == ""


def test_browser_flags_are_coerced():
    assert _flag(True) and _flag("true") and not _flag(False) and not _flag("false") and not _flag(None)


def test_the_watcher_is_a_guarded_background_event():
    handler = InboxBadgeState.event_handlers["watch_unread"]
    assert handler.is_background
    assert handler.fn.__practice_access__ == "staff"
    assert InboxState.event_handlers["open_note"].fn.__practice_access__ == "staff"
