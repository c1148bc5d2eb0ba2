"""The proposal as a PDF: the firm's texts filled in, the services and total, the signature; a preview for staff,
and the signed copy with its audit page, sealed with the firm's certificate."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import jinja2
from babel import dates as babel_dates
from markupsafe import Markup
from sqlmodel import Session, select

from practice import config, i18n
from practice.i18n import N_, _
from practice.models import Account, Contact, Proposal, ProposalTemplate, SigningEvent, utcnow
from practice.services import templating
from practice.services.actor import Actor
from practice.services.documents import html_pdf
from practice.services.errors import NotFound
from practice.services.firm import get_firm, language_for, version_for
from practice.services.proposals.lookup import proposal_lines, require_staff, template_lines
from practice.services.proposals.views import LineView, name_for
from practice.services.signing import seal
from practice.services.signing.audit_page import AuditSigner, AuditTrail, with_audit_page
from practice.services.signing.audit_words import timeline_sentence
from practice.services.work.accounts import get_account
from practice.services.work.facts import facts_for, template_context
from practice.services.formatting import format_money

PDF_DIR = config.ROOT / "templates" / "pdf"


# Our own layout (not firm-written): a plain environment with autoescaping; the firm's texts inside it
# were already rendered through the sandbox.
_pdf_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PDF_DIR)), autoescape=True,
                              undefined=jinja2.StrictUndefined)
# Its sentences come from the catalog in the language of the moment (the client's for a signed proposal).
_pdf_env.globals["_"] = lambda message, **values: _(message).format(**values) if values else _(message)


def sample_context(session: Session) -> dict:
    facts = {"account": {"id": 0, "name": "Sample Client LLC", "type": "Company", "balance": Decimal(0),
                         "created_at": utcnow(), "notes": "", "tags": []},
             "contact": {"id": 0, "first_name": "Jane", "last_name": "Doe", "name": "Jane Doe",
                         "email": "jane@example.com", "phone": "", "tags": []},
             "job": {"id": 0, "name": "2026 Tax return", "stage": "Onboarding", "pipeline": "1040 Return",
                     "assignee": None, "assignees": [], "priority": "Medium", "start_date": None, "due_date": None,
                     "created_at": utcnow(), "entered_stage_at": utcnow(), "archived": False, "account_id": 0,
                     "hours": Decimal(0), "tags": []}}
    return template_context(session, facts)


def _versions(template: ProposalTemplate, language: str) -> list[tuple[str, str, int]]:
    """The introduction and terms a reader of `language` gets, as `templating.render_all` takes them."""
    french = language == "fr" and bool((template.introduction_fr or "").strip() or (template.terms_fr or "").strip())
    return [(version_for(language, template.introduction, template.introduction_fr),
             N_("French introduction") if french else N_("introduction"), templating.MAX_CHARS),
            (version_for(language, template.terms, template.terms_fr),
             N_("French terms") if french else N_("terms"), templating.MAX_CHARS)]


def fill_texts(session: Session, template: ProposalTemplate, account_id: int, job_id: int | None,
               contact_id: int | None, *, language: str = "") -> tuple[str, str]:
    """The template's introduction and terms filled in for the account, in their French version when the contact
    it goes to reads French (or `language` says so, without a contact) and the firm wrote one."""
    facts = facts_for(session, job_id=job_id, account_id=account_id, contact_id=contact_id)
    contact = session.get(Contact, contact_id) if contact_id else None
    language = language_for(session, contact.language if contact else language)
    with i18n.using_locale(language):  # the reader's dates ("3 décembre 2026")
        intro, terms = templating.render_all(_versions(template, language), template_context(session, facts))
    return intro, terms


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
    if i18n.current_locale() == "fr":
        return babel_dates.format_datetime(local, "d MMMM y 'à' HH:mm", tzinfo=local.tzinfo, locale="fr_FR") + f" ({tz})"
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
                "price": format_money(line.price_cents), "amount": format_money(line.amount_cents), "optional": line.optional}
               for line in chosen],
        total=format_money(sum(line.amount_cents for line in chosen)), signer_name=signer_name,
        typed=str(signature.get("text") or "") if signature_kind == "typed" else "",
        drawn=Markup(drawn), signed_at=signed_at, reference=reference, preview=preview, lang=i18n.current_locale())


def render_pdf(html: str) -> bytes:
    """The PDF of `proposal_html` output (offline: WeasyPrint with data: URLs only)."""
    return html_pdf.render_pdf(html)


def preview_pdf(session: Session, actor: Actor, template_id: int, *, account_id: int | None = None,
                language: str = "") -> bytes:
    """The template as a client would get it (sample client, or the given account), unsigned (staff); with
    `language` "fr", as a client who reads French gets it (its French version, the PDF's own words in French)."""
    require_staff(actor)
    template = session.get(ProposalTemplate, template_id)
    if template is None:
        raise NotFound(_("That proposal template no longer exists."))
    language = i18n.supported(language)  # "": the main texts, in the reader's own words around them
    with templating.speaking(i18n.current_locale()), i18n.using_locale(language or i18n.current_locale()):
        return _preview_pdf(session, actor, template, account_id, language)


def _preview_pdf(session: Session, actor: Actor, template: ProposalTemplate, account_id: int | None,
                 language: str) -> bytes:
    if account_id is not None:
        account = get_account(session, actor, account_id)
        intro, terms = fill_texts(session, template, account.id, None, None, language=language)
        account_name = account.name
    else:
        context = sample_context(session)
        intro, terms = templating.render_all(_versions(template, language), context)
        account_name = context["account"]["name"]
    lines = template_lines(session, template.id)
    for line in lines:
        line.chosen = True  # a preview shows every service, optional ones marked so
    return render_pdf(proposal_html(firm_name=get_firm(session).name, account_name=account_name,
                                    name=version_for(language, template.name, template.name_fr),
                                    introduction=intro, terms=terms, lines=lines, preview=True))


def signed_pdf(session: Session, proposal: Proposal, contact: Contact, login_email: str,
                consented_at: dt.datetime | None) -> bytes:
    """Render with the signature, add the audit page, seal with the firm's certificate; in the signer's language."""
    with i18n.using_locale(language_for(session, contact.language)):
        return _signed_pdf(session, proposal, contact, login_email, consented_at)


def _signed_pdf(session: Session, proposal: Proposal, contact: Contact, login_email: str,
                consented_at: dt.datetime | None) -> bytes:
    firm = get_firm(session)
    account = session.get(Account, proposal.account_id)
    html = proposal_html(firm_name=firm.name, account_name=account.name, name=name_for(proposal, i18n.current_locale()),
                         introduction=proposal.introduction, terms=proposal.terms,
                         lines=proposal_lines(session, proposal.id),
                         signer_name=proposal.signer_name, signature_kind=proposal.signature_kind,
                         signature=proposal.signature, signed_at=_local(proposal.signed_at, firm.timezone),
                         reference=_("Proposal #{id}").format(id=proposal.id))
    original = render_pdf(html)
    timeline = list(session.exec(select(SigningEvent).where(SigningEvent.proposal_id == proposal.id)
                                 .order_by(SigningEvent.at, SigningEvent.id)))
    trail = AuditTrail(
        title=name_for(proposal, i18n.current_locale()), reference=_("Proposal #{id}").format(id=proposal.id), firm_name=firm.name, account_name=account.name,
        original_sha256=hashlib.sha256(original).hexdigest(),
        signers=[AuditSigner(
            name=proposal.signer_name, email=contact.email, login=login_email, ip_address=proposal.ip_address,
            user_agent=proposal.user_agent, viewed_at=proposal.viewed_at, consented_at=consented_at,
            signed_at=proposal.signed_at, identity_check="portal password",
            identity_result="logged in to the client portal")],
        events=[(e.at, timeline_sentence(e.kind, e.detail) if e.detail else e.kind) for e in timeline], completed_at=proposal.signed_at,
        stamped_sha256=hashlib.sha256(original).hexdigest())
    with_audit = with_audit_page(original, trail)
    return seal.seal(session, with_audit, reason=f"Signed proposal: {proposal.name}")
