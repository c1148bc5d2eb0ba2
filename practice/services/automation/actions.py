"""The effects of rules' actions: one small function per action, listed in the ACTIONS table.

The engine looks an action's name up in ACTIONS and calls it with an `Act` (the rule's robot actor,
the action's arguments, what it acts on); each function does its effect through the services and
returns the sentence the run log shows. `apply_once` runs it once per idempotency key.
Adding an action: one function here and one line in ACTIONS.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, select
from sqlmodel import Session

import rules
from practice import routes
from practice.i18n import N_
from practice.models import ActionEffect, Contact, Job, Pipeline, RuleRun, Signer, Stage, Tag, TeamMember
from practice.services import inbox
from practice.services.actor import Actor
from practice.services.billing import delivery as invoice_delivery, from_rules as rule_invoices, \
    templates as invoice_templates
from practice.services.client_requests import sending as client_requests
from practice.services.chats import messages as chat_messages, notices as chat_notices, templates as message_templates
from practice.services.documents import folder_templates
from practice.services.errors import InvalidInput, NotFound, PracticeError
from practice.services.firm import default_language, language_for
from practice.services.work.facts import account_recipients, template_context
from practice.services.mail import outbox, templates as mail_templates
from practice.services.organizers import sent as sent_organizers
from practice.services.portal import approvals
from practice.services.proposals import sending, templates
from practice.services.signing import requests
from practice.services.work import jobs, tasks
from practice.services.work.accounts import set_account_tag, set_contact_tag
from practice.services.webhooks import from_rules as rule_webhooks
from practice.services.formatting import format_money
from practice.services.automation.explain import give_outcome

W = rules.Words  # a run log sentence kept in words, told in each reader's language (explain.py)
ALREADY_DONE = W(N_("already done before"))


@dataclass
class Target:
    """What a run acts on."""

    job_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None


@dataclass
class Act:
    """One planned action being applied: who acts (the rule's robot), its arguments, what it acts on."""

    actor: Actor
    args: dict
    target: Target
    key: str = ""  # the effect's idempotency key; client-facing items and notifications keep it
    facts: dict = field(default_factory=dict)
    run: RuleRun | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True)
class NotBuilt:
    """An action the language accepts whose feature is not built yet: skipped, the run log says why."""

    feature: str  # plural, as in "chat messages are not available yet"


def apply_once(session: Session, key: str, pa: rules.PlannedAction, target: Target, facts: dict, run: RuleRun,
               depth: int, entry: dict, now: dt.datetime, *, fresh: bool = False) -> bool:
    """Apply an action unless its key shows it already happened; each in its own savepoint."""
    done = None if fresh else session.execute(select(ActionEffect).where(ActionEffect.key == key)).scalars().first()
    if done is not None:
        give_outcome(entry, "done", W(N_("{outcome} (already done before)"), outcome=done.outcome))
        return True
    session.info["practice_depth"] = depth + 1
    try:
        with session.begin_nested():
            outcome = apply_action(session, pa, Act(robot(run.rule_name), pa.args, target, key, facts, run, now))
            session.add(ActionEffect(key=key, run_id=run.id, outcome=outcome))
    except (PracticeError, rules.RulesError) as err:
        give_outcome(entry, "failed", failure(err))
        return False
    finally:
        session.info.pop("practice_depth", None)
    give_outcome(entry, "done", outcome)
    return True


def failure(err: Exception) -> str:
    """Why an action failed, as its words when the error was raised with words (rules.Words)."""
    said = err.args[0] if err.args else None
    if isinstance(said, W):
        return said
    message = getattr(err, "message", None)
    return message if isinstance(message, W) else (message or str(err))


def apply_action(session: Session, pa: rules.PlannedAction, act: Act) -> str:
    """Do one planned action now (its function from ACTIONS); the sentence for the run log."""
    action = ACTIONS.get(pa.action)
    if action is None or isinstance(action, NotBuilt):
        raise InvalidInput(W(N_("The action {action} is not known."), action=pa.action))
    return action(session, act)


def _member(session: Session, name: str) -> TeamMember:
    target = (name or "").strip().lower()
    cache = session.info.setdefault("practice_members", {})  # per transaction, like the rules
    if target in cache:
        return cache[target]
    for m in session.execute(select(TeamMember).where(TeamMember.active == True)).scalars():  # noqa: E712
        if m.name.strip().lower() == target:
            cache[target] = m
            return m
    raise NotFound(W(N_('There is no active team member "{name}".'), name=name))


def _tag(session: Session, name: str) -> Tag:
    target = name.strip().lower()
    cache = session.info.setdefault("practice_tags", {})
    if target in cache:
        return cache[target]
    tag = session.execute(select(Tag).where(func.lower(Tag.name) == target)).scalars().first()
    if tag is None:
        raise NotFound(W(N_('There is no tag "{name}" any more.'), name=name))
    cache[target] = tag
    return tag


def due_date(value) -> dt.date | None:
    """A planned due moment as the date a task or job stores."""
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def robot(rule: str) -> Actor:
    """The actor a rule's effects are done and audited as."""
    return Actor(member_id=None, name=f'Automation "{rule}"', role="owner")


def _account_of(session: Session, target: Target, refusal: str) -> int:
    """The account a client-facing action is for: the trigger's, or its job's; `refusal` when there is none."""
    account_id = target.account_id
    if not account_id and target.job_id:
        job = session.get(Job, target.job_id)
        account_id = job.account_id if job else None
    if not account_id:
        raise InvalidInput(refusal)
    return account_id


def _reminders(a: dict) -> tuple[dt.timedelta | None, int]:
    """`with reminders every N days [up to M times]` as (interval, times); (None, 0) without reminders."""
    if not a.get("reminders"):
        return None, 0
    return approvals.interval_of(a["reminders"]["every"]), int(a["reminders"].get("times") or 1)


def _job_of(act: Act) -> int:
    if not act.target.job_id:
        raise InvalidInput(W(N_("This action needs a job, and the rule has none.")))
    return act.target.job_id


def _with_reminders(text: str, times: int) -> str:
    if not times:
        return text
    return W(N_("{action}, with up to {n} reminder") if times == 1 else N_("{action}, with up to {n} reminders"),
             action=text, n=times)


# What adding or removing tags did, by what was tagged.
TAGS_ADDED = {"account": N_("Added tag {tags} to the account"), "job": N_("Added tag {tags} to the job"),
              "contact": N_("Added tag {tags} to the contact")}
TAGS_REMOVED = {"account": N_("Removed tag {tags} from the account"), "job": N_("Removed tag {tags} from the job"),
                "contact": N_("Removed tag {tags} from the contact")}

# --- the actions ------------------------------------------------------------------------------------


def create_task(session: Session, act: Act) -> str:
    """`create task "TITLE" [for MEMBER] [due ...]` on the run's job."""
    job_id, a = _job_of(act), act.args
    assignee = _member(session, a["assignee"]).id if a.get("assignee") else None
    task = tasks.create_task(session, act.actor, title=a["title"], job_id=job_id, assignee_id=assignee,
                             due_date=due_date(a.get("due")))
    return task_created(task.title, a.get("assignee"))


def task_created(title: str, assignee: str | None) -> str:
    """The run log's sentence for a task a rule created."""
    if assignee:
        return W(N_('Created task "{title}" for {member}'), title=title, member=assignee)
    return W(N_('Created task "{title}"'), title=title)


def create_job(session: Session, act: Act) -> str:
    """`create job "NAME" in PIPELINE for account [due ...]`."""
    a = act.args
    if not act.target.account_id:
        raise InvalidInput(W(N_("Creating a job needs an account, and the rule has none.")))
    pipeline = session.execute(select(Pipeline).where(func.lower(Pipeline.name) == a["pipeline"].lower())
                               ).scalars().first()
    if pipeline is None:
        raise NotFound(pipeline_gone(a["pipeline"]))
    job = jobs.create_job(session, act.actor, account_id=act.target.account_id, pipeline_id=pipeline.id,
                          name=a["name"], due_date=due_date(a.get("due")))
    return job_created(job.name, pipeline.name)


def job_created(name: str, pipeline: str) -> str:
    """The run log's sentence for a job a rule created."""
    return W(N_('Created job "{name}" in {pipeline}'), name=name, pipeline=pipeline)


def pipeline_gone(name: str) -> str:
    return W(N_('There is no pipeline "{name}" any more.'), name=name)


def _change_tags(session: Session, act: Act, present: bool) -> str:
    a, target = act.args, act.target
    names = []
    for name in a["tags"]:
        tag = _tag(session, name)
        if a["target"] == "account":
            if not target.account_id:
                raise InvalidInput(W(N_("There is no account to tag.")))
            set_account_tag(session, act.actor, target.account_id, tag.id, present)
        elif a["target"] == "job":
            if not target.job_id:
                raise InvalidInput(W(N_("There is no job to tag.")))
            jobs.set_job_tag(session, act.actor, target.job_id, tag.id, present)
        else:
            if not target.contact_id:
                raise InvalidInput(W(N_("There is no contact to tag.")))
            set_contact_tag(session, act.actor, target.contact_id, tag.id, present)
        names.append(tag.name)
    return tags_changed(present, a["target"], names)


def tags_changed(present: bool, target: str, names: list[str]) -> str:
    """The run log's sentence for tags a rule added to (or removed from) the account, job or contact."""
    quoted = ", ".join(f'"{n}"' for n in names)
    return W((TAGS_ADDED if present else TAGS_REMOVED)[target], tags=quoted)


def add_tags(session: Session, act: Act) -> str:
    """`add tag "A", "B" to account|job|contact`."""
    return _change_tags(session, act, True)


def remove_tags(session: Session, act: Act) -> str:
    """`remove tag "A" from account|job|contact`."""
    return _change_tags(session, act, False)


def move_job(session: Session, act: Act) -> str:
    """`move job to stage "NAME"` (or to the next stage) in the job's pipeline."""
    job = session.get(Job, _job_of(act))
    stage = session.execute(select(Stage).where(Stage.pipeline_id == job.pipeline_id,
                                                func.lower(Stage.name) == act.args["stage"].lower())).scalars().first()
    if stage is None:
        raise NotFound(W(N_('The job\'s pipeline has no stage "{name}".'), name=act.args["stage"]))
    if job.archived:
        raise InvalidInput(W(N_("The job is archived, so it was not moved.")))
    jobs.move_job(session, act.actor, job.id, stage.id)
    return W(N_('Moved the job to "{stage}"'), stage=stage.name)


def assign_job(session: Session, act: Act) -> str:
    """`assign job to MEMBER`."""
    job_id = _job_of(act)
    member = _member(session, act.args["assignee"])
    jobs.assign_job(session, act.actor, job_id, [member.id])
    return W(N_("Assigned the job to {member}"), member=member.name)


def archive_job(session: Session, act: Act) -> str:
    """`archive job`."""
    jobs.archive_job(session, act.actor, _job_of(act))
    return W(N_("Archived the job"))


def apply_folder_template(session: Session, act: Act) -> str:
    """`apply folder template "NAME"` to the account."""
    if not act.target.account_id:
        raise InvalidInput(W(N_("Applying a folder template needs an account, and the rule has none.")))
    template = folder_templates.template_by_name(session, act.args["template"])
    if template is None:
        raise NotFound(W(N_('There is no folder template "{name}" any more.'), name=act.args["template"]))
    created = folder_templates.apply_folder_template(session, act.actor, act.target.account_id, template.id)
    return W(N_('Applied folder template "{name}" ({n} new folder)') if created == 1 else
             N_('Applied folder template "{name}" ({n} new folders)'), name=template.name, n=created)


def notify(session: Session, act: Act) -> str:
    """`notify MEMBER "TEXT"`: an Inbox+ notification linking to the job or the account."""
    member = _member(session, act.args["member"])
    target = act.target
    link = routes.job_url(target.job_id) if target.job_id else (
        routes.account_url(target.account_id) if target.account_id else "")
    inbox.notify(session, member_id=member.id, text=act.args["text"], link=link, key=act.key)
    return W(N_("Notified {member}"), member=member.name)


def request_approval(session: Session, act: Act) -> str:
    """`request approval of folder "NAME" from account [with reminders every N days up to M times]`."""
    a = act.args
    account_id = _account_of(session, act.target,
                             W(N_("Asking for an approval needs an account, and the rule has none.")))
    every, times = _reminders(a)
    made = approvals.request_folder_approval(session, act.actor, account_id, a["folder"], job_id=act.target.job_id,
                                             remind_every=every, remind_times=times, key=act.key)
    n = len(made)
    return _with_reminders(W(N_('Asked the client to approve {n} document in "{folder}"') if n == 1 else
                             N_('Asked the client to approve {n} documents in "{folder}"'), n=n, folder=a["folder"]),
                           times)


def send_proposal(session: Session, act: Act) -> str:
    """`send proposal "TEMPLATE" to account [with reminders every N days up to M times]`."""
    a = act.args
    account_id = _account_of(session, act.target, W(N_("Sending a proposal needs an account, and the rule has none.")))
    if templates.template_by_name(session, a["template"]) is None:
        raise NotFound(W(N_('There is no proposal template "{name}" any more.'), name=a["template"]))
    every, times = _reminders(a)
    proposal = sending.send_proposal(session, act.actor, account_id, a["template"], job_id=act.target.job_id,
                                       key=act.key, remind_every=every, remind_times=times)
    return _with_reminders(W(N_('Sent proposal "{name}" ({total})'), name=proposal.name,
                             total=format_money(proposal.total_cents)), times)


def send_invoice(session: Session, act: Act) -> str:
    """`send invoice "TEMPLATE" to account [with reminders every N days up to M times]`: the template's invoice for
    the account (and the run's job), issued with the firm's next number; the worker files its PDF and emails the
    billing contacts. Reminders stop once it is paid or void."""
    a = act.args
    account_id = _account_of(session, act.target, W(N_("Sending an invoice needs an account, and the rule has none.")))
    if invoice_templates.template_by_name(session, a["template"]) is None:
        raise NotFound(W(N_('There is no invoice template "{name}" any more.'), name=a["template"]))
    every, times = _reminders(a)
    invoice = rule_invoices.send_from_template(session, act.actor, account_id, a["template"], job_id=act.target.job_id,
                                               key=act.key, remind_every=every, remind_times=times, now=act.now)
    emails = ", ".join(c.email for c in invoice_delivery.billing_contacts(session, account_id))
    if emails:
        sent = W(N_("Sent invoice {number} for {total} to {emails}"), number=invoice.number,
                 total=format_money(invoice.total_cents), emails=emails)
    else:
        sent = W(N_("Sent invoice {number} for {total}: it is in the account's documents, but no contact has a portal "
                    "login and an email to receive it"), number=invoice.number, total=format_money(invoice.total_cents))
    return _with_reminders(sent, times)


def send_organizer(session: Session, act: Act) -> str:
    """`send organizer "TEMPLATE" to account [with reminders every N days up to M times]`: pre-filled with the
    account's last submitted answers to the same template."""
    account_id = _account_of(session, act.target,
                             W(N_("Sending an organizer needs an account, and the rule has none.")))
    every, times = _reminders(act.args)
    organizer = sent_organizers.send_organizer(session, act.actor, account_id, act.args["template"],
                                               job_id=act.target.job_id, key=act.key, remind_every=every,
                                               remind_times=times)
    sent = (W(N_('Sent organizer "{name}" (last year\'s answers filled in)'), name=organizer.name)
            if organizer.previous_id else W(N_('Sent organizer "{name}"'), name=organizer.name))
    return _with_reminders(sent, times)


def send_client_request(session: Session, act: Act) -> str:
    """`send client request "TEMPLATE" to account [with reminders every N days up to M times]`: the template's items
    asked of the account's first contact who can log in to the portal, through a link scoped to the request."""
    account_id = _account_of(session, act.target,
                             W(N_("Sending a client request needs an account, and the rule has none.")))
    if client_requests.template_by_name(session, act.args["template"]) is None:
        raise NotFound(W(N_('There is no client request template "{name}" any more.'), name=act.args["template"]))
    every, times = _reminders(act.args)
    contact = client_requests.default_recipient(session, account_id)
    request = client_requests.send_request(session, act.actor, account_id, template=act.args["template"],
                                           job_id=act.target.job_id, contact_id=contact.id, key=act.key,
                                           remind_every=every, remind_times=times)
    return _with_reminders(W(N_('Sent request "{title}" to {email}'), title=request.title,
                             email=request.recipient_email), times)


def request_signature(session: Session, act: Act) -> str:
    """`request signature on "TEMPLATE" from account [with reminders every N days up to M times]`: the
    template becomes a document of the account, sent to its portal contacts to sign in order."""
    account_id = _account_of(session, act.target,
                             W(N_("Asking for a signature needs an account, and the rule has none.")))
    every, times = _reminders(act.args)
    req = requests.request_from_template(session, act.actor, account_id, act.args["template"],
                                         job_id=act.target.job_id, remind_every=every, remind_times=times,
                                         key=act.key)
    names = ", ".join(s.name for s in session.execute(select(Signer).where(Signer.request_id == req.id)
                                                     .order_by(Signer.position)).scalars())
    return _with_reminders(W(N_('Asked {names} to sign "{title}"'), names=names, title=req.title), times)


def _email_recipients(session: Session, act: Act) -> list[tuple[str, dict | None]]:
    a, to = act.args, act.args.get("to")
    if to == "account":
        if not act.target.account_id:
            raise InvalidInput(W(N_("There is no account to email.")))
        recipients = [(c["email"], c) for c in account_recipients(session, act.target.account_id)]
        if not recipients:
            raise InvalidInput(W(N_("The account has no contact with an email address, so nothing was sent.")))
        return recipients
    if to == "contact":
        contact = act.facts.get("contact")
        if not contact or not contact.get("email"):
            raise InvalidInput(W(N_("The contact has no email address, so nothing was sent.")))
        return [(contact["email"], contact)]
    if to == "member":
        return [(_member(session, a["member"]).email, None)]
    if to == "address":
        return [(a["email"], None)]
    return []


def _reader_language(session: Session, act: Act, contact: dict | None) -> str:
    """The language of an email's reader: the contact's, the member's, else (an address) the firm's default."""
    if contact and contact.get("id"):
        row = session.get(Contact, contact["id"])
        return language_for(session, row.language if row else "")
    if act.args.get("to") == "member":
        return language_for(session, _member(session, act.args["member"]).language)
    return default_language(session)


def send_email(session: Session, act: Act) -> str:
    """`send email "TEMPLATE" to account|contact|MEMBER|"address"`: queued for the mailer, once per address."""
    tpl = mail_templates.template_by_name(session, act.args["template"])
    if tpl is None:
        raise NotFound(W(N_('There is no email template "{name}" any more.'), name=act.args["template"]))
    recipients = _email_recipients(session, act)
    for address, contact in recipients:
        context = template_context(session, dict(act.facts, contact=contact or act.facts.get("contact")), act.now)
        subject, body = mail_templates.render_template(tpl, context, _reader_language(session, act, contact))
        outbox.enqueue(session, to_address=address, subject=subject, body=body, key=f"{act.key}|{address.lower()}",
                       account_id=act.target.account_id, job_id=act.target.job_id, run_id=act.run.id)
    session.info["practice_mail"] = True
    return W(N_('Queued email "{name}" to {addresses}'), name=tpl.name,
             addresses=", ".join(addr for addr, _ in recipients))


def send_message(session: Session, act: Act) -> str:
    """`send message "TEMPLATE" to account`: posted in the account's thread of that subject (about the run's job,
    if any), a new thread when there is none; the client's email notice follows the firm's delay."""
    tpl = message_templates.template_by_name(session, act.args["template"])
    if tpl is None:
        raise NotFound(W(N_('There is no message template "{name}" any more.'), name=act.args["template"]))
    account_id = _account_of(session, act.target, W(N_("Sending a message needs an account, and the rule has none.")))
    context = template_context(session, act.facts, act.now)
    subject, text = message_templates.render(tpl, context, default_language(session))
    thread = message_templates.thread_for_rule(session, act.actor, account_id=account_id, job_id=act.target.job_id,
                                               subject=subject)
    message = chat_messages.write_as_rule(session, act.actor, thread, text)
    every, times = _reminders(act.args)
    if every is not None and times > 0:
        chat_notices.remind_later(session, message, every=every, times=times, key=act.key)
    return _with_reminders(W(N_('Sent message "{name}" in "{thread}"'), name=tpl.name, thread=thread.subject), times)


def send_webhook(session: Session, act: Act) -> str:
    """`send webhook "URL"`: the rule's event, signed, to the address (sent by the mailer after the commit)."""
    queued, url = rule_webhooks.send(session, act.actor, url=act.args["url"], action_key=act.key,
                                     rule=act.run.rule_name if act.run else "",
                                     event_id=act.run.event_id if act.run else None,
                                     job_id=act.target.job_id, account_id=act.target.account_id)
    if not queued:
        return W(N_("Webhook to {url} not sent: it is paused on the webhooks page"), url=url)
    return W(N_("Queued a webhook to {url}"), url=url)


# Every action the rules language can plan (rules.ACTION_NAMES), by name: its function, or NotBuilt.
ACTIONS: dict[str, Callable[[Session, Act], str] | NotBuilt] = {
    "send_email": send_email,
    "send_message": send_message,
    "send_organizer": send_organizer,
    "send_client_request": send_client_request,
    "send_proposal": send_proposal,
    "send_invoice": send_invoice,
    "request_signature": request_signature,
    "request_approval": request_approval,
    "create_task": create_task,
    "create_job": create_job,
    "add_tags": add_tags,
    "remove_tags": remove_tags,
    "apply_folder_template": apply_folder_template,
    "move_job": move_job,
    "assign_job": assign_job,
    "archive_job": archive_job,
    "notify": notify,
    "send_webhook": send_webhook,
}
# Actions accepted but skipped until their feature is built: name → the feature, for sentences.
NOT_AVAILABLE = {name: action.feature for name, action in ACTIONS.items() if isinstance(action, NotBuilt)}
