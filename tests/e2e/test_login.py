import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_wrong_password_gets_a_sentence_and_keeps_the_email(page, base_url):
    page.goto(base_url + "/login")
    page.fill("#email", "owner@example.com")
    page.fill("#password", "wrong password")
    page.click("#login-submit")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.locator("#email")).to_have_value("owner@example.com")


def test_pages_need_a_login(page, base_url):
    page.goto(base_url + "/accounts")
    page.wait_for_url("**/login")


def test_owner_logs_in_creates_an_account_and_logs_out(page, base_url):
    log_in(page, base_url)
    expect(page.get_by_text("Welcome back, Olivia Park")).to_be_visible()
    page.goto(base_url + "/accounts")
    page.click("#new-account")
    page.fill("#account-name", "Hartley Household")
    page.fill("#contact-first", "June")
    page.fill("#contact-last", "Hartley")
    page.fill("#contact-email", "june@hartley.example")
    page.click("#create-account")
    page.wait_for_url("**/accounts/*")
