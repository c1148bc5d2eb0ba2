"""An admin compares two saved versions of the rules: old and new side by side, the changed line highlighted,
a long line wrapped; on a phone the columns stack and nothing is wider than the screen."""
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_versions():
    """The demo firm's rules saved twice more: a short comment, then a very long one in its place."""
    from practice.db import write_session
    from practice.services.actor import SYSTEM
    from practice.services.automation import rulesets

    token = uuid.uuid4().hex[:8]
    with write_session() as s:
        current = rulesets.current_ruleset(s)
        text = (current.text if current else "").rstrip("\n")
        rulesets.save_rules(s, SYSTEM, f"{text}\n# a short comment {token}\n", "short")
        long = f"# a long comment {token} that keeps going " + "and going " * 40
        newest, _ = rulesets.save_rules(s, SYSTEM, f"{text}\n{long}\n", "long")
        return newest.id, token


def open_changes(pg, base_url: str, version_id: int, *, phone: bool = False) -> None:
    log_in(pg, base_url)
    if phone:
        pg.click("#phone-menu")
        pg.get_by_role("menuitem", name="Automations").click()
    else:
        pg.get_by_role("link", name="Automations").first.click()
    pg.wait_for_url("**/automations**")
    pg.click(f"#version-diff-{version_id}")
    expect(pg.locator("#diff-title")).to_contain_text(f"What version {version_id} changed")


def settled_boxes(pg, *locators) -> list[dict]:
    """The boxes of `locators` once the dialog's opening animation has finished (a box read mid-animation is
    scaled, and two read at different moments do not line up)."""
    pg.wait_for_function("document.getAnimations().every(a => a.playState !== 'running'"
                         " || a.effect.getTiming().iterations === Infinity)")
    return [locator.bounding_box() for locator in locators]


def test_changes_are_side_by_side_with_long_lines_wrapped(page, base_url, two_versions):
    version_id, token = two_versions
    open_changes(page, base_url, version_id)
    diff = page.locator("#rules-diff")
    old, new = diff.locator(".diff-old", has_text=f"short comment {token}"), diff.locator(".diff-new", has_text=token)
    expect(old).to_be_visible()
    expect(new).to_be_visible()
    a, b = settled_boxes(page, old, new)
    assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 2  # one row, two columns
    assert b["height"] > 3 * 18  # the long line wraps instead of running off
    assert diff.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.keyboard.press("Escape")
    expect(page.locator("#rules-diff")).to_have_count(0)


def test_on_a_phone_the_columns_stack(phone_page, base_url, two_versions):
    version_id, token = two_versions
    open_changes(phone_page, base_url, version_id, phone=True)
    diff = phone_page.locator("#rules-diff")
    old, new = diff.locator(".diff-old", has_text=f"short comment {token}"), diff.locator(".diff-new", has_text=token)
    expect(new).to_be_visible()
    a, b = settled_boxes(phone_page, old, new)
    assert b["y"] >= a["y"] + a["height"] - 1 and b["x"] < a["x"] + 5  # the new line under the old one
    assert diff.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
