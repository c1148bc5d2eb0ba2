"""The live badges' poller without a browser (the chats journey shows the portal's badge in one): tabs that arrive
together are read together, a navigation reads nothing, a value is pushed only when it changed, and a tab whose
socket left or whose login ended is forgotten."""
import asyncio
import contextlib
from types import SimpleNamespace

from practice.state import base


class FakeApp:
    """What the poller uses of a running Reflex app: the connected tabs, and pushing a state change to one."""

    def __init__(self):
        self.event_namespace = SimpleNamespace(token_to_sid={})
        self.pushed: list[tuple[str, int]] = []

    @contextlib.asynccontextmanager
    async def modify_state(self, token):
        shown = SimpleNamespace(count=None)

        class Root:
            async def get_state(self, _cls):
                return shown

        yield Root()
        self.pushed.append((token.ident, shown.count))


def _show(state, value):
    state.count = value


async def _settle():
    await asyncio.sleep(0.3)


async def until(check, seconds: float = 10.0) -> None:
    """Wait for `check()` (a loaded machine may take a while to run the poller's thread)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the poller did not get there in time"
        await asyncio.sleep(0.02)


def test_one_read_for_many_tabs_pushes_only_changes_and_forgets_gone_tabs(monkeypatch):
    app = FakeApp()
    monkeypatch.setattr(base, "RegistrationContext", SimpleNamespace(get=lambda: SimpleNamespace(app=app)))
    monkeypatch.setattr(base, "POLL_SECONDS", 0.5)
    counts = {"sid-a": 1, "sid-b": 0, "sid-c": 2}
    reads: list[dict] = []

    def read(tabs):
        reads.append(dict(tabs))
        return {token: counts.get(sid) for token, sid in tabs.items()}

    poller = base.TabPoller(base.InboxBadgeState, read, _show)

    async def scenario():
        for token, sid in (("a", "sid-a"), ("b", "sid-b"), ("c", "sid-c")):
            app.event_namespace.token_to_sid[token] = "socket-" + token
            poller.watch(token, sid)
        await until(lambda: len(app.pushed) == 3)
        assert reads == [{"a": "sid-a", "b": "sid-b", "c": "sid-c"}]  # one read for the three new tabs
        assert sorted(app.pushed) == [("a", 1), ("b", 0), ("c", 2)]
        poller.watch("a", "sid-a")  # a navigation in a watched tab: nothing to read
        await _settle()
        assert len(reads) == 1
        app.pushed.clear()
        counts["sid-b"] = 3  # a message for b
        del app.event_namespace.token_to_sid["c"]  # c's tab closed
        await until(lambda: app.pushed)  # the next round
        assert reads[-1] == {"a": "sid-a", "b": "sid-b"}
        assert app.pushed == [("b", 3)]  # a's count did not change: nothing sent to it
        counts.pop("sid-a")  # a's login ended
        await until(lambda: poller.watching() == 1)
        del app.event_namespace.token_to_sid["b"]
        await until(lambda: poller.watching() == 0)  # nobody left: the poller stopped

    asyncio.run(scenario())


def test_a_new_login_in_a_watched_tab_is_read_at_once(monkeypatch):
    app = FakeApp()
    monkeypatch.setattr(base, "RegistrationContext", SimpleNamespace(get=lambda: SimpleNamespace(app=app)))
    monkeypatch.setattr(base, "POLL_SECONDS", 30)
    poller = base.TabPoller(base.InboxBadgeState, lambda tabs: {t: len(s) for t, s in tabs.items()}, _show)

    async def scenario():
        app.event_namespace.token_to_sid["tab"] = "socket"
        poller.watch("tab", "x")
        await until(lambda: app.pushed == [("tab", 1)])
        poller.watch("tab", "yyy")  # logged out and in again as someone else, in the same tab
        await until(lambda: app.pushed == [("tab", 1), ("tab", 3)])  # at once, not in 30 s
        app.event_namespace.token_to_sid.clear()
        poller._woken.set()
        await until(lambda: poller.watching() == 0)

    asyncio.run(scenario())
