import pytest
from sqlmodel import select

from practice.db import write_session
from practice.models import MailStatus, OutgoingMail
from practice.services.mail import outbox, settings as mail_settings, templates as mail_templates
from practice.services.errors import InvalidInput
from tests.factories import actor_of, make_member
from tests.smtp import SMTPServer, free_port


def configure(port: int, security: str = "none"):
    with write_session() as s:
        owner = actor_of(make_member(s, role="owner"))
        mail_settings.update_settings(s, owner, host="127.0.0.1", port=port, security=security, username="",
                             from_address="office@parklee.example", from_name="Park & Lee")
    return owner


def test_a_queued_mail_arrives_at_the_smtp_server(fresh_db):
    with SMTPServer() as server:
        configure(server.port)
        with write_session() as s:
            outbox.enqueue(s, to_address="june@example.net", subject="Welcome", body="Hello June", key="k1")
        assert outbox.deliver_due() == 1
        (msg,) = server.wait_for(1)
        assert msg["Subject"] == "Welcome"
        assert msg["To"] == "june@example.net"
        assert "Park & Lee" in msg["From"]
        assert msg.get_payload().strip() == "Hello June"
    with write_session() as s:
        row = s.exec(select(OutgoingMail)).one()
        assert row.status == MailStatus.sent and row.sent_at is not None


def test_the_same_key_queues_one_mail(fresh_db):
    configure(free_port())
    with write_session() as s:
        a = outbox.enqueue(s, to_address="a@example.net", subject="x", body="y", key="same")
        b = outbox.enqueue(s, to_address="a@example.net", subject="x", body="y", key="same")
        assert a.id == b.id
        assert len(s.exec(select(OutgoingMail)).all()) == 1


def test_an_unreachable_server_is_explained_and_retried_later(fresh_db):
    configure(free_port())  # nothing listens there
    with write_session() as s:
        outbox.enqueue(s, to_address="a@example.net", subject="x", body="y")
    assert outbox.deliver_due() == 0
    with write_session() as s:
        row = s.exec(select(OutgoingMail)).one()
        assert row.status == MailStatus.queued and row.attempts == 1
        assert "Could not reach the mail server at 127.0.0.1" in row.last_error
        assert row.next_attempt_at > row.created_at
    assert outbox.deliver_due() == 0  # not due yet: backoff


def test_starttls_on_a_server_without_it_says_what_to_change(fresh_db):
    with SMTPServer() as server:
        configure(server.port, security="starttls")
        with write_session() as s:
            outbox.enqueue(s, to_address="a@example.net", subject="x", body="y")
        outbox.deliver_due()
        with write_session() as s:
            row = s.exec(select(OutgoingMail)).one()
        assert "STARTTLS" in row.last_error
        assert server.messages == []


def test_templates_render_with_placeholders_and_refuse_mistakes(fresh_db):
    owner = configure(free_port())
    with write_session() as s:
        tpl = mail_templates.save_template(s, owner, name="Welcome", subject="Welcome, {{ account.name }}",
                                 body="Dear {{ contact.first_name }},\nwelcome.")
        subject, body = mail_templates.render_template(tpl, {"account": {"name": "Hartley"}, "contact": {"first_name": "June"}})
        assert subject == "Welcome, Hartley" and body.startswith("Dear June")
        with pytest.raises(InvalidInput, match="mistake on line"):
            mail_templates.save_template(s, owner, name="Bad", subject="x", body="{% if %}")


def test_employees_cannot_change_mail_settings(fresh_db):
    from practice.services.errors import PermissionDenied

    with write_session() as s:
        emp = actor_of(make_member(s, role="employee"))
        with pytest.raises(PermissionDenied):
            mail_settings.update_settings(s, emp, host="x", port=25, security="none", username="", from_address="")
