"""The board in a browser: pick a pipeline, drag cards, Move to menu, multi-select, filter, new job, phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def column(pg, stage: str):
    return pg.locator(f'.board-column[data-stage-name="{stage}"]')


def count_of(pg, stage: str) -> int:
    return int(column(pg, stage).locator(".column-count").inner_text())


def card(pg, job_id: str):
    return pg.locator(f'.board-card[data-job-id="{job_id}"]')


def first_card_id(pg, stage: str, nth: int = 0) -> str:
    return column(pg, stage).locator(".board-card").nth(nth).get_attribute("data-job-id")


def pick_pipeline(pg, pipeline: str) -> None:
    """Choose a pipeline with the picker: its id goes in the URL and its columns show."""
    pg.click("#pipeline-picker")
    pg.get_by_role("option", name=pipeline).click()
    pg.wait_for_url(re.compile(r"/board\?pipeline=\d+$"))
    expect(pg.locator("#pipeline-picker")).to_have_text(pipeline)


def open_board(pg, base_url: str) -> None:
    """The board; "1040 Return" comes first by name, so it is the default pipeline."""
    pg.goto(base_url + "/board")
    expect(pg.locator("#pipeline-picker")).to_have_text("1040 Return", timeout=30_000)  # first dev build is slow
    expect(column(pg, "Onboarding")).to_be_visible()


def busy_stage(pg, stages: list[str], at_least: int = 1) -> str:
    """The first of `stages` with enough cards (other journeys move cards around the shared demo)."""
    return next(s for s in stages if count_of(pg, s) >= at_least)


def test_drag_a_card_to_the_next_column_and_it_stays_there(page, base_url):
    log_in(page, base_url)
    open_board(page, base_url)
    pick_pipeline(page, "Payroll")
    expect(column(page, "Run payroll")).to_be_visible()
    expect(column(page, "Onboarding")).to_have_count(0)
    pick_pipeline(page, "1040 Return")
    expect(column(page, "Onboarding")).to_be_visible()
    board_url = page.url
    source = busy_stage(page, ["Onboarding", "Waiting for info", "Preparation"])
    target = {"Onboarding": "Waiting for info", "Waiting for info": "Preparation", "Preparation": "Review"}[source]
    before_source, before_target = count_of(page, source), count_of(page, target)
    job_id = first_card_id(page, source)

    card(page, job_id).drag_to(column(page, target))

    expect(column(page, target).locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    expect(column(page, source).locator(".column-count")).to_have_text(str(before_source - 1))
    expect(column(page, target).locator(".column-count")).to_have_text(str(before_target + 1))
    page.reload()
    expect(column(page, target).locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    assert page.url == board_url


def test_move_to_menu_and_multi_select_move(page, base_url):
    log_in(page, base_url)
    open_board(page, base_url)
    source = busy_stage(page, ["Preparation", "Waiting for info", "Onboarding"])
    job_id = first_card_id(page, source)
    card(page, job_id).locator(".move-to").click()
    page.get_by_role("menuitem", name="Review").click()
    expect(column(page, "Review").locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    expect(column(page, source).locator(f'[data-job-id="{job_id}"]')).to_have_count(0)

    source = busy_stage(page, ["Onboarding", "Waiting for info", "Preparation"], at_least=2)
    picked = [first_card_id(page, source, 0), first_card_id(page, source, 1)]
    before_filed = count_of(page, "Filed")
    for job in picked:
        card(page, job).get_by_role("checkbox").click()
    expect(page.locator("#move-selected")).to_have_text(re.compile("Move 2 selected to"))
    page.click("#move-selected")
    page.get_by_role("menuitem", name="Filed").click()
    expect(page.get_by_text("Moved 2 jobs to \"Filed\".")).to_be_visible()
    for job in picked:
        expect(column(page, "Filed").locator(f'[data-job-id="{job}"]')).to_be_visible()
    expect(column(page, "Filed").locator(".column-count")).to_have_text(str(before_filed + 2))
    expect(page.locator("#move-selected")).to_have_count(0)


def test_filter_by_assignee_shows_only_their_cards(page, base_url):
    log_in(page, base_url)
    open_board(page, base_url)
    page.click("#assignee-filter")
    page.get_by_role("option", name="Carla Diaz").click()
    expect(page.locator("#assignee-filter")).to_have_text("Carla Diaz")
    assignees = page.locator(".board-card .card-assignees")
    expect(assignees.first).to_be_visible()
    texts = assignees.all_inner_texts()
    assert texts and all("Carla Diaz" in t for t in texts)
    shown = sum(count_of(page, s) for s in ["Onboarding", "Waiting for info", "Preparation", "Review", "Filed", "Done"])
    assert shown == len(texts)


def test_a_card_moved_by_someone_else_meanwhile_gets_a_sentence_and_shows_where_it_is(page, base_url):
    from practice.db import write_session
    from practice.services.work import jobs
    from practice.services.actor import SYSTEM

    log_in(page, base_url)
    open_board(page, base_url)
    source = busy_stage(page, ["Onboarding", "Waiting for info", "Preparation"])
    job_id = first_card_id(page, source)
    with write_session() as session:  # another person moves it to "Done" while this screen is open
        done = next(c for c in page.locator('.board-column[data-stage-name="Done"]').all())
        jobs.move_job(session, SYSTEM, int(job_id), int(done.get_attribute("data-stage-id")))

    card(page, job_id).locator(".move-to").click()
    page.get_by_role("menuitem", name="Review").click()
    expect(page.get_by_text(re.compile(r'Someone else moved ".*" to "Done" meanwhile'))).to_be_visible()
    expect(column(page, "Done").locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    expect(column(page, source).locator(f'[data-job-id="{job_id}"]')).to_have_count(0)


def test_new_job_dialog_creates_a_job_in_the_first_stage(page, base_url):
    log_in(page, base_url)
    open_board(page, base_url)
    before = count_of(page, "Onboarding")
    page.click("#new-job")
    expect(page.get_by_role("dialog")).to_be_visible()
    first_match = page.locator(".account-choice").first
    expect(first_match).to_be_visible()
    account = first_match.inner_text()
    page.fill("#new-job-account-search", account)
    page.locator(".account-choice", has_text=account).first.click()
    expect(page.locator("#new-job-account-chosen")).to_have_text(f"For: {account}")
    page.fill("#new-job-name", "Amended return")
    page.fill("#new-job-due", "2031-04-15")
    page.click("#create-job")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(column(page, "Onboarding").get_by_text("Amended return")).to_be_visible()
    expect(column(page, "Onboarding").locator(".column-count")).to_have_text(str(before + 1))


def test_phone_columns_scroll_sideways_and_move_to_menu_works(phone_page, base_url):
    pg = phone_page
    log_in(pg, base_url)
    open_board(pg, base_url)
    strip = pg.locator("#board-stages")
    assert strip.evaluate("el => el.scrollWidth > el.clientWidth + 100")
    source = busy_stage(pg, ["Onboarding", "Waiting for info", "Preparation"])
    job_id = first_card_id(pg, source)
    card(pg, job_id).locator(".move-to").click()
    pg.get_by_role("menuitem", name="Review").click()
    expect(column(pg, "Review").locator(f'[data-job-id="{job_id}"]')).to_be_attached()
    expect(column(pg, source).locator(f'[data-job-id="{job_id}"]')).to_have_count(0)


# Every card on screen: job id, how many times it rendered (data-renders), its column, and whether its element
# is new since the last look (a card that moved is a new element in its new column).
CARDS = """() => [...document.querySelectorAll('.board-card')].map(e => { const fresh = !e.__looked; e.__looked = true;
  return [e.dataset.jobId, Number(e.dataset.renders), e.closest('.board-column').dataset.stageName, fresh]; })"""


def test_a_drop_renders_only_the_two_columns_cards_and_sends_under_2_kib(page, base_url):
    """The cards are memoised: after a drop only cards of the card's old and new columns render again (each card
    counts its renders), the other columns' cards do not, and the update the drop brings is under 2 KiB."""
    received: list[int] = []

    def watch(ws):
        if "_event" in ws.url:
            ws.on("framereceived", lambda p: received.append(len(p.encode() if isinstance(p, str) else p)))

    page.on("websocket", watch)
    page.goto(base_url + "/login", timeout=90_000)  # a loaded machine's first page can take its time
    log_in(page, base_url)
    open_board(page, base_url)
    stages = ["Onboarding", "Waiting for info", "Preparation", "Review", "Filed", "Done"]
    source = busy_stage(page, stages[:3])
    target = stages[stages.index(source) + 1]
    job_id = first_card_id(page, source)
    page.wait_for_timeout(500)  # the page has settled
    before = {c[0]: c for c in page.evaluate(CARDS)}
    others = [c for c in before.values() if c[2] not in (source, target)]
    assert others, "the demo board should have cards in other columns"
    received.clear()

    card(page, job_id).drag_to(column(page, target))

    expect(column(page, target).locator(f'[data-job-id="{job_id}"]')).to_be_visible()
    page.wait_for_timeout(500)
    after = page.evaluate(CARDS)
    rendered = [c for c in after if c[3] or before[c[0]][1] != c[1]]
    assert job_id in [c[0] for c in rendered if c[2] == target]
    assert [c for c in rendered if c[2] not in (source, target)] == []
    assert len([c for c in after if c[2] not in (source, target)]) == len(others)
    assert 0 < sum(received) <= 2048, received



def a_job_waiting_on_its_client(name: str, *, waiting: bool = True) -> str:
    """A new 1040 job (early in Onboarding: the earliest due date) with two client tasks and a client request sent
    to a broker, as staff would have asked them (none if not `waiting`); its id."""
    import datetime as dt

    from sqlmodel import select

    from practice.db import write_session
    from practice.models import Pipeline
    from practice.services.client_requests import sending
    from practice.services.portal import client_tasks
    from practice.services.work import accounts, jobs
    from tests.factories import demo_owner

    owner = demo_owner()
    with write_session() as s:
        pipeline_id = s.exec(select(Pipeline.id).where(Pipeline.name == "1040 Return")).first()
        # An account of its own: the portal journeys read the first account's "needs your attention" list.
        account_id = accounts.create_account(s, owner, name=f"Board check {name}").id
        job = jobs.create_job(s, owner, account_id=account_id, pipeline_id=pipeline_id, name=name,
                              due_date=dt.date(2001, 1, 1))
        if waiting:
            for title in ("Upload your W-2", "Upload your 1099-INT"):
                client_tasks.create_client_task(s, owner, job.id, title=title)
            sending.send_request(s, owner, account_id, job_id=job.id, title="Mortgage documents",
                                 items=[{"kind": "file", "label": "Form 1098"}], email="broker@lender.example")
        return str(job.id)


WAITING = "Waiting on the client: 1 client request, 2 client tasks"


def test_a_card_shows_how_many_items_wait_on_the_client_and_lists_them(page, base_url):
    from sqlmodel import select

    from practice.db import write_session
    from practice.models import ClientRequest
    from practice.services.client_requests import sending
    from tests.factories import demo_owner

    job_id = a_job_waiting_on_its_client("1040 waiting on the client")
    idle = a_job_waiting_on_its_client("1040 nothing waiting", waiting=False)
    log_in(page, base_url)
    open_board(page, base_url)
    badge = card(page, job_id).locator(".card-waiting")
    expect(badge).to_have_text("3")
    expect(badge).to_have_attribute("aria-label", WAITING)
    badge.hover()
    expect(page.get_by_role("tooltip")).to_have_text(WAITING)
    page.reload()
    expect(badge).to_have_text("3")
    expect(page.get_by_role("tooltip")).to_have_count(0)
    badge.focus()  # by keyboard: focusing the badge shows the same list
    expect(page.get_by_role("tooltip")).to_have_text(WAITING)
    # A card with nothing waiting on the client has no badge.
    expect(card(page, idle)).to_be_visible()
    expect(card(page, idle).locator(".card-waiting")).to_have_count(0)
    with write_session() as s:  # the firm revokes the broker's request: one item fewer
        request_id = s.exec(select(ClientRequest.id).where(ClientRequest.job_id == int(job_id))).one()
        sending.revoke(s, demo_owner(), request_id)
    page.reload()
    expect(card(page, job_id).locator(".card-waiting")).to_have_text("2")
    expect(card(page, job_id).locator(".card-waiting")).to_have_attribute("aria-label",
                                                                        "Waiting on the client: 2 client tasks")


def test_on_a_phone_a_tap_on_the_count_lists_what_waits_on_the_client(phone_page, base_url):
    pg = phone_page
    job_id = a_job_waiting_on_its_client("1040 waiting, phone")
    log_in(pg, base_url)
    open_board(pg, base_url)
    badge = card(pg, job_id).locator(".card-waiting")
    expect(badge).to_have_text("3")
    badge.tap()
    expect(pg.locator(".card-waiting-list")).to_have_text(WAITING)
