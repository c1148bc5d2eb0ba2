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


def test_a_watcher_starting_late_never_displaces_a_newer_page_views():
    # CI caught a tab without a badge: after a login and an immediate reload, the home page's watcher started
    # after the board's, cancelled it, and was then cancelled itself with the home page's on_load chain.
    import asyncio

    from practice.state import base

    async def scenario():
        home, board = base.next_watch("tab"), base.next_watch("tab")

        async def watcher(view):
            me = base._claim_watcher("tab", view)
            if me is None:
                return "declined"
            try:
                await asyncio.sleep(3600)
            finally:
                base._release_watcher("tab", me, view)

        newer = asyncio.create_task(watcher(board))
        await asyncio.sleep(0)
        late = await watcher(home)  # starts after the board's
        assert late == "declined"
        assert not newer.done() and base.running_watchers() == 1
        newer.cancel()
        await asyncio.gather(newer, return_exceptions=True)
        assert base.running_watchers() == 0 and "tab" not in base._latest_view

    asyncio.run(scenario())
