"""The change bell: a chat message or an Inbox+ notification written anywhere (here, as another process or the
worker would: straight to the database) reaches the live parts of the pages within a second, not at their next
poll, and only the pages that show its account are woken."""
import asyncio
import time
from types import SimpleNamespace

import pytest

from practice.db import write_session
from practice.services import inbox
from practice.services.chats import messages, threads
from practice.state import base
from tests.factories import make_account, make_firm
from tests.state.test_tab_poller import FakeApp, _show, until


def two_accounts(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        owner = staff["owner"]
        jones, smith = make_account(s, owner, name="Jones Household"), make_account(s, owner, name="Smith LLC")
        thread = threads.start_thread(s, owner, account_id=jones.id, subject="2025 return").id
    return {**staff, "jones": jones.id, "smith": smith.id, "thread": thread}


pytestmark = pytest.mark.firm(build=two_accounts)


def write(firm, text="Hi, one more thing."):
    """A staff message committed outside the event loop; returns when it was committed."""
    with write_session() as s:
        messages.write_as_staff(s, firm["owner"], firm["thread"], text)
    return time.monotonic()


def test_a_message_wakes_the_pages_of_its_account_within_a_second(firm):
    bell = base.ChangeBell()

    async def scenario():
        jones = asyncio.create_task(bell.wait(5, account_id=firm["jones"]))
        smith = asyncio.create_task(bell.wait(5, account_id=firm["smith"]))
        anyone = asyncio.create_task(bell.wait(5))
        await asyncio.sleep(0.6)  # the bell has looked once: where things stand
        written = await asyncio.to_thread(write, firm)
        assert await jones is True and await anyone is True
        assert time.monotonic() - written < 1.0
        assert not smith.done()  # another account's page is not woken (it keeps its 2-s poll)
        assert await smith is False

    asyncio.run(scenario())


def test_a_notification_wakes_the_staff_badges(firm):
    bell = base.ChangeBell()

    def notify():
        with write_session() as s:
            inbox.notify(s, member_id=firm["owner"].member_id, text="Amy Jones uploaded a file")

    async def scenario():
        anyone = asyncio.create_task(bell.wait(5))
        jones = asyncio.create_task(bell.wait(2, account_id=firm["jones"]))
        await asyncio.sleep(0.6)
        await asyncio.to_thread(notify)
        assert await anyone is True
        assert await jones is False  # a notification is no chat message on the account

    asyncio.run(scenario())


def test_the_badges_poller_reads_every_tab_as_soon_as_a_message_arrives(firm, monkeypatch):
    app = FakeApp()
    monkeypatch.setattr(base, "RegistrationContext", SimpleNamespace(get=lambda: SimpleNamespace(app=app)))
    monkeypatch.setattr(base, "POLL_SECONDS", 60.0)  # without the bell the next round would be a minute away
    monkeypatch.setattr(base, "CHANGES", base.ChangeBell())
    counts = {"sid-a": 0}
    poller = base.TabPoller(base.InboxBadgeState, lambda tabs: {t: counts[sid] for t, sid in tabs.items()}, _show)

    async def scenario():
        app.event_namespace.token_to_sid["a"] = "socket-a"
        poller.watch("a", "sid-a")
        await until(lambda: app.pushed == [("a", 0)])
        await asyncio.sleep(0.6)
        counts["sid-a"] = 1
        written = await asyncio.to_thread(write, firm)
        await until(lambda: app.pushed == [("a", 0), ("a", 1)], seconds=5)
        assert time.monotonic() - written < 1.0
        del app.event_namespace.token_to_sid["a"]

    asyncio.run(scenario())
