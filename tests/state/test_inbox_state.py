"""The inbox states' pieces that need no browser: relative times, safe links, and the watcher's declarations."""
import datetime as dt

from practice.state.base import InboxBadgeState
from practice.state.inbox import InboxState, _flag, _safe_link, relative_when

NOW = dt.datetime(2025, 3, 10, 15, 0, tzinfo=dt.timezone.utc)


def test_when_reads_like_a_person_says_it():
    ago = lambda **kw: relative_when(NOW - dt.timedelta(**kw), "UTC", now=NOW)  # noqa: E731
    assert ago(seconds=20) == "just now"
    assert ago(minutes=1) == "1 minute ago"
    assert ago(minutes=5) == "5 minutes ago"
    assert ago(hours=3) == "3 hours ago"
    assert ago(hours=30) == "yesterday"
    assert ago(days=20) == "Feb 18"
    assert ago(days=400) == "2024-02-04"
    # A naive timestamp from SQLite is UTC.
    assert relative_when(NOW.replace(tzinfo=None) - dt.timedelta(minutes=2), "UTC", now=NOW) == "2 minutes ago"


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
