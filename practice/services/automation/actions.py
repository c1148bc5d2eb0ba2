"""The effects of rules' actions: each planned action applied once (its key says if it already happened)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

import rules
from practice import routes
from practice.models import ActionEffect, Job, Pipeline, RuleRun, Signer, Stage, Tag, TeamMember
from practice.services import inbox
from practice.services.actor import Actor
from practice.services.documents import documents
from practice.services.errors import InvalidInput, NotFound, PracticeError
from practice.services.facts import account_recipients, template_context
from practice.services.mail import outbox, templates as mail_templates
from practice.services.portal import approvals
from practice.services.proposals import proposals
from practice.services.signing import signatures
from practice.services.work import jobs, tasks
from practice.services.work.accounts import set_account_tag, set_contact_tag

# Actions the language accepts whose feature is not built yet: skipped, with this reason.
# Actions the language accepts whose feature is not built yet: skipped, with this reason.
NOT_AVAILABLE = {
    "send_message": "chat messages", "send_organizer": "organizers",
    "send_invoice": "invoices",
}

@dataclass
class Target:
    """What a run acts on."""

    job_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None

def apply_once(session: Session, key: str, pa: rules.PlannedAction, target: Target, facts: dict, run: RuleRun,
              depth: int, entry: dict, now: dt.datetime, *, fresh: bool = False) -> bool:
    """Apply an action unless its key shows it already happened; each in its own savepoint."""
    done = None if fresh else session.execute(select(ActionEffect).where(ActionEffect.key == key)).scalars().first()
    if done is not None:
        entry["status"], entry["outcome"] = "done", f"{done.outcome} (already done before)"
        return True
    session.info["practice_depth"] = depth + 1
    try:
        with session.begin_nested():
            outcome = _apply(session, pa, target, facts, run, key, now)
            session.add(ActionEffect(key=key, run_id=run.id, outcome=outcome))
    except (PracticeError, rules.RulesError) as err:
        entry["status"], entry["outcome"] = "failed", getattr(err, "message", None) or str(err)
        return False
    finally:
        session.info.pop("practice_depth", None)
    entry["status"], entry["outcome"] = "done", outcome
    return True


def _member(session: Session, name: str) -> TeamMember:
    target = (name or "").strip().lower()
    cache = session.info.setdefault("practice_members", {})  # per transaction, like the rules
    if target in cache:
        return cache[target]
    for m in session.execute(select(TeamMember).where(TeamMember.active == True)).scalars():  # noqa: E712
        if m.name.strip().lower() == target:
            cache[target] = m
            return m
    raise NotFound(f'There is no active team member "{name}".')


def _tag(session: Session, name: str) -> Tag:
    target = name.strip().lower()
    cache = session.info.setdefault("practice_tags", {})
    if target in cache:
        return cache[target]
    tag = session.execute(select(Tag).where(func.lower(Tag.name) == target)).scalars().first()
    if tag is None:
        raise NotFound(f'There is no tag "{name}" any more.')
    cache[target] = tag
    return tag


def due_date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def robot(rule: str) -> Actor:
    return Actor(member_id=None, name=f'Automation "{rule}"', role="owner")


def _apply(session: Session, pa: rules.PlannedAction, target: Target, facts: dict, run: RuleRun, key: str,
           now: dt.datetime) -> str:
    actor = robot(run.rule_name)
    a = pa.args
    if pa.action in ("create_task", "move_job", "assign_job", "archive_job") and not target.job_id:
        raise InvalidInput("This action needs a job, and the rule has none.")
    if pa.action == "send_email":
        return _send_email(session, a, target, facts, run, key, now)
    if pa.action == "create_task":
        assignee = _member(session, a["assignee"]).id if a.get("assignee") else None
        task = tasks.create_task(session, actor, title=a["title"], job_id=target.job_id, assignee_id=assignee,
                                 due_date=due_date(a.get("due")))
        return f'Created task "{task.title}"' + (f' for {a["assignee"]}' if a.get("assignee") else "")
    if pa.action == "create_job":
        if not target.account_id:
            raise InvalidInput("Creating a job needs an account, and the rule has none.")
        pipeline = session.execute(select(Pipeline).where(func.lower(Pipeline.name) == a["pipeline"].lower())).scalars().first()
        if pipeline is None:
            raise NotFound(f'There is no pipeline "{a["pipeline"]}" any more.')
        job = jobs.create_job(session, actor, account_id=target.account_id, pipeline_id=pipeline.id, name=a["name"],
                              due_date=due_date(a.get("due")))
        return f'Created job "{job.name}" in {pipeline.name}'
    if pa.action in ("add_tags", "remove_tags"):
        present = pa.action == "add_tags"
        names = []
        for name in a["tags"]:
            tag = _tag(session, name)
            if a["target"] == "account":
                if not target.account_id:
                    raise InvalidInput("There is no account to tag.")
                set_account_tag(session, actor, target.account_id, tag.id, present)
            elif a["target"] == "job":
                if not target.job_id:
                    raise InvalidInput("There is no job to tag.")
                jobs.set_job_tag(session, actor, target.job_id, tag.id, present)
            else:
                if not target.contact_id:
                    raise InvalidInput("There is no contact to tag.")
                set_contact_tag(session, actor, target.contact_id, tag.id, present)
            names.append(tag.name)
        quoted = ", ".join(f'"{n}"' for n in names)
        return f"{'Added' if present else 'Removed'} tag {quoted} {'to' if present else 'from'} the {a['target']}"
    if pa.action == "move_job":
        job = session.get(Job, target.job_id)
        stage = session.execute(select(Stage).where(Stage.pipeline_id == job.pipeline_id,
                                                    func.lower(Stage.name) == a["stage"].lower())).scalars().first()
        if stage is None:
            raise NotFound(f'The job\'s pipeline has no stage "{a["stage"]}".')
        if job.archived:
            raise InvalidInput("The job is archived, so it was not moved.")
        jobs.move_job(session, actor, job.id, stage.id)
        return f'Moved the job to "{stage.name}"'
    if pa.action == "assign_job":
        member = _member(session, a["assignee"])
        jobs.assign_job(session, actor, target.job_id, [member.id])
        return f"Assigned the job to {member.name}"
    if pa.action == "archive_job":
        jobs.archive_job(session, actor, target.job_id)
        return "Archived the job"
    if pa.action == "apply_folder_template":
        if not target.account_id:
            raise InvalidInput("Applying a folder template needs an account, and the rule has none.")
        template = documents.template_by_name(session, a["template"])
        if template is None:
            raise NotFound(f'There is no folder template "{a["template"]}" any more.')
        created = documents.apply_folder_template(session, actor, target.account_id, template.id)
        return f'Applied folder template "{template.name}" ({created} new folder{"s" if created != 1 else ""})'
    if pa.action == "request_approval":
        return _request_approval(session, actor, a, target, key)
    if pa.action == "send_proposal":
        return _send_proposal(session, actor, a, target, key)
    if pa.action == "request_signature":
        return _request_signature(session, actor, a, target, key)
    if pa.action == "notify":
        member = _member(session, a["member"])
        link = routes.job_url(target.job_id) if target.job_id else (
            routes.account_url(target.account_id) if target.account_id else "")
        inbox.notify(session, member_id=member.id, text=a["text"], link=link, key=key)
        return f"Notified {member.name}"
    raise InvalidInput(f"The action {pa.action} is not known.")


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


def _request_approval(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`request approval of folder "NAME" from account [with reminders every N days up to M times]`."""
    account_id = _account_of(session, target, "Asking for an approval needs an account, and the rule has none.")
    every, times = _reminders(a)
    made = approvals.request_folder_approval(session, actor, account_id, a["folder"], job_id=target.job_id,
                                             remind_every=every, remind_times=times, key=key)
    n = len(made)
    text = f'Asked the client to approve {n} document{"s" if n != 1 else ""} in "{a["folder"]}"'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _send_proposal(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`send proposal "TEMPLATE" to account [with reminders every N days up to M times]`."""
    account_id = _account_of(session, target, "Sending a proposal needs an account, and the rule has none.")
    if proposals.template_by_name(session, a["template"]) is None:
        raise NotFound(f'There is no proposal template "{a["template"]}" any more.')
    every, times = _reminders(a)
    proposal = proposals.send_proposal(session, actor, account_id, a["template"], job_id=target.job_id, key=key,
                                       remind_every=every, remind_times=times)
    text = f'Sent proposal "{proposal.name}" ({proposals.money(proposal.total_cents)})'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _request_signature(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`request signature on "TEMPLATE" from account [with reminders every N days up to M times]`: the
    template becomes a document of the account, sent to its portal contacts to sign in order."""
    account_id = _account_of(session, target, "Asking for a signature needs an account, and the rule has none.")
    every, times = _reminders(a)
    req = signatures.request_from_template(session, actor, account_id, a["template"], job_id=target.job_id,
                                           remind_every=every, remind_times=times, key=key)
    names = ", ".join(s.name for s in session.execute(select(Signer).where(Signer.request_id == req.id)
                                                     .order_by(Signer.position)).scalars())
    text = f'Asked {names} to sign "{req.title}"'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _send_email(session: Session, a: dict, target: Target, facts: dict, run: RuleRun, key: str,
                now: dt.datetime) -> str:
    tpl = mail_templates.template_by_name(session, a["template"])
    if tpl is None:
        raise NotFound(f'There is no email template "{a["template"]}" any more.')
    to = a.get("to")
    recipients: list[tuple[str, dict | None]] = []
    if to == "account":
        if not target.account_id:
            raise InvalidInput("There is no account to email.")
        recipients = [(c["email"], c) for c in account_recipients(session, target.account_id)]
        if not recipients:
            raise InvalidInput("The account has no contact with an email address, so nothing was sent.")
    elif to == "contact":
        contact = facts.get("contact")
        if not contact or not contact.get("email"):
            raise InvalidInput("The contact has no email address, so nothing was sent.")
        recipients = [(contact["email"], contact)]
    elif to == "member":
        recipients = [(_member(session, a["member"]).email, None)]
    elif to == "address":
        recipients = [(a["email"], None)]
    for address, contact in recipients:
        context = template_context(session, dict(facts, contact=contact or facts.get("contact")), now)
        subject, body = mail_templates.render_template(tpl, context)
        outbox.enqueue(session, to_address=address, subject=subject, body=body, key=f"{key}|{address.lower()}",
                       account_id=target.account_id, job_id=target.job_id, run_id=run.id)
    session.info["practice_mail"] = True
    return f'Queued email "{tpl.name}" to ' + ", ".join(addr for addr, _ in recipients)

