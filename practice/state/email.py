"""Email pages: the SMTP settings and a test email, the firm's templates with a preview, the outbox.

The SMTP password is write-only here: no var ever holds it (the settings come from
`mail_settings.settings_for_display`, which leaves it out); the form sends a new one only when typed.
"""
from __future__ import annotations

import asyncio
import dataclasses
from typing import ClassVar

import reflex as rx

from practice.models import MailStatus, OutgoingMail
from practice.services import firm
from practice.services.mail import outbox, settings as mail_settings, templates as mail_templates
from practice.services.work import jobs
from practice.services.errors import PracticeError
from practice.services.formatting import format_datetime
from practice.state.account_picker import AccountPicker
from practice.state.base import ADMIN, STAFF, AppState, allow, read, remount_if_changed, run, run_off_loop, shown_in
from practice.state.views import Option
from practice.state.work_views import is_checked, parse_int
from practice.i18n import N_, _

# (value, label): the page shows each label with t().
SECURITY_CHOICES = [("starttls", N_("STARTTLS (usually port 587)")), ("ssl", N_("SSL/TLS (usually port 465)")),
                    ("none", N_("None (only for a server on this machine or a trusted network)"))]
STATUS_CHOICES = [s.value for s in MailStatus]
OUTBOX_PAGE = 50
MAX_BODY = 50_000


def _text(form: dict, key: str, limit: int) -> str:
    return str(form.get(key, "") or "")[:limit]


def outcome_sentence(row) -> tuple[bool, str]:
    """Whether a just-attempted mail went out, and the sentence that says so (or why not)."""
    if row.status == MailStatus.sent:
        return True, _("Sent to {address}. Check that mailbox to see it arrived.").format(address=row.to_address)
    if row.last_error:
        return False, _("Not sent: {error}").format(error=outbox.error_of(row))
    if row.status == MailStatus.sending:
        return False, _("The mail server has not confirmed the email yet; the outbox shows when it does.")
    return False, _("It is queued and will be sent shortly; the outbox shows the result.")


def _outcome_of(session, mail_id: int) -> tuple[bool, str]:
    row = session.get(OutgoingMail, mail_id)
    return outcome_sentence(row) if row else (False, _("That email no longer exists."))


def _attempt_and_explain(mail_id: int) -> tuple[bool, str]:
    """Try the test email now, with the short deadline (it blocks: run it in a thread), and say how it went."""
    outbox.deliver_due(mail_ids=[mail_id], attempt_limit=outbox.TEST_ATTEMPT_S)
    return read(_outcome_of, mail_id)


async def _answer_soon(mail_id: int) -> tuple[bool, str]:
    """How the test email went, within a few seconds: a server that took the message and is slow to confirm it
    keeps its connection (cut now, it would get the mail twice) while the page says so; the outbox shows the end."""
    attempt = asyncio.ensure_future(asyncio.to_thread(_attempt_and_explain, mail_id))
    try:
        return await asyncio.wait_for(asyncio.shield(attempt), outbox.TEST_ATTEMPT_S + 2)
    except TimeoutError:
        return read(_outcome_of, mail_id)


# --- settings ---------------------------------------------------------------------------------


class EmailSettingsState(AppState):
    allowed: bool = False
    host: str = ""
    port: str = ""
    security: str = "starttls"
    username: str = ""
    from_address: str = ""
    from_name: str = ""
    # Only whether a password is stored: never the password.
    login_stored: bool = False
    form_version: int = 0
    _form_version_shows: str = ""
    error: str = ""
    settings_error: str = ""
    test_to: str = ""
    test_error: str = ""
    test_outcome: str = ""
    test_ok: bool = False
    test_sending: bool = False

    def _refresh(self):
        try:
            view = read(mail_settings.settings_for_display, self._require())
        except PracticeError as err:
            self.error = str(err)
            return
        self.host, self.port, self.security = view.host, str(view.port), view.security
        self.username, self.from_address, self.from_name = view.username, view.from_address, view.from_name
        self.login_stored = view.password_saved
        # Remounts the form so its default values show what was just saved (only when they changed: a late page
        # load must not wipe what is being typed).
        remount_if_changed(self, "form_version", (view.host, view.port, view.security, view.username,
                                                  view.from_address, view.from_name))

    @allow(STAFF)
    def load(self):
        """Employees get the plain 'admins only' sentence and none of the settings."""
        actor = self._require()
        self.error = self.settings_error = self.test_error = self.test_outcome = ""
        self.test_sending = False
        self.allowed = actor.is_admin
        if self.allowed:
            self._refresh()

    @allow(ADMIN)
    def save_settings(self, form: dict):
        form = form if isinstance(form, dict) else {}
        typed = _text(form, "smtp_pw", 500)
        password = "" if is_checked(form.get("forget_pw")) else (typed or None)
        with shown_in(self, "settings_error"):
            run(mail_settings.update_settings, self._require(), host=_text(form, "host", 255),
                port=_text(form, "port", 10).strip(), security=_text(form, "security", 20),
                username=_text(form, "username", 255), from_address=_text(form, "from_address", 254),
                from_name=_text(form, "from_name", 200), password=password)
            self.settings_error = ""
            self._refresh()
            self.form_version += 1  # the password field empties once saved
            return rx.toast.success(_('Email settings saved.'))
        return None

    @allow(ADMIN)
    async def send_test(self, form: dict):
        """Queue a test email and deliver it at once, then say whether it went out and, if not, why."""
        form = form if isinstance(form, dict) else {}
        self.test_to = _text(form, "to", 254).strip()
        self.test_outcome, self.test_error = "", ""
        try:
            queued = run(outbox.send_test_email, self._require(), to=self.test_to)
        except PracticeError as err:
            self.test_error = str(err)
            return
        self.test_sending = True
        yield
        self.test_ok, self.test_outcome = await _answer_soon(queued.id)
        self.test_sending = False


# --- templates --------------------------------------------------------------------------------


@dataclasses.dataclass
class TemplateItem:
    id: int = 0
    name: str = ""
    subject: str = ""


def _job_options(session, actor, account_id: int) -> list[Option]:
    return [Option(value=str(job.id), label=f"{job.name} ({pipeline}: {stage})")
            for job, pipeline, stage in jobs.jobs_of_account(session, actor, account_id)]


class EmailTemplatesState(AccountPicker, AppState):
    # The account picker: refusals shown in preview_error; an empty search lists the first accounts.
    PICKER_ERROR_FIELD: ClassVar[str] = "preview_error"
    PICKER_LISTS_ON_EMPTY: ClassVar[bool] = True
    templates: list[TemplateItem] = []
    error: str = ""
    editing: bool = False
    template_id: int = 0
    draft_name: str = ""
    draft_subject: str = ""
    draft_body: str = ""
    # The French version, for contacts who read French (empty: they get the text above).
    draft_subject_fr: str = ""
    draft_body_fr: str = ""
    editor_error: str = ""
    delete_open: bool = False
    preview_account_id: str = ""
    preview_account_name: str = ""
    job_options: list[Option] = []
    preview_job_id: str = ""
    preview_subject: str = ""
    preview_body: str = ""
    preview_error: str = ""
    has_preview: bool = False

    def _refresh(self):
        self.error, self.templates = "", []
        with shown_in(self, "error"):
            self.templates = [TemplateItem(id=t.id, name=t.name, subject=t.subject) for t in read(mail_templates.list_templates)]

    def _clear_preview(self):
        self.preview_subject = self.preview_body = self.preview_error = ""
        self.has_preview = False

    @allow(STAFF)
    def load(self):
        self.editing, self.delete_open = False, False
        self.editor_error = ""
        self.account_query = ""
        self._clear_preview()
        self._refresh()
        self._search_accounts()

    @allow(ADMIN)
    def new_template(self):
        self.template_id, self.draft_name, self.draft_subject, self.draft_body = 0, "", "", ""
        self.draft_subject_fr, self.draft_body_fr = "", ""
        self.editor_error = ""
        self._clear_preview()
        self.editing = True

    @allow(STAFF)
    def open_template(self, template_id: int):
        try:
            tpl = read(mail_templates.get_template, parse_int(template_id))
        except PracticeError as err:
            self._refresh()
            self.error = str(err)
            return
        self.template_id, self.draft_name, self.draft_subject, self.draft_body = tpl.id, tpl.name, tpl.subject, tpl.body
        self.draft_subject_fr, self.draft_body_fr = tpl.subject_fr, tpl.body_fr
        self.editor_error = ""
        self._clear_preview()
        self.editing = True

    @allow(STAFF)
    def close_editor(self):
        self.editing, self.delete_open = False, False
        self.editor_error = ""
        self._clear_preview()

    @allow(ADMIN)
    def set_draft_name(self, value: str):
        self.draft_name = str(value or "")[:120]

    @allow(ADMIN)
    def set_draft_subject(self, value: str):
        self.draft_subject = str(value or "")[:500]

    @allow(ADMIN)
    def set_draft_body(self, value: str):
        self.draft_body = str(value or "")[:MAX_BODY]

    @allow(ADMIN)
    def set_draft_subject_fr(self, value: str):
        self.draft_subject_fr = str(value or "")[:500]

    @allow(ADMIN)
    def set_draft_body_fr(self, value: str):
        self.draft_body_fr = str(value or "")[:MAX_BODY]

    @allow(ADMIN)
    async def save_template(self):
        """Save the draft; its subject and body are checked by a limited child, awaited off the event loop."""
        with shown_in(self, "editor_error"):
            tpl = await run_off_loop(mail_templates.save_template, self._require(), name=self.draft_name,
                                     subject=self.draft_subject, body=self.draft_body,
                                     subject_fr=self.draft_subject_fr, body_fr=self.draft_body_fr,
                                     template_id=self.template_id or None)
            self.editor_error = ""
            self.template_id, self.draft_name = tpl.id, tpl.name
            self._refresh()
            return rx.toast.success(_('Saved email template "{name}".').format(name=tpl.name))
        return None

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        self.delete_open = value is True and self.template_id > 0

    @allow(ADMIN)
    def delete_template(self):
        self.delete_open = False
        with shown_in(self, "editor_error"):
            name = run(mail_templates.delete_template, self._require(), self.template_id)
            self.editing, self.template_id = False, 0
            self._refresh()
            return rx.toast.success(_('Deleted email template "{name}".').format(name=name))
        return None

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id, keep_search=True)
        if not match:
            return
        with shown_in(self, "preview_error"):
            self._show_account_jobs(match, read(_job_options, self._require(), int(match.value)))

    def _show_account_jobs(self, match: Option, options: list[Option]) -> None:
        self.preview_account_id, self.preview_account_name = match.value, match.label
        self.job_options, self.preview_job_id = options, ""
        self._clear_preview()

    @allow(STAFF)
    def choose_job(self, job_id: str):
        job_id = str(job_id or "")
        self.preview_job_id = job_id if job_id in {o.value for o in self.job_options} else ""

    @allow(STAFF)
    async def preview(self):
        """Fill the template being edited in for the chosen account (and job), without saving it (off the event
        loop: other people's clicks are answered while the limited child works)."""
        self._clear_preview()
        if not self.preview_account_id:
            self.preview_error = _('Choose an account to preview the email for.')
            return
        with shown_in(self, "preview_error"):
            self.preview_subject, self.preview_body = await asyncio.to_thread(
                read, mail_templates.preview_template, self._require(), subject=self.draft_subject, body=self.draft_body,
                name=self.draft_name, account_id=parse_int(self.preview_account_id), job_id=parse_int(self.preview_job_id) or None)
            self.has_preview = True


# --- outbox -----------------------------------------------------------------------------------


@dataclasses.dataclass
class OutboxItem:
    id: int = 0
    to_address: str = ""
    subject: str = ""
    status: str = ""
    attempts: int = 0
    next_attempt: str = ""
    last_error: str = ""
    sent_at: str = ""
    created: str = ""
    can_retry: bool = False


def _outbox_page(session, actor, *, status: str, before_id: int | None):
    rows = outbox.list_outgoing(session, actor, status=status or None, before_id=before_id, limit=OUTBOX_PAGE + 1)
    zone = firm.get_firm(session).timezone
    items = [OutboxItem(id=m.id, to_address=m.to_address, subject=m.subject, status=m.status.value, attempts=m.attempts,
                        next_attempt=format_datetime(m.next_attempt_at, zone) if m.status == MailStatus.queued else "",
                        last_error=outbox.error_of(m), sent_at=format_datetime(m.sent_at, zone), created=format_datetime(m.created_at, zone),
                        can_retry=m.status in (MailStatus.queued, MailStatus.failed))
             for m in rows[:OUTBOX_PAGE]]
    return items, len(rows) > OUTBOX_PAGE, zone


class OutboxState(AppState):
    allowed: bool = False
    mails: list[OutboxItem] = []
    has_more: bool = False
    status_filter: str = ""
    timezone: str = ""
    error: str = ""
    retrying_id: int = 0

    def _query(self, *, older: bool = False):
        before = self.mails[-1].id if older and self.mails else None
        with shown_in(self, "error"):
            rows, self.has_more, self.timezone = read(_outbox_page, self._require(), status=self.status_filter,
                                                      before_id=before)
            self.mails = (self.mails + rows) if older else rows
            self.error = ""

    @allow(STAFF)
    def load(self):
        """Employees get the plain 'admins only' sentence and no mails at all."""
        actor = self._require()
        self.mails, self.has_more, self.error, self.retrying_id = [], False, "", 0
        self.allowed = actor.is_admin
        if self.allowed:
            self._query()

    @allow(ADMIN)
    def set_status_filter(self, value: str):
        value = str(value or "")
        self.status_filter = value if value in STATUS_CHOICES else ""
        self._query()

    @allow(ADMIN)
    def load_older(self):
        self._query(older=True)

    @allow(ADMIN)
    def refresh(self):
        self._query()

    @allow(ADMIN)
    async def retry_now(self, mail_id: int):
        """Put a queued or failed mail back in the queue and try it at once."""
        mail_id = parse_int(mail_id)
        try:
            run(outbox.retry, self._require(), mail_id)
        except PracticeError:
            self._query()
            raise
        self.retrying_id = mail_id
        yield
        ok, sentence = await asyncio.to_thread(_attempt_and_explain, mail_id)
        self.retrying_id = 0
        self._query()
        yield rx.toast.success(sentence) if ok else rx.toast.error(sentence)
