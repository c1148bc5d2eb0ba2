"""An admin writes an email template by clicking placeholder chips, and the preview names what is missing."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice.db import read_session
from practice.models import Account, Job
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def account_with_a_job() -> Account:
    with read_session() as s:
        job = s.exec(select(Job).where(Job.archived == False).order_by(Job.id)).first()  # noqa: E712
        return s.get(Account, job.account_id)


def test_a_chip_inserts_its_placeholder_where_the_admin_is_typing(page, base_url):
    account = account_with_a_job()
    log_in(page, base_url)
    page.get_by_role("link", name="Email", exact=True).first.click()
    page.wait_for_url("**/email")
    page.click("#email-nav-templates")
    expect(page).to_have_url(re.compile(r"/email/templates$"))
    page.click("#new-template")
    page.fill("#tpl-name", "Chips")

    # In the body, at the cursor: between "Dear" and the comma.
    body = page.locator("#tpl-body")
    body.fill("Dear ,\nThanks")
    body.evaluate("el => el.setSelectionRange(5, 5)")
    page.get_by_role("button", name="{{ contact.first_name }}").click()
    expect(body).to_have_value("Dear {{ contact.first_name }},\nThanks")
    # In the subject, where the admin clicked last: at its end.
    page.fill("#tpl-subject", "Your organizer ")
    page.get_by_role("button", name="{{ year }}").click()
    expect(page.locator("#tpl-subject")).to_have_value("Your organizer {{ year }}")
    expect(body).to_have_value("Dear {{ contact.first_name }},\nThanks")

    # The preview names a misspelt placeholder, and asks for a job when the template needs one.
    page.fill("#preview-account-search", account.name)
    page.click(f"#preview-account-{account.id}")
    body.fill("Dear {{ contact.firstname }}")
    page.click("#preview-template")
    expect(page.get_by_role("alert")).to_contain_text(
        'Unknown placeholder {{ contact.firstname }} in the email "Chips": did you mean {{ contact.first_name }}?')
    body.fill("{{ job.name }}")
    page.click("#preview-template")
    expect(page.get_by_role("alert")).to_contain_text(
        f"This template uses {{{{ job.name }}}}: choose one of \u201c{account.name}\u201d's jobs above to preview it.")
