"""What each rule action may name and needs carried: one check per action kind, looked up in
the literal table ``ACTION_CHECKS`` by the checker (``Checker.check_action``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from . import ast as A
from .errors import RuleMeaningError
from .language import N_, Words
from .placeholders import has_placeholders

_REMINDER_KINDS = ("message", "organizer", "proposal", "invoice", "client request")
# What is sent, with its article: "an organizer can only be sent to account".
_SENT = {"email": N_("an email"), "message": N_("a message"), "organizer": N_("an organizer"),
         "proposal": N_("a proposal"), "invoice": N_("an invoice"), "client request": N_("a client request")}


def _sent(kind: str) -> Words:
    return Words(_SENT.get(kind, "{kind}"), kind=kind)


# Each check takes the checker (its name and value checks, and the error list) and the rule's
# context. The order of the calls is the order of errors on one span.

def check_send(checker, a: A.Send, ctx) -> None:
    checker.template(a.kind, a.template)
    if a.kind == "email":
        checker.recipient(a.to, ctx)
    elif not (isinstance(a.to, A.Entity) and a.to.name == "account"):
        checker.err(RuleMeaningError, Words(N_("{what} can only be sent to account"), what=_sent(a.kind)),
                    a.to.span, Words(N_("write: {example}"), example=f'send {a.kind} "..." to account'))
    else:
        checker.needs("account", ctx, a.to.span, f"send {a.kind}")
    if a.reminders is not None and a.kind not in _REMINDER_KINDS:
        checker.err(RuleMeaningError, Words(N_("{what} can't have reminders"), what=_sent(a.kind)), a.reminders.span,
                    Words(N_("reminders are for messages, organizers, proposals, invoices, client requests, "
                             "signatures and approvals")))
    checker.reminders(a.reminders)


def _asks_the_account(checker, a, ctx, what: str) -> None:
    if not (isinstance(a.source, A.Entity) and a.source.name == "account"):
        checker.err(RuleMeaningError, Words(N_("{what} can only ask the account"), what=what), a.source.span,
                    Words(N_("write: {example}"), example=f"{what} ... from account"))
    else:
        checker.needs("account", ctx, a.source.span, what)
    checker.reminders(a.reminders)


def check_request_signature(checker, a: A.RequestSignature, ctx) -> None:
    checker.template("document", a.template)
    _asks_the_account(checker, a, ctx, "request signature")


def check_request_approval(checker, a: A.RequestApproval, ctx) -> None:
    checker.no_placeholder_in_name(a.folder)
    _asks_the_account(checker, a, ctx, "request approval")


def check_create_task(checker, a: A.CreateTask, ctx) -> None:
    checker.needs("job", ctx, a.span, Words(N_("create task (a task is linked to the job)")))
    if a.assignee is not None:
        checker.assignee(a.assignee, ctx)
    checker.free_text(a.title, ctx)
    checker.due(a.due, ctx)


def check_create_job(checker, a: A.CreateJob, ctx) -> None:
    checker.needs("account", ctx, a.span, Words(N_("create job (a job belongs to an account)")))
    checker.pipeline(a.pipeline)
    checker.free_text(a.name, ctx)
    checker.due(a.due, ctx)


def check_change_tags(checker, a: A.ChangeTags, ctx) -> None:
    verb = "add tag" if a.add else "remove tag"
    checker.needs(a.target.name, ctx, a.target.span, f"{verb} ... {a.target.name}")
    for t in a.tags:
        checker.tag(t)


def check_apply_folder_template(checker, a: A.ApplyFolderTemplate, ctx) -> None:
    checker.needs("account", ctx, a.span, "apply folder template")
    checker.template("folder", a.template)


def check_move_job(checker, a: A.MoveJob, ctx) -> None:
    checker.needs("job", ctx, a.span, "move job")
    if a.stage is not None:
        checker.stage(a.stage, ctx.pipeline)


def check_assign_job(checker, a: A.AssignJob, ctx) -> None:
    checker.needs("job", ctx, a.span, "assign job")
    checker.assignee(a.assignee, ctx)


def check_archive_job(checker, a: A.ArchiveJob, ctx) -> None:
    checker.needs("job", ctx, a.span, "archive job")


def check_notify(checker, a: A.Notify, ctx) -> None:
    checker.assignee(a.assignee, ctx)
    checker.free_text(a.text, ctx)


def _webhook_address_problem(url: str):
    """Why ``url`` can't be a webhook's address (in words), or None. Which addresses the firm allows (public ones
    only, or its own network too) is the app's to check when the rule runs."""
    example = Words(N_('write it like "https://example.com/hooks"'))
    if not url.strip():
        return Words(N_("the webhook has no address")), example
    parts = urlsplit(url.strip())
    if any(c.isspace() for c in url.strip()) or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Words(N_('"{value}" is not a web address: a webhook goes to an address that starts with https://'),
                     value=url), example
    if parts.username or parts.password:
        return (Words(N_("leave the user name and password out of the webhook's address: each webhook is signed "
                         "instead")), example)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return Words(N_('the port in "{value}" is not a number'), value=url), example
    return None


def check_send_webhook(checker, a: A.SendWebhook, ctx) -> None:
    if has_placeholders(a.url.value):
        checker.err(RuleMeaningError, Words(N_("placeholders like {{{{ ... }}}} can't be used in a webhook's address")),
                    a.url.span, Words(N_("the webhook carries the rule's job and account itself")))
        return
    problem = _webhook_address_problem(a.url.value)
    if problem is not None:
        checker.err(RuleMeaningError, problem[0], a.url.span, problem[1])


ACTION_CHECKS = {
    A.Send: check_send,
    A.RequestSignature: check_request_signature,
    A.RequestApproval: check_request_approval,
    A.CreateTask: check_create_task,
    A.CreateJob: check_create_job,
    A.ChangeTags: check_change_tags,
    A.ApplyFolderTemplate: check_apply_folder_template,
    A.MoveJob: check_move_job,
    A.AssignJob: check_assign_job,
    A.ArchiveJob: check_archive_job,
    A.Notify: check_notify,
    A.SendWebhook: check_send_webhook,
}
