"""What the rules and templates read about a job, an account or a contact, loaded from the database.

Field names follow the rules language (job.stage, account.balance, contact.first_name...). The
same dictionaries fill email placeholders, so a rule's condition and its email see one truth.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlmodel import Session

from practice.models import (Account, AccountContact, AccountTag, Contact, ContactTag, Job, JobAssignee, JobTag,
                             Pipeline, Stage, Tag, TeamMember)
from practice.services.balances import as_fact, balance, balances
from practice.services.firm import get_firm
from practice.services.hours import as_fact as hours_fact, job_minutes
from practice.services.work.custom_fields import bulk_fact_values, fact_values
from practice.services.templating import EmptyPlaceholder
from practice.i18n import _


def _tags(session: Session, link, col, item_id: int) -> list[str]:
    return list(session.execute(select(Tag.name).join(link, link.tag_id == Tag.id)
                                .where(getattr(link, col) == item_id).order_by(Tag.name)).scalars())


def account_facts(session: Session, account_id: int) -> dict | None:
    account = session.get(Account, account_id)
    if account is None:
        return None
    return {"id": account.id, "name": account.name, "type": getattr(account.type, "value", account.type),
            "balance": as_fact(balance(session, account.id)), "created_at": account.created_at, "notes": account.notes,
            "tags": _tags(session, AccountTag, "account_id", account.id), **fact_values(session, "account", account.id)}


def contact_facts(session: Session, contact_id: int) -> dict | None:
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    return {"id": contact.id, "first_name": contact.first_name, "last_name": contact.last_name,
            "name": f"{contact.first_name} {contact.last_name}".strip(), "email": contact.email,
            "phone": contact.phone, "tags": _tags(session, ContactTag, "contact_id", contact.id),
            **fact_values(session, "contact", contact.id)}


def job_facts(session: Session, job_id: int) -> dict | None:
    row = session.execute(select(Job, Pipeline.name, Stage.name).join(Pipeline, Pipeline.id == Job.pipeline_id)
                          .join(Stage, Stage.id == Job.stage_id).where(Job.id == job_id)).first()
    if row is None:
        return None
    job, pipeline, stage = row
    assignees = list(session.execute(select(TeamMember.name).join(JobAssignee, JobAssignee.member_id == TeamMember.id)
                                     .where(JobAssignee.job_id == job.id).order_by(TeamMember.name)).scalars())
    return {"id": job.id, "name": job.name, "stage": stage, "pipeline": pipeline,
            "assignee": assignees[0] if assignees else None, "assignees": assignees,
            "priority": getattr(job.priority, "value", job.priority), "start_date": job.start_date,
            "due_date": job.due_date, "created_at": job.created_at, "entered_stage_at": job.entered_stage_at,
            "archived": job.archived, "account_id": job.account_id,
            "hours": hours_fact(job_minutes(session, [job.id]).get(job.id, 0)),
            "tags": _tags(session, JobTag, "job_id", job.id), **fact_values(session, "job", job.id)}


def facts_for(session: Session, *, job_id: int | None = None, account_id: int | None = None,
              contact_id: int | None = None) -> dict:
    """The facts a rule or template may read: job, account (the job's, unless given) and contact (the
    automations engine adds the document or proposal of a document or proposal event)."""
    job = job_facts(session, job_id) if job_id else None
    if job and not account_id:
        account_id = job["account_id"]
    if contact_id and not account_id:
        account_id = session.execute(select(AccountContact.account_id).where(
            AccountContact.contact_id == contact_id)).scalars().first()
    facts = {"job": job, "account": account_facts(session, account_id) if account_id else None,
             "contact": contact_facts(session, contact_id) if contact_id else None}
    return facts


def account_recipients(session: Session, account_id: int) -> list[dict]:
    """Contacts of the account who have an email address (`send email ... to account`)."""
    rows = session.execute(select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
                           .where(AccountContact.account_id == account_id, Contact.email != "")
                           .order_by(Contact.id)).scalars()
    return [contact_facts(session, c.id) for c in rows]


def template_context(session: Session, facts: dict, now: dt.datetime | None = None) -> dict:
    """Placeholders for firm-written templates: the facts, the firm, and today's date parts."""
    firm = get_firm(session)
    now = now or dt.datetime.now(dt.timezone.utc)
    zone = ZoneInfo(firm.timezone)
    local = now.astimezone(zone)
    return {"job": _on_clock(facts.get("job"), zone), "account": _on_clock(facts.get("account"), zone),
            "contact": _on_clock(facts.get("contact"), zone), "firm": {"name": firm.name},
            "today": local.date(), "year": local.year, "quarter": (local.month - 1) // 3 + 1,
            "month": local.strftime("%B")}


def _on_clock(values: dict | None, zone: ZoneInfo) -> dict:
    """The facts with their moments on the firm's clock (stored times are UTC), so a letter shows local times."""
    out = dict(values or {})
    for key, value in out.items():
        if isinstance(value, dt.datetime):
            out[key] = (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(zone)
    return out


def bulk_facts(session: Session, entity: str) -> list[dict]:
    """Facts of every active account, job or contact at once (a schedule's `for each`), in a few queries,
    already in the shape the rules read (`rules.prepare_facts`: every field, typed, tags a tuple), so
    `rules.matching(..., prepared=True)` reads them as they are (tests/services/work/test_facts.py)."""
    tag_rows = {}
    for link, col in ((AccountTag, "account_id"), (JobTag, "job_id"), (ContactTag, "contact_id")):
        grouped: dict[int, list[str]] = {}
        if entity == "account" and link is not AccountTag or entity == "contact" and link is JobTag:
            tag_rows[col] = grouped
            continue
        for item_id, name in session.execute(select(getattr(link, col), Tag.name).join(Tag, Tag.id == link.tag_id)):
            grouped.setdefault(item_id, []).append(name)
        tag_rows[col] = grouped
    accounts = {}
    account_values = bulk_fact_values(session, "account")
    owed = balances(session)
    # Columns, not ORM objects: making 10,000 objects cost more than the rest of a schedule's run.
    account_tags, no_tags = tag_rows["account_id"], ()
    for a in session.execute(select(Account.id, Account.name, Account.type, Account.created_at, Account.notes)
                             .where(Account.archived == False).order_by(Account.id)):  # noqa: E712
        tags = account_tags.get(a.id)
        accounts[a.id] = {"id": a.id, "name": a.name, "type": getattr(a.type, "value", a.type),
                          "balance": as_fact(owed.get(a.id, 0)), "created_at": a.created_at, "notes": a.notes,
                          "tags": tuple(sorted(tags)) if tags else no_tags, **account_values.get(a.id, {})}
    if entity == "account":
        return [{"account": acc, "job": None, "contact": None, "target": ("account", acc["id"])}
                for acc in accounts.values()]
    if entity == "contact":
        return _contact_records(session, accounts, tag_rows["contact_id"])
    assignees: dict[int, list[str]] = {}
    for job_id, name in session.execute(select(JobAssignee.job_id, TeamMember.name)
                                        .join(TeamMember, TeamMember.id == JobAssignee.member_id)
                                        .order_by(TeamMember.name)):
        assignees.setdefault(job_id, []).append(name)
    out = []
    job_values = bulk_fact_values(session, "job")
    minutes = job_minutes(session)
    for job in session.execute(select(Job.id, Job.name, Job.priority, Job.start_date, Job.due_date, Job.created_at,
                                      Job.entered_stage_at, Job.archived, Job.account_id,
                                      Pipeline.name.label("pipeline"), Stage.name.label("stage"))
                               .join(Pipeline, Pipeline.id == Job.pipeline_id)
                               .join(Stage, Stage.id == Job.stage_id)
                               .where(Job.archived == False).order_by(Job.id)):  # noqa: E712
        names = assignees.get(job.id, [])
        facts = {"id": job.id, "name": job.name, "stage": job.stage, "pipeline": job.pipeline,
                 "assignee": names[0] if names else None, "assignees": names,
                 "priority": getattr(job.priority, "value", job.priority), "start_date": job.start_date,
                 "due_date": job.due_date, "created_at": job.created_at, "entered_stage_at": job.entered_stage_at,
                 "archived": job.archived, "account_id": job.account_id, "hours": hours_fact(minutes.get(job.id, 0)),
                 "tags": tuple(sorted(tag_rows["job_id"].get(job.id, ()))), **job_values.get(job.id, {})}
        out.append({"job": facts, "account": accounts.get(job.account_id), "contact": None, "target": ("job", job.id)})
    return out


def _contact_records(session: Session, accounts: dict, contact_tags: dict) -> list[dict]:
    """`bulk_facts` for contacts: each with the first account it is linked to."""
    first_account = {}
    for contact_id, account_id in session.execute(select(AccountContact.contact_id, AccountContact.account_id)
                                                  .order_by(AccountContact.account_id)):
        first_account.setdefault(contact_id, account_id)
    out = []
    contact_values = bulk_fact_values(session, "contact")
    for c in session.execute(select(Contact.id, Contact.first_name, Contact.last_name, Contact.email,
                                    Contact.phone).order_by(Contact.id)):
        facts = {"id": c.id, "first_name": c.first_name, "last_name": c.last_name,
                 "name": f"{c.first_name} {c.last_name}".strip(), "email": c.email, "phone": c.phone,
                 "tags": tuple(sorted(contact_tags.get(c.id, ()))), **contact_values.get(c.id, {})}
        out.append({"contact": facts, "account": accounts.get(first_account.get(c.id)), "job": None,
                    "target": ("contact", c.id)})
    return out


def preview_hint(session: Session, err: EmptyPlaceholder, account_id: int) -> str:
    """What to choose for a template preview that reads a job or a contact it was not given."""
    account = session.get(Account, account_id)
    name = f"“{account.name}”" if account else _("This account")
    uses = f"{{{{ {err.path} }}}}"
    if err.root == "job":
        if session.execute(select(exists().where(Job.account_id == account_id, Job.archived == False))).scalar():  # noqa: E712
            return _("This template uses {uses}: choose one of {name}'s jobs above to preview it.").format(
                uses=uses, name=name)
        return _("This template uses {uses}, and {name} has no job: choose an account with a job to preview it.").format(
            
            uses=uses, name=name)
    if err.root == "contact":
        return _("This template uses {uses}, and {name} has no contact with an email address: choose another "
                 "account, or add an email to one of its contacts.").format(uses=uses, name=name)
    return str(err)
