"""Invoice templates: a named invoice the firm sends again and again (`send invoice "T" to account`): its lines
(from the services catalog or typed, read and checked as the invoice editor reads them), the tax on the whole
invoice (on the lines without a rate of their own), notes, terms and how many days after issue it is due. Owners and admins write them; whoever sees billing reads them. A template a saved
rule sends keeps its name and cannot be deleted (a rule naming a missing template would stop the whole rules
file from running), as organizer and proposal templates do."""
from __future__ import annotations

import dataclasses
from typing import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Invoice, InvoiceTemplate, utcnow
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.billing.invoices import (TEXT_LIMIT, lines_total, parse_whole_tax, percent_text,
                                                quantity_text, read_lines, require_sees_billing)
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.formatting import format_money

MAX_NAME = 200
MAX_TEMPLATES = 500
MAX_DUE_DAYS = 365
DEFAULT_DUE_DAYS = 30

# Names of the saved rules that send an invoice template (the automations' `rules_sending_invoice`), given by the
# caller: the automations sit above billing.
RulesUsing = Callable[[Session, str], list[str]]


@dataclasses.dataclass(frozen=True)
class TemplateSummary:
    id: int
    name: str
    lines: int
    total_cents: int
    due_days: int


def _total(session: Session, template: InvoiceTemplate) -> int:
    try:
        return lines_total(session, template.lines, template.whole_tax_bp)
    except InvalidInput:
        return 0  # a service it names was taken out of the catalog since: sending it says so


def list_templates(session: Session, actor: Actor) -> list[TemplateSummary]:
    """Every invoice template, by name, with its number of lines and total (whoever sees billing)."""
    require_sees_billing(actor)
    return [TemplateSummary(t.id, t.name, len(t.lines or []), _total(session, t), t.due_days)
            for t in session.exec(select(InvoiceTemplate).order_by(func.lower(InvoiceTemplate.name)))]


def template_names(session: Session) -> list[str]:
    """The names rules may send (`send invoice "T" to account`)."""
    return list(session.exec(select(InvoiceTemplate.name).order_by(InvoiceTemplate.name)))


def template_by_name(session: Session, name: str) -> InvoiceTemplate | None:
    """Matched like every name in the rules: ignoring case and extra spaces."""
    wanted = " ".join((name or "").split()).lower()
    return session.exec(select(InvoiceTemplate).where(func.lower(func.trim(InvoiceTemplate.name)) == wanted)).first()


def get_template(session: Session, actor: Actor, template_id: int) -> InvoiceTemplate:
    """One template (whoever sees billing)."""
    require_sees_billing(actor)
    template = session.get(InvoiceTemplate, int(template_id)) if str(template_id).isdigit() else None
    if template is None:
        raise NotFound(_("That invoice template no longer exists."))
    return template


def _clean_name(name: str) -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise InvalidInput(_("Give the invoice template a name."), field="name")
    if len(clean) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field="name")
    return clean


def due_days_of(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return DEFAULT_DUE_DAYS
    if not text.isdigit() or int(text) > MAX_DUE_DAYS:
        raise InvalidInput(_("Due in: a whole number of days from 0 to {n}.").format(n=MAX_DUE_DAYS), field="due_days")
    return int(text)


def kept_lines(session: Session, lines: list[dict]) -> list[dict]:
    """The lines checked as an invoice's are, kept in the shape the invoice editor reads back."""
    return [{"service_id": line.service_id, "name": line.name, "description": line.description,
             "quantity": quantity_text(line.quantity_hundredths), "rate_cents": line.rate_cents,
             "discount": percent_text(line.discount_bp) if line.discount_bp else "",
             "tax": percent_text(line.tax_bp) if line.tax_bp else ""}
            for line in read_lines(session, lines)]


def _refuse_if_used(session: Session, name: str, rules_using: RulesUsing, *, rename: bool) -> None:
    used = rules_using(session, name)
    if not used:
        return
    names = ", ".join(f'"{n}"' for n in used)
    if rename:
        raise Conflict(_('The rule {names} sends "{name}" (send invoice "{name}"); change the rules first, then rename '
                         "the invoice template.").format(names=names, name=name))
    raise Conflict(_('The rule {names} sends "{name}" (send invoice "{name}"); change the rules first, then delete '
                     "the invoice template.").format(names=names, name=name))


def save_template(session: Session, actor: Actor, *, name: str, lines: list[dict], notes: str = "", terms: str = "",
                  due_days=DEFAULT_DUE_DAYS, template_id: int | None = None, whole_tax: str = "",
                  rules_using: RulesUsing) -> InvoiceTemplate:
    """Create a template, or change one (owners and admins); one a saved rule sends keeps its name. `whole_tax` is
    the tax on the whole invoice as typed ("8.25"; empty: none)."""
    require_admin(actor)
    name = _clean_name(name)
    same = template_by_name(session, name)
    if template_id is None:
        if same is not None:
            raise Conflict(_('There is already an invoice template "{name}".').format(name=same.name))
        if session.exec(select(func.count()).select_from(InvoiceTemplate)).one() >= MAX_TEMPLATES:
            raise InvalidInput(_("The firm has {n} invoice templates, the most it may keep; delete one first.")
                               .format(n=MAX_TEMPLATES))
        template = InvoiceTemplate(name=name)
    else:
        template = get_template(session, actor, template_id)
        if same is not None and same.id != template.id:
            raise Conflict(_('There is already an invoice template "{name}".').format(name=same.name))
        if name.lower() != " ".join(template.name.split()).lower():
            _refuse_if_used(session, template.name, rules_using, rename=True)
    kept = kept_lines(session, lines)
    due = due_days_of(due_days)
    tax_bp = parse_whole_tax(whole_tax)
    old_name = template.name
    template.name, template.lines, template.due_days, template.whole_tax_bp = name, kept, due, tax_bp
    template.notes = (notes or "").strip()[:TEXT_LIMIT]
    template.terms = (terms or "").strip()[:TEXT_LIMIT]
    template.updated_at = utcnow()
    session.add(template)
    session.flush()
    total = format_money(_total(session, template))
    if template_id is None:
        audit.record(session, actor, "create", "invoice_template", template.id,
                     f'Created invoice template "{name}": {len(kept)} line(s), {total}')
    else:
        renamed = f' (was "{old_name}")' if old_name != name else ""
        audit.record(session, actor, "update", "invoice_template", template.id,
                     f'Changed invoice template "{name}"{renamed}: {len(kept)} line(s), {total}')
    return template


def delete_template(session: Session, actor: Actor, template_id: int, *, rules_using: RulesUsing) -> str:
    """Delete a template no saved rule sends (owners and admins); invoices sent from it keep their lines. Returns
    its name."""
    require_admin(actor)
    template = get_template(session, actor, template_id)
    _refuse_if_used(session, template.name, rules_using, rename=False)
    for invoice in session.exec(select(Invoice).where(Invoice.template_id == template.id)):
        invoice.template_id = None
        session.add(invoice)
    name = template.name
    audit.record(session, actor, "delete", "invoice_template", template.id, f'Deleted invoice template "{name}"')
    session.flush()
    session.delete(template)
    session.flush()
    return name
