"""Mail service additions behind the email pages (test email, preview, outbox, template deletion) and the
page states themselves: the SMTP password never reaches a browser-visible var."""
import asyncio
import datetime as dt
import json

import pytest
import reflex as rx
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import EmailTemplate, MailStatus, OutgoingMail
from practice.services import firm
from practice.services.mail import outbox, settings as mail_settings, templates as mail_templates
from practice.services.work import accounts
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import actor_of, make_account, make_job, make_member
from tests.smtp import SMTPServer, free_port

SMTP_PASSWORD = "hunter2-very-secret-smtp-pass"


@pytest.fixture
def people(fresh_db):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner", name="Olivia Park"))
        admin = actor_of(make_member(s, role="admin", name="Ann Admin"))
        emp = actor_of(make_member(s, role="employee", name="Bob Staff"))
        firm.update_firm(s, owner, name="Park & Lee CPAs", timezone="America/New_York")
    return {"owner": owner, "admin": admin, "emp": emp}


def configure(actor, port: int, *, password: str | None = None, username: str = ""):
    with write_session() as s:
        mail_settings.update_settings(s, actor, host="127.0.0.1", port=port, security="none", username=username,
                             from_address="office@parklee.example", from_name="Park & Lee", password=password)


# --- settings -----------------------------------------------------------------------------------


def test_the_displayed_settings_leave_the_password_out_but_say_one_is_saved(people):
    configure(people["admin"], 2525, password=SMTP_PASSWORD, username="office")
    with read_session() as s:
        view = mail_settings.settings_for_display(s, people["admin"])
    assert view.password_saved and view.host == "127.0.0.1" and view.port == 2525
    assert SMTP_PASSWORD not in repr(view)
    # No password given keeps the stored one; an empty one removes it.
    configure(people["admin"], 2526, password=None, username="office")
    with read_session() as s:
        assert mail_settings.get_settings(s).password == SMTP_PASSWORD
    configure(people["admin"], 2526, password="", username="office")
    with read_session() as s:
        assert not mail_settings.settings_for_display(s, people["admin"]).password_saved
    with read_session() as s, pytest.raises(PermissionDenied):
        mail_settings.settings_for_display(s, people["emp"])


# --- test email ---------------------------------------------------------------------------------


def test_a_test_email_is_delivered_at_once_and_alone(people):
    with SMTPServer() as server:
        configure(people["admin"], server.port)
        with write_session() as s:
            other = outbox.enqueue(s, to_address="client@example.net", subject="Reminder", body="x")
            test = outbox.send_test_email(s, people["admin"], to="ann@example.com")
        assert outbox.deliver_due(mail_ids=[test.id]) == 1
        (msg,) = server.wait_for(1)
    assert msg["To"] == "ann@example.com"
    assert msg["Subject"] == "Test email from Park & Lee CPAs"
    assert "Ann Admin" in msg.get_payload()
    with read_session() as s:
        assert s.get(OutgoingMail, test.id).status == MailStatus.sent
        assert s.get(OutgoingMail, other.id).status == MailStatus.queued  # left for the worker


def test_a_test_email_needs_a_server_a_valid_address_and_an_admin(people):
    with write_session() as s, pytest.raises(InvalidInput, match="Enter the mail server"):
        outbox.send_test_email(s, people["admin"], to="ann@example.com")
    configure(people["admin"], free_port())
    with write_session() as s, pytest.raises(InvalidInput):
        outbox.send_test_email(s, people["admin"], to="not an address")
    with write_session() as s, pytest.raises(PermissionDenied):
        outbox.send_test_email(s, people["emp"], to="bob@example.com")


# --- templates ----------------------------------------------------------------------------------


def test_an_admin_deletes_a_template_and_an_employee_cannot(people):
    with write_session() as s:
        tpl = mail_templates.save_template(s, people["admin"], name="Welcome", subject="Hi", body="Hello")
    with write_session() as s, pytest.raises(PermissionDenied):
        mail_templates.delete_template(s, people["emp"], tpl.id)
    with write_session() as s:
        assert mail_templates.delete_template(s, people["admin"], tpl.id) == "Welcome"
    with read_session() as s:
        assert s.exec(select(EmailTemplate)).all() == []
    with write_session() as s, pytest.raises(NotFound):
        mail_templates.delete_template(s, people["admin"], tpl.id)


@pytest.fixture
def client(people):
    with write_session() as s:
        account = make_account(s, people["owner"], name="Hartley Household")
        accounts.create_contact(s, people["owner"], account_ids=[account.id], first_name="June", last_name="Hartley",
                                email="june@example.net")
        job = make_job(s, people["owner"], account=account, name="Hartley 1040",
                       due_date=dt.date(2025, 4, 15))
        other_job = make_job(s, people["owner"], name="Other books")
    return {"account": account.id, "job": job.id, "other_job": other_job.id}


def test_a_preview_fills_in_the_account_contact_job_and_firm(people, client):
    with read_session() as s:
        subject, body = mail_templates.preview_template(
            s, people["admin"], subject="{{ job.name }} for {{ account.name }}",
            body="Dear {{ contact.first_name }},\ndue {{ job.due_date }}.\n{{ firm.name }}, {{ year }}",
            account_id=client["account"], job_id=client["job"])
    assert subject == "Hartley 1040 for Hartley Household"
    assert body.startswith("Dear June,\ndue Apr 15, 2025.\nPark & Lee CPAs, 20")  # a date as people write it


def test_a_preview_explains_mistakes_and_refuses_what_the_reader_may_not_see(people, client):
    with read_session() as s:
        with pytest.raises(InvalidInput) as err:
            mail_templates.preview_template(s, people["admin"], subject="x", body="{{ account.nmae }}",
                                  account_id=client["account"])
        assert str(err.value) == ('Unknown placeholder {{ account.nmae }} in the email "draft": did you mean '
                                  "{{ account.name }}?")
        with pytest.raises(InvalidInput, match="mistake on line 1"):
            mail_templates.preview_template(s, people["admin"], subject="x", body="{% if %}", account_id=client["account"])
        with pytest.raises(InvalidInput) as err:
            mail_templates.preview_template(s, people["admin"], subject="x", body="{{ job.name }}",
                                            account_id=client["account"])
        assert str(err.value) == ("This template uses {{ job.name }}: choose one of \u201cHartley Household\u201d's "
                                  "jobs above to preview it.")
        with pytest.raises(InvalidInput, match="another account"):
            mail_templates.preview_template(s, people["admin"], subject="x", body="y", account_id=client["account"],
                                  job_id=client["other_job"])
        with pytest.raises(PermissionDenied):  # Bob is not on the account's team
            mail_templates.preview_template(s, people["emp"], subject="x", body="y", account_id=client["account"])


# --- outbox -------------------------------------------------------------------------------------


def test_the_outbox_lists_newest_first_filters_by_status_and_pages(people):
    with write_session() as s:
        ids = [outbox.enqueue(s, to_address=f"c{i}@example.net", subject=f"S{i}", body="b").id for i in range(5)]
        s.get(OutgoingMail, ids[1]).status = MailStatus.failed
    with read_session() as s:
        assert [m.id for m in outbox.list_outgoing(s, people["admin"])] == ids[::-1]
        assert [m.id for m in outbox.list_outgoing(s, people["admin"], status="failed")] == [ids[1]]
        assert [m.id for m in outbox.list_outgoing(s, people["admin"], before_id=ids[3], limit=2)] == [ids[2], ids[1]]
        with pytest.raises(InvalidInput, match="queued, sending, sent or failed"):
            outbox.list_outgoing(s, people["admin"], status="bogus")
        with pytest.raises(PermissionDenied):
            outbox.list_outgoing(s, people["emp"])


def test_retry_puts_a_failed_mail_back_but_never_resends_a_sent_one(people):
    with write_session() as s:
        failed = outbox.enqueue(s, to_address="a@example.net", subject="x", body="y")
        failed.status, failed.attempts = MailStatus.failed, 6
        sent = outbox.enqueue(s, to_address="b@example.net", subject="x", body="y")
        sent.status = MailStatus.sent
    with write_session() as s:
        row = outbox.retry(s, people["admin"], failed.id)
        assert row.status == MailStatus.queued and row.attempts == 0
    with write_session() as s, pytest.raises(Conflict, match="already sent"):
        outbox.retry(s, people["admin"], sent.id)


# --- page states --------------------------------------------------------------------------------


def page_state(monkeypatch, actor, cls):
    """The page state as the given actor sees it after the page loaded (and its root state)."""
    from practice.state.base import AppState

    monkeypatch.setattr(AppState, "_actor", lambda self: actor)
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.load()
    return root, state


def browser_visible(root) -> str:
    return json.dumps(root.dict(), default=str)


def drain(agen):
    async def run():
        return [item async for item in agen]
    return asyncio.run(run())


@pytest.mark.security
def test_no_page_state_ever_holds_the_smtp_password(people, monkeypatch):
    from practice.state.email import EmailSettingsState, EmailTemplatesState, OutboxState

    configure(people["owner"], free_port(), password=SMTP_PASSWORD, username="office")
    root, state = page_state(monkeypatch, people["admin"], EmailSettingsState)
    assert state.allowed and state.login_stored and state.username == "office"
    # Saving other fields with the password box left empty keeps the password, and still sends none of it.
    closed = free_port()  # nothing listens there (not a fixed port: a local mail catcher may own 2525)
    state.save_settings({"host": "127.0.0.1", "port": str(closed), "security": "none", "username": "office",
                         "from_address": "office@parklee.example", "from_name": "P&L", "smtp_pw": ""})
    drain(state.send_test({"to": "ann@example.com"}))  # fails (closed port): the error sentence is shown
    assert state.test_outcome.startswith(f"Not sent: Could not reach the mail server at 127.0.0.1:{closed}")
    for cls in (EmailTemplatesState, OutboxState):
        page_state(monkeypatch, people["admin"], cls)
    visible = browser_visible(root)
    assert SMTP_PASSWORD not in visible and "hunter2" not in visible
    assert "Could not reach the mail server" in visible  # the dump is the real state, not an empty one
    with read_session() as s:
        assert mail_settings.get_settings(s).password == SMTP_PASSWORD


def test_the_settings_form_replaces_or_removes_the_password_only_when_asked(people, monkeypatch):
    from practice.state.email import EmailSettingsState

    configure(people["owner"], 2525, password=SMTP_PASSWORD, username="office")
    _, state = page_state(monkeypatch, people["admin"], EmailSettingsState)
    base = {"host": "mail.example.com", "port": "587", "security": "starttls", "username": "office",
            "from_address": "office@parklee.example", "from_name": ""}
    state.save_settings(base | {"smtp_pw": "new-pass-123", "forget_pw": False})
    with read_session() as s:
        assert mail_settings.get_settings(s).password == "new-pass-123"
    state.save_settings(base | {"smtp_pw": "", "forget_pw": "on"})
    with read_session() as s:
        assert mail_settings.get_settings(s).password == ""
    assert not state.login_stored
    state.save_settings(base | {"port": "seventy"})
    assert "port is a number" in state.settings_error
    state.save_settings("junk")  # any browser can send anything
    assert state.settings_error


def test_employees_get_no_settings_and_no_outbox(people, monkeypatch):
    from practice.state.email import EmailSettingsState, OutboxState

    configure(people["owner"], 2525, password=SMTP_PASSWORD, username="office")
    root, state = page_state(monkeypatch, people["emp"], EmailSettingsState)
    assert not state.allowed and state.host == "" and state.username == ""
    state.save_settings({"host": "evil.example", "port": "25", "security": "none"})  # refused by @allow
    with read_session() as s:
        assert mail_settings.get_settings(s).host == "127.0.0.1"
    _, outbox_state = page_state(monkeypatch, people["emp"], OutboxState)
    assert not outbox_state.allowed and outbox_state.mails == []


def test_the_template_page_previews_drafts_and_shrugs_off_junk(people, client, monkeypatch):
    from practice.state.email import EmailTemplatesState

    _, state = page_state(monkeypatch, people["admin"], EmailTemplatesState)
    state.new_template()
    state.set_draft_name("Organizer")
    state.set_draft_subject("Your organizer, {{ contact.first_name }}")
    state.set_draft_body("{{ account.name }}: {{ job.name }}")
    asyncio.run(state.preview())
    assert state.preview_error == "Choose an account to preview the email for."
    state.search_accounts("hartley")
    state.choose_account(str(client["account"]))
    state.choose_job(str(client["other_job"]))  # not one of this account's jobs: ignored
    assert state.preview_job_id == ""
    state.choose_job(str(client["job"]))
    asyncio.run(state.preview())
    assert (state.preview_subject, state.preview_body) == ("Your organizer, June", "Hartley Household: Hartley 1040")
    state.set_draft_body("{{ job.nmae }}")
    asyncio.run(state.preview())
    assert state.preview_error == ('Unknown placeholder {{ job.nmae }} in the email "Organizer": did you mean '
                                   "{{ job.name }}?") and not state.has_preview
    # Junk from a browser changes nothing and raises nothing.
    state.open_template("not a number")
    state.choose_account("99999")
    state.set_draft_body({"a": 1})
    asyncio.run(state.save_template())  # awaits its limited child off the event loop
    assert state.editor_error == "" and [t.name for t in state.templates] == ["Organizer"]
