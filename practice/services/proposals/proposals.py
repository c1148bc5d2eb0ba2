"""Proposals and engagement letters: templates, sending, the client's choices and signature, the sealed PDF.

A template holds an introduction and terms (the firm's Jinja2 text, with placeholders such as
{{ account.name }}) and service lines picked from the catalog. Sending freezes a copy for one
account (`Proposal` + `ProposalLine`, texts already filled in), so later edits of the template never
change what a client was offered. The client opens it in the portal, switches optional services on
or off (the total follows), consents to sign electronically, and signs (typed or drawn). Signing
renders the proposal with the signature to PDF, adds the audit page, seals it with the firm's
certificate, files it in the account's documents and emits `proposal_signed` for the rules.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, select

from practice import config
from practice.models import (Account, AccountContact, Contact, Document, Job, PortalLogin, PortalStatus, Proposal,
                             ProposalLine, ProposalStatus, ProposalTemplate, ProposalTemplateLine, Role, Service,
                             SigningEvent, SigningSettings, utcnow)
from practice.services import audit, events, inbox, reminders, templating
from practice.services.mail import outbox
from practice.services.mail.system import render_system_email
from practice.services.documents import html_pdf, storage
from practice.services.signing import consent, seal
from practice.services.signing.audit_page import AuditSigner, AuditTrail, with_audit_page
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.facts import facts_for, template_context
from practice.services.firm import get_firm

REMINDER_KIND = "proposal"
MAX_NAME = 200
MAX_TEXT = 50_000
MAX_LINES = 100
MAX_QUANTITY = 10_000
MAX_PRICE_CENTS = 100_000_000_00  # $100 million: anything above is a typo
MAX_REASON = 2000
MAX_TYPED = 100
MAX_STROKE_POINTS = 5000
# The steps the client sees, in order; the firm may rename them (SigningSettings.proposal_steps).
STEP_KEYS = ("read", "choose", "sign")
DEFAULT_STEPS = {"read": "Read", "choose": "Choose services", "sign": "Sign"}
MAX_STEP_NAME = 40

PDF_DIR = config.ROOT / "templates" / "pdf"
# Our own layout (not firm-written): a plain environment with autoescaping; the firm's texts inside it
# were already rendered through the sandbox.
_pdf_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PDF_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined)

NOT_IN_PORTAL = "That proposal is not in your portal (it may have been withdrawn)."


# --- views ----------------------------------------------------------------------------------------


@dataclass
class LineView:
    id: int
    service_id: int | None
    name: str
    description: str
    quantity: int
    price_cents: int
    optional: bool
    chosen: bool = True

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.price_cents


@dataclass
class TemplateView:
    id: int
    name: str
    introduction: str
    terms: str
    lines: list[LineView]
    updated_at: dt.datetime | None = None

    @property
    def total_cents(self) -> int:
        """What the template costs with its required lines only."""
        return sum(line.amount_cents for line in self.lines if not line.optional)


@dataclass
class ProposalView:
    id: int
    account_id: int
    account_name: str
    job_id: int | None
    job_name: str
    name: str
    status: str
    total_cents: int
    sent_at: dt.datetime
    viewed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signer_name: str
    declined_at: dt.datetime | None
    decline_reason: str
    document_id: int | None
    requested_by: str


@dataclass
class ProposalDetail:
    """What the client's proposal page shows."""

    id: int
    name: str
    status: str
    firm_name: str
    account_name: str
    introduction: str
    terms: str
    lines: list[LineView]
    total_cents: int
    steps: dict[str, str]
    needs_consent: bool
    disclosure: str
    signer_name: str
    signed_at: dt.datetime | None
    document_id: int | None
    decline_reason: str = ""
    has_optional: bool = field(default=False)


def money(cents: int) -> str:
    """$1,250.00 (what people read)."""
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


# --- who may act ----------------------------------------------------------------------------------


def _staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied("Only the firm's team can do that.")
    return actor


def _contact(who) -> None:
    if isinstance(who, Actor) or not hasattr(who, "contact_id"):
        raise PermissionDenied("Only the client can do that.")


def _contact_proposal(session: Session, who, proposal_id) -> Proposal:
    """The proposal, if `who` (a portal contact) belongs to its account; another client's is 'not found'."""
    _contact(who)
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_IN_PORTAL) from None
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.cancelled:
        raise NotFound(NOT_IN_PORTAL)
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == proposal.account_id, AccountContact.contact_id == who.contact_id)).first()
    if proposal.account_id not in tuple(who.account_ids) or linked is None:
        raise NotFound(NOT_IN_PORTAL)
    return proposal


def _client_actor(who) -> Actor:
    return Actor(None, f"{who.name} (client)", Role.employee)


# --- templates ------------------------------------------------------------------------------------


def _template_lines(session: Session, template_id: int) -> list[LineView]:
    rows = session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template_id)
                        .order_by(ProposalTemplateLine.position, ProposalTemplateLine.id))
    return [LineView(r.id, r.service_id, r.name, r.description, r.quantity, r.price_cents, r.optional) for r in rows]


def _template_view(session: Session, t: ProposalTemplate) -> TemplateView:
    return TemplateView(t.id, t.name, t.introduction, t.terms, _template_lines(session, t.id), t.updated_at)


def list_templates(session: Session, actor: Actor) -> list[TemplateView]:
    """Every proposal template with its lines (staff: they send them)."""
    _staff(actor)
    return [_template_view(session, t) for t in session.exec(select(ProposalTemplate).order_by(ProposalTemplate.name))]


def template_names(session: Session) -> list[str]:
    """Names rules may use in `send proposal "NAME" to account`."""
    return list(session.exec(select(ProposalTemplate.name).order_by(ProposalTemplate.name)))


def template_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every template, for the "Send a proposal" menu."""
    return [(t.id, t.name) for t in session.exec(select(ProposalTemplate).order_by(ProposalTemplate.name))]


def template_by_name(session: Session, name: str) -> ProposalTemplate | None:
    """Matched like every name in the rules: ignoring case and surrounding spaces."""
    wanted = " ".join((name or "").split()).lower()
    return session.exec(select(ProposalTemplate).where(func.lower(func.trim(ProposalTemplate.name)) == wanted)).first()


def get_template(session: Session, actor: Actor, template_id: int) -> TemplateView:
    _staff(actor)
    t = session.get(ProposalTemplate, template_id)
    if t is None:
        raise NotFound("That proposal template no longer exists.")
    return _template_view(session, t)


def _int(value, what: str, field_name: str, *, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a whole number.", field=field_name) from None
    if not low <= number <= high:
        raise InvalidInput(f"{what} must be between {low:,} and {high:,}.", field=field_name)
    return number


def _clean_lines(session: Session, lines: list[dict]) -> list[dict]:
    """Lines from a form or a caller: a catalog service (its name and rate are the defaults) or a free line."""
    from practice.services.work.catalog import parse_money  # noqa: PLC0415

    if not isinstance(lines, list):
        raise InvalidInput("The services must be a list.", field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"A proposal holds at most {MAX_LINES} services.", field="lines")
    out = []
    for n, raw in enumerate(lines, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(f"Service line {n} is not understood.", field="lines")
        service = None
        if raw.get("service_id") not in (None, "", 0, "0"):
            service_id = _int(raw.get("service_id"), f"Line {n}'s service", "lines", low=1, high=2**62)
            service = session.get(Service, service_id)
            if service is None:
                raise InvalidInput(f"Line {n}: that service is no longer in the catalog.", field="lines")
        name = " ".join(str(raw.get("name") or "").split())[:MAX_NAME] or (service.name if service else "")
        if not name:
            raise InvalidInput(f"Line {n} needs a service from the catalog or a name.", field="lines")
        description = str(raw.get("description") or "").strip()[:2000] or (service.description if service else "")
        quantity = _int(raw.get("quantity", 1) or 1, f"Line {n}'s quantity", "lines", low=1, high=MAX_QUANTITY)
        if raw.get("price_cents") not in (None, ""):
            price = _int(raw["price_cents"], f"Line {n}'s price", "lines", low=0, high=MAX_PRICE_CENTS)
        elif str(raw.get("price") or "").strip():
            price = parse_money(str(raw["price"]), field="lines")
        else:
            price = service.rate_cents if service else 0
        if price > MAX_PRICE_CENTS:
            raise InvalidInput(f"Line {n}'s price is too large; check the amount.", field="lines")
        optional = raw.get("optional")
        optional = optional if isinstance(optional, bool) else str(optional).lower() in ("1", "true", "on", "yes")
        out.append({"service_id": service.id if service else None, "name": name, "description": description,
                    "quantity": quantity, "price_cents": price, "optional": optional, "position": n})
    return out


def save_template(session: Session, actor: Actor, *, name: str, introduction: str = "", terms: str = "",
                  lines: list[dict] | None = None, template_id: int | None = None) -> ProposalTemplate:
    """Create or change a proposal template (admins); its texts must fill in with a sample account."""
    require_admin(_staff(actor))
    name = " ".join((name or "").split())[:MAX_NAME]
    if not name:
        raise InvalidInput("Give the proposal template a name.", field="name")
    introduction, terms = str(introduction or "").strip(), str(terms or "").strip()
    if len(introduction) > MAX_TEXT or len(terms) > MAX_TEXT:
        raise InvalidInput(f"The introduction and the terms may each hold {MAX_TEXT:,} characters.", field="terms")
    clean = _clean_lines(session, lines or [])
    if not clean:
        raise InvalidInput("Add at least one service to the proposal.", field="lines")
    # Fill the texts in once with sample facts, so a typo is found now and not by a client.
    sample = _sample_context(session)
    templating.render(introduction, sample, what="introduction")
    templating.render(terms, sample, what="terms")
    same = template_by_name(session, name)
    if template_id is None:
        if same is not None:
            raise Conflict(f'There is already a proposal template "{same.name}".')
        template = ProposalTemplate(name=name)
        session.add(template)
    else:
        template = session.get(ProposalTemplate, template_id)
        if template is None:
            raise NotFound("That proposal template no longer exists.")
        if same is not None and same.id != template.id:
            raise Conflict(f'There is already a proposal template "{same.name}".')
        if " ".join(template.name.split()).lower() != name.lower():
            _not_used_by_rules(session, template, "rename")
    template.name, template.introduction, template.terms, template.updated_at = name, introduction, terms, utcnow()
    session.flush()
    for old in session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id)):
        session.delete(old)
    for line in clean:
        session.add(ProposalTemplateLine(template_id=template.id, **line))
    session.flush()
    audit.record(session, actor, "create" if template_id is None else "update", "proposal_template", template.id,
                 f'{"Created" if template_id is None else "Updated"} proposal template "{name}"', lines=len(clean))
    return template


def rules_using(session: Session, name: str) -> list[str]:
    """Names of the saved rules that send the proposal template called `name`."""
    from practice.services.automation.compiled import compiled_rules  # noqa: PLC0415 - automation imports services

    _, compiled, _ = compiled_rules(session)
    wanted = " ".join(name.split()).lower()
    return [rule.name for rule in (compiled.rules if compiled else [])
            if any(type(a.ast).__name__ == "Send" and a.ast.kind == "proposal"
                   and " ".join(a.ast.template.value.split()).lower() == wanted for a in rule.actions)]


def _not_used_by_rules(session: Session, template: ProposalTemplate, doing: str) -> None:
    # A rule naming a missing template would stop the whole rules file from running.
    used = rules_using(session, template.name)
    if used:
        names = ", ".join(f'"{n}"' for n in used)
        raise Conflict(f'The rule{"s" if len(used) > 1 else ""} {names} send{"" if len(used) > 1 else "s"} '
                       f'"{template.name}"; change the rules first, then {doing} the template.')


def delete_template(session: Session, actor: Actor, template_id: int) -> None:
    """Delete a template (admins) no rule sends; proposals already sent keep their own copy."""
    require_admin(_staff(actor))
    template = session.get(ProposalTemplate, template_id)
    if template is None:
        raise NotFound("That proposal template no longer exists.")
    _not_used_by_rules(session, template, "delete")
    for line in session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id)):
        session.delete(line)
    for sent in session.exec(select(Proposal).where(Proposal.template_id == template.id)):
        sent.template_id = None
    audit.record(session, actor, "delete", "proposal_template", template.id,
                 f'Deleted proposal template "{template.name}"')
    session.delete(template)


# --- step names -----------------------------------------------------------------------------------


def step_names(session: Session) -> dict[str, str]:
    """The names of the proposal steps the client sees (the firm's, else the defaults)."""
    # Read only (no settings row is made here): pages call this in read sessions.
    row = session.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
    chosen = (row.proposal_steps if row else None) or {}
    return {key: (str(chosen.get(key) or "").strip() or DEFAULT_STEPS[key]) for key in STEP_KEYS}


def rename_steps(session: Session, actor: Actor, names: dict) -> dict[str, str]:
    """Rename the steps clients see (admins); an empty name goes back to the default."""
    require_admin(_staff(actor))
    clean = {}
    for key in STEP_KEYS:
        value = " ".join(str((names or {}).get(key) or "").split())
        if len(value) > MAX_STEP_NAME:
            raise InvalidInput(f"A step name may hold {MAX_STEP_NAME} characters.", field=key)
        if value and value != DEFAULT_STEPS[key]:
            clean[key] = value
    row = consent.settings(session)
    row.proposal_steps = clean
    row.updated_at = utcnow()
    audit.record(session, actor, "update", "signing_settings", row.id, "Renamed the proposal steps",
                 steps=clean)
    return step_names(session)


# --- rendering ------------------------------------------------------------------------------------


def _sample_context(session: Session) -> dict:
    facts = {"account": {"id": 0, "name": "Sample Client LLC", "type": "Company", "balance": Decimal(0),
                         "created_at": utcnow(), "notes": "", "tags": []},
             "contact": {"id": 0, "first_name": "Jane", "last_name": "Doe", "name": "Jane Doe",
                         "email": "jane@example.com", "phone": "", "tags": []},
             "job": {"id": 0, "name": "2026 Tax return", "stage": "Onboarding", "pipeline": "1040 Return",
                     "assignee": None, "assignees": [], "priority": "Medium", "start_date": None, "due_date": None,
                     "created_at": utcnow(), "entered_stage_at": utcnow(), "archived": False, "account_id": 0,
                     "tags": []}}
    return template_context(session, facts)


def _fill(session: Session, template: ProposalTemplate, account_id: int, job_id: int | None,
          contact_id: int | None) -> tuple[str, str]:
    facts = facts_for(session, job_id=job_id, account_id=account_id, contact_id=contact_id)
    context = template_context(session, facts)
    return (templating.render(template.introduction, context, what="introduction"),
            templating.render(template.terms, context, what="terms"))


def _signature_svg(strokes: list) -> str:
    """Drawn strokes (0..1 of the pad) as an inline SVG of vector lines."""
    width, height = 600, 200
    paths = []
    for stroke in strokes:
        points = [f"{x * width:.1f},{y * height:.1f}" for x, y in stroke]
        if len(points) == 1:
            points.append(points[0])
        paths.append(f'<polyline points="{" ".join(points)}" />')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="240pt" height="80pt" '
            f'fill="none" stroke="#1a2a6c" stroke-width="4" stroke-linecap="round" stroke-linejoin="round">'
            f'{"".join(paths)}</svg>')


def _local(moment: dt.datetime | None, tz: str) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%B} {local.day}, {local.year} {local:%H:%M} ({tz})"


def proposal_html(*, firm_name: str, account_name: str, name: str, introduction: str, terms: str,
                  lines: list[LineView], signer_name: str = "", signature_kind: str = "", signature: dict | None = None,
                  signed_at: str = "", reference: str = "", preview: bool = False) -> str:
    """The proposal as HTML for the PDF: introduction, the chosen services with the total, terms, signature."""
    chosen = [line for line in lines if line.chosen or not line.optional]
    signature = signature or {}
    drawn = _signature_svg(signature.get("strokes") or []) if signature_kind == "drawn" else ""
    return _pdf_env.get_template("proposal.html").render(
        firm_name=firm_name, account_name=account_name, name=name, introduction=introduction, terms=terms,
        lines=[{"name": line.name, "description": line.description, "quantity": line.quantity,
                "price": money(line.price_cents), "amount": money(line.amount_cents), "optional": line.optional}
               for line in chosen],
        total=money(sum(line.amount_cents for line in chosen)), signer_name=signer_name,
        typed=str(signature.get("text") or "") if signature_kind == "typed" else "",
        drawn=Markup(drawn), signed_at=signed_at, reference=reference, preview=preview)


def render_pdf(html: str) -> bytes:
    """The PDF of `proposal_html` output (offline: WeasyPrint with data: URLs only)."""
    return html_pdf.render_pdf(html)


def preview_pdf(session: Session, actor: Actor, template_id: int, *, account_id: int | None = None) -> bytes:
    """The template as a client would get it (sample client, or the given account), unsigned (staff)."""
    _staff(actor)
    template = session.get(ProposalTemplate, template_id)
    if template is None:
        raise NotFound("That proposal template no longer exists.")
    if account_id is not None:
        account = get_account(session, actor, account_id)
        intro, terms = _fill(session, template, account.id, None, None)
        account_name = account.name
    else:
        context = _sample_context(session)
        intro = templating.render(template.introduction, context, what="introduction")
        terms = templating.render(template.terms, context, what="terms")
        account_name = context["account"]["name"]
    lines = _template_lines(session, template.id)
    for line in lines:
        line.chosen = True  # a preview shows every service, optional ones marked so
    return render_pdf(proposal_html(firm_name=get_firm(session).name, account_name=account_name, name=template.name,
                                    introduction=intro, terms=terms, lines=lines, preview=True))


# --- sending --------------------------------------------------------------------------------------


def portal_recipients(session: Session, account_id: int) -> list[Contact]:
    """Contacts of the account who can log in to the portal (invited or active) and have an email."""
    return list(session.exec(
        select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(PortalLogin, PortalLogin.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, Contact.email != "",
               PortalLogin.status != PortalStatus.revoked)
        .order_by(Contact.id)))


def _event(session: Session, proposal: Proposal, kind: str, detail: str = "", *, contact_id: int | None = None,
           ip_address: str = "", user_agent: str = "") -> None:
    session.add(SigningEvent(proposal_id=proposal.id, contact_id=contact_id, kind=kind, detail=detail[:2000],
                             ip_address=ip_address[:100], user_agent=user_agent[:500]))


def proposal_url(proposal_id: int | str) -> str:
    """The portal page of a proposal (absolute: it goes in emails)."""
    from practice import routes  # noqa: PLC0415

    return f"{config.base_url()}{routes.portal_proposal_url(proposal_id)}"


def _email(session: Session, proposal: Proposal, template: str, key: str, **extra) -> list[str]:

    firm = get_firm(session).name
    sent = []
    for contact in portal_recipients(session, proposal.account_id):
        context = {"first_name": contact.first_name or contact.email, "firm_name": firm, "proposal": proposal.name,
                   "link": proposal_url(proposal.id), "total": money(proposal.total_cents), **extra}
        subject, body = render_system_email(template, context)
        outbox.enqueue(session, to_address=contact.email, subject=subject, body=body,
                     key=f"{key}|{contact.email.lower()}", account_id=proposal.account_id, job_id=proposal.job_id)
        sent.append(contact.email)
    if sent:
        session.info["practice_mail"] = True
    return sent


def _resolve_template(session: Session, template: int | str) -> ProposalTemplate:
    if isinstance(template, int) or (isinstance(template, str) and template.strip().isdigit()
                                     and session.get(ProposalTemplate, int(template)) is not None):
        found = session.get(ProposalTemplate, int(template))
    else:
        found = template_by_name(session, str(template or ""))
    if found is None:
        raise NotFound(f'There is no proposal template "{template}".' if isinstance(template, str)
                       else "That proposal template no longer exists.")
    return found


def send_proposal(session: Session, actor: Actor, account_id: int, template: int | str, *, job_id: int | None = None,
                  key: str | None = None, remind_every: dt.timedelta | None = None,
                  remind_times: int = 0) -> Proposal:
    """Send a copy of the template (by id or name) to the account: its portal contacts get an email with the
    link. With a key (a rule's action), a second call returns the first proposal."""
    _staff(actor)
    if key:
        existing = session.exec(select(Proposal).where(Proposal.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    found = _resolve_template(session, template)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound("That job does not exist for this account.")
    recipients = portal_recipients(session, account.id)
    if not recipients:
        raise InvalidInput(f'No contact of "{account.name}" can log in to the client portal yet, so the proposal '
                           "was not sent. Give a contact portal access first.")
    intro, terms = _fill(session, found, account.id, job_id, recipients[0].id)
    lines = _template_lines(session, found.id)
    if not lines:
        raise InvalidInput(f'The proposal template "{found.name}" has no services; add some first.')
    proposal = Proposal(account_id=account.id, job_id=job_id, template_id=found.id, name=found.name,
                        introduction=intro, terms=terms, requested_by_member_id=actor.member_id,
                        requested_by_label=actor.name, key=key,
                        total_cents=sum(line.amount_cents for line in lines if not line.optional))
    session.add(proposal)
    session.flush()
    for n, line in enumerate(lines, start=1):
        # Optional services start switched off: the client opts in.
        session.add(ProposalLine(proposal_id=proposal.id, service_id=line.service_id, name=line.name,
                                 description=line.description, quantity=line.quantity, price_cents=line.price_cents,
                                 optional=line.optional, chosen=not line.optional, position=n))
    _event(session, proposal, "sent", f"Sent by {actor.name} to " + ", ".join(c.email for c in recipients))
    audit.record(session, actor, "proposal_send", "account", account.id,
                 f'Sent proposal "{proposal.name}" ({money(proposal.total_cents)})', proposal_id=proposal.id)
    _email(session, proposal, "proposal_sent", key=f"{key or 'proposal'}|{proposal.id}|sent")
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=proposal.id, every=remind_every, times=remind_times,
                           key=f"{key or 'proposal'}|{proposal.id}|reminders", job_id=job_id)
    return proposal


def cancel(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """Withdraw a proposal the client has not signed or declined yet (staff)."""
    _staff(actor)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("That proposal no longer exists.")
    get_account(session, actor, proposal.account_id)
    if proposal.status != ProposalStatus.sent:
        raise Conflict(f"This proposal is {ProposalStatus(proposal.status).value}; only one still waiting for the "
                       "client can be cancelled.")
    proposal.status = ProposalStatus.cancelled
    _event(session, proposal, "cancelled", f"Cancelled by {actor.name}")
    audit.record(session, actor, "proposal_cancel", "account", proposal.account_id,
                 f'Cancelled proposal "{proposal.name}"', proposal_id=proposal.id)
    return proposal


def _views(session: Session, *conditions) -> list[ProposalView]:
    rows = session.execute(select(Proposal, Account.name).join(Account, Account.id == Proposal.account_id)
                           .where(*conditions)
                           .order_by(Proposal.status != ProposalStatus.sent, Proposal.id.desc())).all()
    job_ids = {p.job_id for p, _ in rows if p.job_id}
    jobs = dict(session.exec(select(Job.id, Job.name).where(Job.id.in_(job_ids or [-1]))).all())
    return [ProposalView(p.id, p.account_id, account_name, p.job_id, jobs.get(p.job_id, ""), p.name,
                         ProposalStatus(p.status).value, p.total_cents, p.sent_at, p.viewed_at, p.signed_at,
                         p.signer_name, p.declined_at, p.decline_reason, p.document_id, p.requested_by_label)
            for p, account_name in rows]


def list_for_account(session: Session, actor: Actor, account_id: int, *, limit: int = 200) -> list[ProposalView]:
    """The account's proposals, waiting ones first (staff who may see the account)."""
    _staff(actor)
    get_account(session, actor, account_id)
    return _views(session, Proposal.account_id == account_id)[:limit]


def list_for_job(session: Session, actor: Actor, job_id: int, *, limit: int = 200) -> list[ProposalView]:
    """A job's proposals, waiting ones first (staff who may see the job's account)."""
    _staff(actor)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist (it may have been deleted).")
    get_account(session, actor, job.account_id)
    return _views(session, Proposal.job_id == job_id)[:limit]


# --- the client -----------------------------------------------------------------------------------


def list_for_contact(session: Session, who, account_id: int | None = None, *,
                     open_only: bool = True) -> list[ProposalView]:
    """A contact's proposals in its current (or given, if linked) account; waiting ones only by default."""
    _contact(who)
    account_id = getattr(who, "current_account_id", None) if account_id is None else account_id
    if account_id is None:
        return []
    linked = session.exec(select(AccountContact.account_id).where(
        AccountContact.account_id == account_id, AccountContact.contact_id == who.contact_id)).first()
    if account_id not in tuple(who.account_ids) or linked is None:
        raise NotFound("That account is not in your portal.")
    conditions = [Proposal.account_id == account_id]
    conditions.append(Proposal.status == ProposalStatus.sent if open_only
                      else Proposal.status != ProposalStatus.cancelled)
    return _views(session, *conditions)


def _lines(session: Session, proposal_id: int) -> list[LineView]:
    rows = session.exec(select(ProposalLine).where(ProposalLine.proposal_id == proposal_id)
                        .order_by(ProposalLine.position, ProposalLine.id))
    return [LineView(r.id, r.service_id, r.name, r.description, r.quantity, r.price_cents, r.optional, r.chosen)
            for r in rows]


def _detail(session: Session, who, proposal: Proposal) -> ProposalDetail:
    firm = get_firm(session).name
    text = consent.disclosure_text(session, firm)
    lines = _lines(session, proposal.id)
    return ProposalDetail(
        id=proposal.id, name=proposal.name, status=ProposalStatus(proposal.status).value, firm_name=firm,
        account_name=session.get(Account, proposal.account_id).name, introduction=proposal.introduction,
        terms=proposal.terms, lines=lines, total_cents=proposal.total_cents, steps=step_names(session),
        needs_consent=consent.current_consent(session, who.contact_id, text) is None, disclosure=text,
        signer_name=proposal.signer_name, signed_at=proposal.signed_at, document_id=proposal.document_id,
        decline_reason=proposal.decline_reason, has_optional=any(line.optional for line in lines))


def open_proposal(session: Session, who, proposal_id: int, *, ip_address: str = "",
                  user_agent: str = "") -> ProposalDetail:
    """The proposal as the client reads it; the first opening is recorded (time, IP, browser)."""
    proposal = _contact_proposal(session, who, proposal_id)
    if proposal.viewed_at is None and proposal.status == ProposalStatus.sent:
        proposal.viewed_at = utcnow()
        _event(session, proposal, "viewed", f"Opened by {who.name}", contact_id=who.contact_id,
               ip_address=ip_address, user_agent=user_agent)
        account = session.get(Account, proposal.account_id)
        audit.record(session, _client_actor(who), "proposal_viewed", "account", proposal.account_id,
                     f'{who.name} opened proposal "{proposal.name}" ({account.name})', proposal_id=proposal.id)
    return _detail(session, who, proposal)


def proposal_for_contact(session: Session, who, proposal_id: int) -> ProposalDetail:
    """The proposal as the client reads it, recording nothing."""
    return _detail(session, who, _contact_proposal(session, who, proposal_id))


def _waiting(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.sent:
        raise Conflict(f"This proposal was already {ProposalStatus(proposal.status).value}.")


def _recount(session: Session, proposal: Proposal) -> None:
    proposal.total_cents = sum(line.amount_cents for line in _lines(session, proposal.id) if line.chosen)


def choose(session: Session, who, proposal_id: int, line_id: int, chosen: bool) -> ProposalDetail:
    """Switch an optional service on or off (the client); the total follows."""
    proposal = _contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    try:
        line = session.get(ProposalLine, int(line_id))
    except (TypeError, ValueError):
        line = None
    if line is None or line.proposal_id != proposal.id:
        raise NotFound("That service is not part of this proposal.")
    if not line.optional:
        raise InvalidInput(f'"{line.name}" is part of every engagement; it cannot be left out.')
    line.chosen = bool(chosen)
    session.flush()
    _recount(session, proposal)
    return _detail(session, who, proposal)


def give_consent(session: Session, who, proposal_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """The client agrees to sign and receive records electronically (the firm's disclosure text)."""
    proposal = _contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    text = consent.disclosure_text(session, get_firm(session).name)
    had = consent.current_consent(session, who.contact_id, text)
    row = consent.give_consent(session, who.contact_id, text, ip_address=ip_address, user_agent=user_agent)
    if had is None:
        _event(session, proposal, "consented", f"{who.name} agreed to sign electronically "
               f"(disclosure SHA-256 {row.disclosure_sha256[:16]}...)", contact_id=who.contact_id,
               ip_address=ip_address, user_agent=user_agent)


def _clean_signature(kind: str, signature: dict) -> dict:
    if not isinstance(signature, dict):
        raise InvalidInput("The signature is not understood; sign again.", field="signature")
    if kind == "typed":
        text = " ".join(str(signature.get("text") or "").split())[:MAX_TYPED]
        if not text:
            raise InvalidInput("Type your full name to sign.", field="signature")
        return {"text": text}
    if kind == "drawn":
        strokes = signature.get("strokes")
        clean, total = [], 0
        if isinstance(strokes, list):
            for stroke in strokes[:500]:
                if not isinstance(stroke, list):
                    continue
                points = []
                for point in stroke:
                    try:
                        x, y = float(point[0]), float(point[1])
                    except (TypeError, ValueError, IndexError, KeyError):
                        continue
                    if 0 <= x <= 1 and 0 <= y <= 1:
                        points.append([round(x, 4), round(y, 4)])
                total += len(points)
                if points:
                    clean.append(points)
                if total > MAX_STROKE_POINTS:
                    raise InvalidInput("The drawn signature is too long; clear it and sign again.", field="signature")
        if sum(len(s) for s in clean) < 2:
            raise InvalidInput("Draw your signature in the box (or type your name instead).", field="signature")
        return {"strokes": clean}
    raise InvalidInput("Choose to draw or to type your signature.", field="signature")


def _contact_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or contact.email


def sign(session: Session, who, proposal_id: int, *, signature_kind: str, signature: dict, ip_address: str = "",
         user_agent: str = "") -> Proposal:
    """Sign the proposal (the client, after consenting): the signed PDF is sealed and filed in the account's
    documents, staff are told, and `proposal_signed` fires."""
    proposal = _contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    firm = get_firm(session)
    text = consent.disclosure_text(session, firm.name)
    agreed = consent.current_consent(session, who.contact_id, text)
    if agreed is None:
        raise InvalidInput("Agree to sign electronically first (the box above the signature).", field="consent")
    clean = _clean_signature(str(signature_kind or ""), signature)
    contact = session.get(Contact, who.contact_id)
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == who.contact_id)).first()
    now = utcnow()
    proposal.status, proposal.signed_at, proposal.signed_by_contact_id = ProposalStatus.signed, now, who.contact_id
    proposal.signer_name = _contact_name(contact)
    proposal.signature_kind, proposal.signature = str(signature_kind), clean
    proposal.ip_address, proposal.user_agent = ip_address[:100], user_agent[:500]
    _recount(session, proposal)
    _event(session, proposal, "signed", f"Signed by {proposal.signer_name} ({signature_kind}) for "
           f"{money(proposal.total_cents)}", contact_id=who.contact_id, ip_address=ip_address, user_agent=user_agent)
    session.flush()
    pdf = _signed_pdf(session, proposal, contact, login.email if login else contact.email, agreed.consented_at)
    doc = _file_document(session, proposal, pdf, who)
    proposal.document_id, proposal.final_sha256 = doc.id, hashlib.sha256(pdf).hexdigest()
    _event(session, proposal, "sealed", f"Sealed PDF filed as \"{doc.name}\" (SHA-256 {proposal.final_sha256})")
    actor = _client_actor(who)
    account = session.get(Account, proposal.account_id)
    audit.record(session, actor, "proposal_signed", "account", proposal.account_id,
                 f'{who.name} signed proposal "{proposal.name}" ({money(proposal.total_cents)})',
                 proposal_id=proposal.id, document_id=doc.id)
    events.emit(session, actor, "proposal_signed", job_id=proposal.job_id, account_id=proposal.account_id,
                payload={"proposal_id": proposal.id, "contact_id": who.contact_id, "job_id": proposal.job_id,
                         "document_id": doc.id})
    inbox.notify_client_activity(session, account_id=proposal.account_id, job_id=proposal.job_id,
                                 text=f'{who.name} ({account.name}) signed the proposal "{proposal.name}" '
                                      f'for {money(proposal.total_cents)}')
    return proposal


def _signed_pdf(session: Session, proposal: Proposal, contact: Contact, login_email: str,
                consented_at: dt.datetime | None) -> bytes:
    """Render with the signature, add the audit page, seal with the firm's certificate."""
    firm = get_firm(session)
    account = session.get(Account, proposal.account_id)
    html = proposal_html(firm_name=firm.name, account_name=account.name, name=proposal.name,
                         introduction=proposal.introduction, terms=proposal.terms, lines=_lines(session, proposal.id),
                         signer_name=proposal.signer_name, signature_kind=proposal.signature_kind,
                         signature=proposal.signature, signed_at=_local(proposal.signed_at, firm.timezone),
                         reference=f"Proposal #{proposal.id}")
    original = render_pdf(html)
    timeline = list(session.exec(select(SigningEvent).where(SigningEvent.proposal_id == proposal.id)
                                 .order_by(SigningEvent.at, SigningEvent.id)))
    trail = AuditTrail(
        title=proposal.name, reference=f"Proposal #{proposal.id}", firm_name=firm.name, account_name=account.name,
        original_sha256=hashlib.sha256(original).hexdigest(),
        signers=[AuditSigner(
            name=proposal.signer_name, email=contact.email, login=login_email, ip_address=proposal.ip_address,
            user_agent=proposal.user_agent, viewed_at=proposal.viewed_at, consented_at=consented_at,
            signed_at=proposal.signed_at, identity_check="portal password",
            identity_result="logged in to the client portal")],
        events=[(e.at, e.detail or e.kind) for e in timeline], completed_at=proposal.signed_at,
        stamped_sha256=hashlib.sha256(original).hexdigest())
    with_audit = with_audit_page(original, trail)
    return seal.seal(session, with_audit, reason=f"Signed proposal: {proposal.name}")


def _file_document(session: Session, proposal: Proposal, pdf: bytes, who) -> Document:
    name = storage.clean_filename(f"{proposal.name} - signed.pdf")
    stored = storage.store(pdf, name)
    doc = Document(account_id=proposal.account_id, job_id=proposal.job_id, name=name, stored_key=stored.key,
                   size=stored.size, content_type="application/pdf", uploaded_by_contact_id=who.contact_id,
                   uploaded_by_label=f"{who.name} (signed proposal)")
    session.add(doc)
    session.flush()
    return doc


def decline(session: Session, who, proposal_id: int, *, reason: str, ip_address: str = "",
            user_agent: str = "") -> Proposal:
    """Decline the proposal with a reason (the client); staff are told."""
    proposal = _contact_proposal(session, who, proposal_id)
    _waiting(proposal)
    reason = " ".join(str(reason or "").split())[:MAX_REASON]
    if not reason:
        raise InvalidInput("Say why you decline, so the firm knows what to change.", field="reason")
    proposal.status, proposal.declined_at, proposal.decline_reason = ProposalStatus.declined, utcnow(), reason
    _event(session, proposal, "declined", f"Declined by {who.name}: {reason}", contact_id=who.contact_id,
           ip_address=ip_address, user_agent=user_agent)
    account = session.get(Account, proposal.account_id)
    audit.record(session, _client_actor(who), "proposal_declined", "account", proposal.account_id,
                 f'{who.name} declined proposal "{proposal.name}": {reason}', proposal_id=proposal.id)
    inbox.notify_client_activity(session, account_id=proposal.account_id, job_id=proposal.job_id,
                                 text=f'{who.name} ({account.name}) declined the proposal "{proposal.name}": {reason}')
    return proposal


# --- facts for the rules --------------------------------------------------------------------------


def proposal_facts(session: Session, proposal_id: int) -> dict | None:
    """What rules read about a proposal: `proposal.name`, `proposal.total` (dollars)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    return {"id": proposal.id, "name": proposal.name, "total": Decimal(proposal.total_cents) / 100,
            "status": ProposalStatus(proposal.status).value}


# --- reminders ------------------------------------------------------------------------------------


def _is_complete(session: Session, proposal_id: int) -> bool:
    proposal = session.get(Proposal, proposal_id)
    return proposal is None or proposal.status != ProposalStatus.sent


def _remind(session: Session, proposal_id: int, n: int) -> str:
    proposal = session.get(Proposal, proposal_id)
    sent = _email(session, proposal, "proposal_reminder", key=f"proposal-reminder|{proposal.id}|{n}", n=n)
    if not sent:
        return "No contact of the account can log in to the portal, so no reminder was sent."
    return f'Reminded {", ".join(sent)} to sign "{proposal.name}"'


# How the sweep reminds about proposals (listed in services/automation/reminder_kinds.py).
REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)
