"""Proposal templates (admins): an introduction and terms in the firm's Jinja2 text, with service lines from the
catalog; and the names of the steps the client sees."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from babel.numbers import format_decimal
from sqlalchemy import func
from sqlmodel import Session, select

from practice import i18n
from practice.i18n import N_, _, babel_locale, ngettext
from practice.models import Proposal, ProposalTemplate, ProposalTemplateLine, Service, SigningSettings, utcnow
from practice.services import audit, templating
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.payments import settings as payment_settings
from practice.services.proposals.lookup import require_staff, template_lines
from practice.services.proposals.rendering import sample_context
from practice.services.proposals.views import TemplateView
from practice.services.signing import consent
from practice.services.work.catalog import parse_money

MAX_NAME = 200
MAX_TEXT = 50_000
MAX_LINES = 100
MAX_QUANTITY = 10_000
MAX_PRICE_CENTS = 100_000_000_00  # $100 million: anything above is a typo
# The steps the client sees, in order; the firm may rename them (SigningSettings.proposal_steps).
STEP_KEYS = ("read", "choose", "sign")
DEFAULT_STEPS = {"read": N_("Read"), "choose": N_("Choose services"), "sign": N_("Sign")}
MAX_STEP_NAME = 40
# Names of the saved rules that send a proposal template (the automations know; proposals sit below them).
RulesUsing = Callable[[Session, str], list[str]]


def _template_view(session: Session, t: ProposalTemplate) -> TemplateView:
    return TemplateView(t.id, t.name, t.introduction, t.terms, template_lines(session, t.id), t.updated_at,
                        t.introduction_fr or "", t.terms_fr or "", t.name_fr or "", bool(t.require_payment))


def list_templates(session: Session, actor: Actor) -> list[TemplateView]:
    """Every proposal template with its lines (staff: they send them)."""
    require_staff(actor)
    return [_template_view(session, t) for t in session.exec(select(ProposalTemplate).order_by(ProposalTemplate.name))]


def template_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every template, for the "Send a proposal" menu."""
    return [(t.id, t.name) for t in session.exec(select(ProposalTemplate).order_by(ProposalTemplate.name))]


def template_by_name(session: Session, name: str) -> ProposalTemplate | None:
    """Matched like every name in the rules: ignoring case and surrounding spaces."""
    wanted = " ".join((name or "").split()).lower()
    return session.exec(select(ProposalTemplate).where(func.lower(func.trim(ProposalTemplate.name)) == wanted)).first()


def get_template(session: Session, actor: Actor, template_id: int) -> TemplateView:
    require_staff(actor)
    t = session.get(ProposalTemplate, template_id)
    if t is None:
        raise NotFound(_("That proposal template no longer exists."))
    return _template_view(session, t)


def _int(value, what: str, field_name: str, *, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise InvalidInput(_("{what} must be a whole number.").format(what=what), field=field_name) from None
    if not low <= number <= high:
        raise InvalidInput(_("{what} must be between {low} and {high}.").format(
            what=what, low=format_decimal(low, locale=babel_locale()), high=format_decimal(high, locale=babel_locale())),
            field=field_name)
    return number


def _clean_lines(session: Session, lines: list[dict]) -> list[dict]:
    """Lines from a form or a caller: a catalog service (its name and rate are the defaults) or a free line."""
    if not isinstance(lines, list):
        raise InvalidInput(_("The services must be a list."), field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(_("A proposal holds at most {count} services.").format(count=MAX_LINES), field="lines")
    out = []
    for n, raw in enumerate(lines, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(_("Service line {n} is not understood.").format(n=n), field="lines")
        service = None
        if raw.get("service_id") not in (None, "", 0, "0"):
            service_id = _int(raw.get("service_id"), _("The service of line {n}").format(n=n), "lines", low=1, high=2**62)
            service = session.get(Service, service_id)
            if service is None:
                raise InvalidInput(_("Line {n}: that service is no longer in the catalog.").format(n=n), field="lines")
        name = " ".join(str(raw.get("name") or "").split())[:MAX_NAME] or (service.name if service else "")
        if not name:
            raise InvalidInput(_("Line {n} needs a service from the catalog or a name.").format(n=n), field="lines")
        description = str(raw.get("description") or "").strip()[:2000] or (service.description if service else "")
        quantity = _int(raw.get("quantity", 1) or 1, _("The quantity of line {n}").format(n=n), "lines", low=1, high=MAX_QUANTITY)
        if raw.get("price_cents") not in (None, ""):
            price = _int(raw["price_cents"], _("The price of line {n}").format(n=n), "lines", low=0, high=MAX_PRICE_CENTS)
        elif str(raw.get("price") or "").strip():
            price = parse_money(str(raw["price"]), field="lines")
        else:
            price = service.rate_cents if service else 0
        if price > MAX_PRICE_CENTS:
            raise InvalidInput(_("The price of line {n} is too large; check the amount.").format(n=n), field="lines")
        optional = raw.get("optional")
        optional = optional if isinstance(optional, bool) else str(optional).lower() in ("1", "true", "on", "yes")
        out.append({"service_id": service.id if service else None, "name": name, "description": description,
                    "quantity": quantity, "price_cents": price, "optional": optional, "position": n})
    return out


@dataclasses.dataclass(frozen=True)
class CheckedTexts:
    """An introduction and terms (and their French version) that filled in with the sample client (`check_texts`)."""
    introduction: str
    terms: str
    introduction_fr: str = ""
    terms_fr: str = ""


def _texts(introduction: str, terms: str, introduction_fr: str = "", terms_fr: str = "") -> CheckedTexts:
    texts = CheckedTexts(*(str(text or "").strip() for text in (introduction, terms, introduction_fr, terms_fr)))
    if max(len(text) for text in dataclasses.astuple(texts)) > MAX_TEXT:
        raise InvalidInput(_("The introduction and the terms may each hold {count} characters.").format(
            count=format_decimal(MAX_TEXT, locale=babel_locale())),
            field="terms_fr" if max(len(texts.introduction_fr), len(texts.terms_fr)) > MAX_TEXT else "terms")
    if texts.introduction_fr or texts.terms_fr:  # a French reader never gets half the proposal in the main language
        if texts.introduction and not texts.introduction_fr:
            raise InvalidInput(_("Write the French introduction too, or leave both French texts empty."),
                               field="introduction_fr")
        if texts.terms and not texts.terms_fr:
            raise InvalidInput(_("Write the French terms too, or leave both French texts empty."), field="terms_fr")
    return texts


def check_texts(session: Session, actor: Actor, *, introduction: str = "", terms: str = "",
                introduction_fr: str = "", terms_fr: str = "") -> CheckedTexts:
    """Fill the texts in once with sample facts (in the limited child), so a typo is found now and not by a client;
    the French version is filled in as a French reader gets it (dates in French).
    Called in a read transaction before the save: the child's seconds then hold no write lock, which everybody's
    saves would wait for."""
    require_admin(require_staff(actor))
    texts = _texts(introduction, terms, introduction_fr, terms_fr)
    templating.render_all([(texts.introduction, N_("introduction"), templating.MAX_CHARS),
                           (texts.terms, N_("terms"), templating.MAX_CHARS)], sample_context(session))
    if texts.introduction_fr or texts.terms_fr:
        with templating.speaking(i18n.current_locale()), i18n.using_locale("fr"):
            templating.render_all([(texts.introduction_fr, N_("French introduction"), templating.MAX_CHARS),
                                   (texts.terms_fr, N_("French terms"), templating.MAX_CHARS)], sample_context(session))
    return texts


def save_template(session: Session, actor: Actor, *, name: str, introduction: str = "", terms: str = "",
                  lines: list[dict] | None = None, template_id: int | None = None,
                  rules_using: RulesUsing | None = None, checked: CheckedTexts | None = None,
                  introduction_fr: str = "", terms_fr: str = "", name_fr: str = "",
                  require_payment: bool = False) -> ProposalTemplate:
    """Create or change a proposal template (admins); its texts must fill in with a sample account (checked here
    unless `checked`, from `check_texts`, holds these very texts). The French name, introduction and terms are
    optional: a client who reads French gets them (an empty one: the main text). `require_payment`: the client pays
    the first invoice by card when signing, which needs the firm's card payments set up.

    Renaming a template needs `rules_using` (the automations' `rules_sending_proposal`): a template a rule
    sends keeps its name."""
    require_admin(require_staff(actor))
    name = " ".join((name or "").split())[:MAX_NAME]
    if not name:
        raise InvalidInput(_("Give the proposal template a name."), field="name")
    name_fr = " ".join(str(name_fr or "").split())
    if len(name_fr) > MAX_NAME:
        raise InvalidInput(_("A name may hold {n} characters.").format(n=MAX_NAME), field="name_fr")
    texts = _texts(introduction, terms, introduction_fr, terms_fr)
    clean = _clean_lines(session, lines or [])
    if not clean:
        raise InvalidInput(_("Add at least one service to the proposal."), field="lines")
    _can_take_payment(session, require_payment)
    if checked != texts:
        check_texts(session, actor, **dataclasses.asdict(texts))
    same = template_by_name(session, name)
    if template_id is None:
        if same is not None:
            raise Conflict(_('There is already a proposal template "{name}".').format(name=same.name))
        template = ProposalTemplate(name=name)
        session.add(template)
    else:
        template = session.get(ProposalTemplate, template_id)
        if template is None:
            raise NotFound(_("That proposal template no longer exists."))
        if same is not None and same.id != template.id:
            raise Conflict(_('There is already a proposal template "{name}".').format(name=same.name))
        if " ".join(template.name.split()).lower() != name.lower():
            _not_used_by_rules(session, template, "rename", rules_using)
    template.name, template.introduction, template.terms, template.updated_at = (name, texts.introduction,
                                                                                 texts.terms, utcnow())
    french_before = (template.introduction_fr or "", template.terms_fr or "", template.name_fr or "")
    template.introduction_fr, template.terms_fr, template.name_fr = texts.introduction_fr, texts.terms_fr, name_fr
    paying_before, template.require_payment = bool(template.require_payment), bool(require_payment)
    session.flush()
    for old in session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id)):
        session.delete(old)
    for line in clean:
        session.add(ProposalTemplateLine(template_id=template.id, **line))
    session.flush()
    french = audit.french_change(french_before, (texts.introduction_fr, texts.terms_fr, name_fr))
    audit.record(session, actor, "create" if template_id is None else "update", "proposal_template", template.id,
                 f'{"Created" if template_id is None else "Updated"} proposal template "{name}"'
                 + (f" (French version {french})" if french else "") + _paying_words(paying_before, template),
                 lines=len(clean),
                 **({"french": french} if french else {}))
    return template



def _can_take_payment(session: Session, require_payment: bool) -> None:
    if require_payment and not payment_settings.is_set_up(session):
        raise InvalidInput(_("Set up card payments first (Settings, Payments): a client pays when signing by "
                             "card."), field="require_payment")


def _paying_words(before: bool, template: ProposalTemplate) -> str:
    if before == template.require_payment:
        return ""
    return " (payment required when signing)" if template.require_payment else " (no payment when signing)"


def _not_used_by_rules(session: Session, template: ProposalTemplate, doing: str,
                       rules_using: RulesUsing | None) -> None:
    # A rule naming a missing template would stop the whole rules file from running.
    if rules_using is None:
        raise TypeError(f"To {doing} a proposal template, pass rules_using (the rules that send it).")
    used = rules_using(session, template.name)
    if used:
        names = ", ".join(f'"{n}"' for n in used)
        sentence = (ngettext('The rule {names} sends "{name}"; change the rules first, then rename the template.',
                             'The rules {names} send "{name}"; change the rules first, then rename the template.',
                             len(used)) if doing == "rename" else
                    ngettext('The rule {names} sends "{name}"; change the rules first, then delete the template.',
                             'The rules {names} send "{name}"; change the rules first, then delete the template.',
                             len(used)))
        raise Conflict(sentence.format(names=names, name=template.name))


def delete_template(session: Session, actor: Actor, template_id: int, *, rules_using: RulesUsing) -> None:
    """Delete a template (admins) no rule sends (`rules_using`: the automations' `rules_sending_proposal`);
    proposals already sent keep their own copy."""
    require_admin(require_staff(actor))
    template = session.get(ProposalTemplate, template_id)
    if template is None:
        raise NotFound(_("That proposal template no longer exists."))
    _not_used_by_rules(session, template, "delete", rules_using)
    for line in session.exec(select(ProposalTemplateLine).where(ProposalTemplateLine.template_id == template.id)):
        session.delete(line)
    for sent in session.exec(select(Proposal).where(Proposal.template_id == template.id)):
        sent.template_id = None
    audit.record(session, actor, "delete", "proposal_template", template.id,
                 f'Deleted proposal template "{template.name}"')
    session.delete(template)


def step_names(session: Session) -> dict[str, str]:
    """The names of the proposal steps the client sees (the firm's, else the defaults)."""
    # Read only (no settings row is made here): pages call this in read sessions.
    row = session.exec(select(SigningSettings).order_by(SigningSettings.id)).first()
    chosen = (row.proposal_steps if row else None) or {}
    return {key: (str(chosen.get(key) or "").strip() or _(DEFAULT_STEPS[key])) for key in STEP_KEYS}


def rename_steps(session: Session, actor: Actor, names: dict) -> dict[str, str]:
    """Rename the steps clients see (admins); an empty name goes back to the default."""
    require_admin(require_staff(actor))
    clean = {}
    for key in STEP_KEYS:
        value = " ".join(str((names or {}).get(key) or "").split())
        if len(value) > MAX_STEP_NAME:
            raise InvalidInput(_("A step name may hold {count} characters.").format(count=MAX_STEP_NAME), field=key)
        if value and value != DEFAULT_STEPS[key]:
            clean[key] = value
    row = consent.settings(session)
    row.proposal_steps = clean
    row.updated_at = utcnow()
    audit.record(session, actor, "update", "signing_settings", row.id, "Renamed the proposal steps",
                 steps=clean)
    return step_names(session)
