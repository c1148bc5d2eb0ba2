"""A page's on-load handlers run before what a person does on it (practice/navigation_order.py).

The journey does what a busy browser lets a quick person do: the moment the "Forgot password?" link has put the new
page on screen, in the same turn of the page's script, before React's ordinary effects have run, it fills the email
and sends the form. Sent before the page's on-load handlers, the request was answered first and the handlers then
started the page afresh: the "on its way" sentence went (a CI run's password-reset journey failed so)."""
import pytest
from playwright.sync_api import expect

from practice import routes
from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e

SEND_ON_ARRIVAL = """() => new Promise((resolve) => {
  // Called back (as a microtask) right after React has put the new page in the document, before its next task.
  const watcher = new MutationObserver(() => {
    const email = document.querySelector("#forgot-email");
    if (!email) return;
    watcher.disconnect();
    email.value = "nobody@nowhere.example";
    email.form.requestSubmit();
    resolve(location.pathname);
  });
  watcher.observe(document.body, {childList: true, subtree: true});
  document.querySelector("#forgot-password-link").click();
})"""


def test_a_form_sent_the_moment_its_page_appears_keeps_its_answer(page, base_url):
    page.goto(base_url + routes.LOGIN)
    assert page.evaluate(SEND_ON_ARRIVAL) == routes.FORGOT_PASSWORD
    notice = page.get_by_role("status").filter(has_text="a link to choose a new password is on its way")
    expect(notice).to_be_visible()
    assert settle(page), "the page's on-load handlers never said they were done"
    expect(notice).to_be_visible()
    assert page.input_value("#forgot-email") == "", "the form was sent (and emptied) once"
