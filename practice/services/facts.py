"""What the rules and templates read about a job, an account or a contact, loaded from the database.

Field names follow the rules language (job.stage, account.balance, contact.first_name...). The
same dictionaries fill email placeholders, so a rule's condition and its email see one truth.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from practice.models import (Account, AccountContact, AccountTag, Contact, ContactTag, Job, JobAssignee, JobTag,
                             Pipeline, Stage, Tag, TeamMember)
from practice.services.firm import get_firm


def _tags(session: Session, link, col, item_id: int) -> list[str]:
    return list(session.execute(select(Tag.name).join(link, link.tag_id == Tag.id)
                                .where(getattr(link, col) == item_id).order_by(Tag.name)).scalars())


def account_facts(session: Session, account_id: int) -> dict | None:
    account = session.get(Account, account_id)
    if account is None:
        return None
    return {"id": account.id, "name": account.name, "type": getattr(account.type, "value", account.type),
            # Invoices are not built yet: nothing is unpaid.
            "balance": Decimal(0), "created_at": account.created_at, "notes": account.notes,
            "tags": _tags(session, AccountTag, "account_id", account.id)}


def contact_facts(session: Session, contact_id: int) -> dict | None:
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    return {"id": contact.id, "first_name": contact.first_name, "last_name": contact.last_name,
            "name": f"{contact.first_name} {contact.last_name}".strip(), "email": contact.email,
            "phone": contact.phone, "tags": _tags(session, ContactTag, "contact_id", contact.id)}


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
            "tags": _tags(session, JobTag, "job_id", job.id)}


def facts_for(session: Session, *, job_id: int | None = None, account_id: int | None = None,
              contact_id: int | None = None) -> dict:
    """The facts a rule or template may read: job, account (the job's, unless given) and contact."""
    job = job_facts(session, job_id) if job_id else None
    if job and not account_id:
        account_id = job["account_id"]
    if contact_id and not account_id:
        account_id = session.execute(select(AccountContact.account_id).where(
            AccountContact.contact_id == contact_id)).scalars().first()
    return {"job": job, "account": account_facts(session, account_id) if account_id else None,
            "contact": contact_facts(session, contact_id) if contact_id else None}


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
    local = now.astimezone(ZoneInfo(firm.timezone))
    return {"job": facts.get("job") or {}, "account": facts.get("account") or {},
            "contact": facts.get("contact") or {}, "firm": {"name": firm.name},
            "today": local.date(), "year": local.year, "quarter": (local.month - 1) // 3 + 1,
            "month": local.strftime("%B")}
