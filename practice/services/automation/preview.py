"""Try on a job: a dry run of a rules text on a real job, with rendered emails; changes nothing."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

import rules
from practice.i18n import N_, _
from practice.models import utcnow
from practice.services.actor import Actor, require_admin
from practice.services.automation.actions import NOT_AVAILABLE
from practice.services.automation.explain import condition_parts, planned_entry, show_value
from practice.services.automation.rulesets import catalog_from_db, check_text
from practice.services.billing import delivery as invoice_delivery, invoices, templates as invoice_templates
from practice.services.errors import InvalidInput
from practice.services.formatting import format_money
from practice.services.work.facts import account_recipients, facts_for, template_context
from practice.services.firm import get_firm
from practice.services.mail import templates as mail_templates
from practice.services.proposals import sending, templates
from practice.services.work.jobs import get_job


TRY_EVENTS = {
    "job_entered_stage": N_("enters its current stage"), "job_left_stage": N_("leaves its current stage"),
    "job_created": N_("is created"), "tag_added": N_("gets a tag"), "tag_removed": N_("loses a tag"),
}


def try_on_job(session: Session, actor: Actor, text: str, job_id: int, event_kind: str, tag: str = "",
               stage: str = "") -> dict:
    """Dry run of a rules text (saved or not) on a real job: which rules would fire, the values each
    condition read, and the actions with rendered emails. Changes nothing."""
    require_admin(actor)
    job = get_job(session, actor, job_id)
    errors = check_text(session, text)
    if errors:
        return {"errors": errors, "decisions": []}
    catalog = catalog_from_db(session)
    compiled = rules.compile_rules(rules.check(text, catalog), tz=get_firm(session).timezone)
    facts = facts_for(session, job_id=job.id)
    pipeline, current = facts["job"]["pipeline"], facts["job"]["stage"]
    if event_kind not in TRY_EVENTS:
        raise InvalidInput(_("Choose what happens to the job."))
    if event_kind in ("tag_added", "tag_removed"):
        event = rules.Event(event_kind, tag=tag or None, target="job")
    elif event_kind == "job_created":
        event = rules.Event("job_created", pipeline=pipeline)
    else:
        event = rules.Event(event_kind, stage=stage or current, pipeline=pipeline)
    now = utcnow()
    out = []
    for d in rules.dry_run(compiled, event, facts, now):
        actions = []
        for pa in d.actions:
            item = planned_entry(pa)
            if pa.action in NOT_AVAILABLE:
                item["outcome"] = _("Would be skipped: {feature} are not built yet.").format(
                    feature=rules.told(NOT_AVAILABLE[pa.action], _))
            elif pa.action == "send_email":
                item["outcome"] = _preview_email(session, pa.args, facts, now)
            elif pa.action == "send_proposal":
                item["outcome"] = _preview_proposal(session, pa.args, facts)
            elif pa.action == "send_invoice":
                item["outcome"] = _preview_invoice(session, pa.args, facts)
            elif pa.run_at is not None:
                item["outcome"] = _("Would wait until {moment}, then check the conditions again.").format(
                    moment=show_value(pa.run_at))
            actions.append(item)
        # Why a rule would not fire, or what stopped an action, in the reader's language.
        out.append({"rule": d.rule, "fired": d.fired, "reason": rules.told(d.reason or "", _),
                    "error": rules.told(d.error or "", _), "parts": condition_parts(d), "actions": actions})
    return {"errors": [], "decisions": out, "event": _(TRY_EVENTS[event_kind])}


def _preview_proposal(session: Session, args: dict, facts: dict) -> str:
    template = templates.template_by_name(session, args["template"])
    if template is None:
        return _('Would fail: there is no proposal template "{name}".').format(name=args["template"])
    account = facts.get("account") or {}
    contacts = sending.portal_recipients(session, account["id"]) if account.get("id") else []
    if not contacts:
        return _("Would fail: no contact of the account can log in to the client portal.")
    return _('Would send proposal "{name}" to {emails} (a link to the client portal)').format(
        name=template.name, emails=", ".join(c.email for c in contacts))


def _preview_invoice(session: Session, args: dict, facts: dict) -> str:
    template = invoice_templates.template_by_name(session, args["template"])
    if template is None:
        return _('Would fail: there is no invoice template "{name}".').format(name=args["template"])
    try:
        total = invoices.lines_total(session, template.lines, template.whole_tax_bp)
    except InvalidInput as err:
        return _("Would fail: {error}").format(error=err)
    account = facts.get("account") or {}
    contacts = invoice_delivery.billing_contacts(session, account["id"]) if account.get("id") else []
    emails = ", ".join(c.email for c in contacts) or _("nobody (no contact has a portal login and an email)")
    return _('Would send an invoice "{name}" for {total}, due {days} days after it is sent, to {emails}').format(
        name=template.name, total=format_money(total), days=template.due_days, emails=emails)


def _preview_email(session: Session, args: dict, facts: dict, now: dt.datetime) -> str:
    tpl = mail_templates.template_by_name(session, args["template"])
    if tpl is None:
        return _('No email template "{name}".').format(name=args["template"])
    to = args.get("to")
    if to == "account" and facts.get("account"):
        contacts = account_recipients(session, facts["account"]["id"])
        if not contacts:
            return _("Would fail: the account has no contact with an email address.")
        contact, addresses = contacts[0], ", ".join(c["email"] for c in contacts)
    else:
        contact = facts.get("contact")
        addresses = args.get("email") or args.get("member") or (contact or {}).get("email", "")
    try:
        subject, body = mail_templates.render_template(tpl, template_context(session, dict(facts, contact=contact),
                                                                                  now))
    except InvalidInput as err:
        return _("Would fail: {error}").format(error=err)
    return _("To: {addresses}\nSubject: {subject}\n\n{body}").format(addresses=addresses, subject=subject, body=body)
