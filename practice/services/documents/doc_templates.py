"""Document templates: Jinja2 HTML the firm writes, filled with an account's facts and rendered to PDF.

A template may carry its own signature fields: an element whose id is `sign-<signer>-<kind>` (kind is
signature, initials, date or text, optionally followed by `-<anything>` to tell several apart, e.g.
`sign-1-initials-2` or `sign-1-text-company`) becomes a field for that signer (1 = the first signer)
where the element lands on the page. A template with no such element gets a signature and a date
field per signer at the bottom of its last page. Rendering never touches the network (html_pdf).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import Account, AccountContact, Contact, DocumentTemplate, Job, utcnow
from practice.services import audit, templating
from practice.services.documents import html_pdf
from practice.services.work.accounts import get_account
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.templating import EmptyPlaceholder
from practice.services.work.facts import contact_facts, facts_for, preview_hint, template_context
from practice import i18n
from practice.i18n import N_, _
from practice.services.firm import version_for

MAX_NAME = 100
MAX_BODY = 200_000
FIELD_KINDS = ("signature", "initials", "date", "text")
FIELD_ID = re.compile(r"^sign-(\d{1,2})-(signature|initials|date|text)(?:-[\w-]{1,40})?$")
# Size of a field (page fractions) when its element is too small to show where it should go (an empty span).
DEFAULT_SIZE = {"signature": (0.32, 0.055), "initials": (0.09, 0.04), "date": (0.2, 0.03), "text": (0.3, 0.03)}
MIN_PX = 6


@dataclass
class TemplateView:
    id: int
    name: str
    body: str
    updated_at: dt.datetime
    # The French version, for signers who read French (empty: they get the body above).
    body_fr: str = ""


@dataclass
class TemplateField:
    """A field a template places: signer number (1-based), kind, 0-based page, page fractions (top-left origin)."""

    signer: int
    kind: str
    page: int
    x: float
    y: float
    width: float
    height: float
    label: str = ""


@dataclass
class Rendered:
    pdf: bytes
    fields: list[TemplateField]
    # (width, height) of each page in PDF points.
    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    # True when the template carried no field and `fields` are the defaults for `signers` signers.
    default_fields: bool = False


def _staff(actor) -> Actor:
    if not isinstance(actor, Actor):
        raise PermissionDenied(_("Only the firm's team can use document templates."))
    return actor


def list_templates(session: Session, actor: Actor) -> list[TemplateView]:
    """Every document template (any staff member may use one)."""
    _staff(actor)
    return [TemplateView(t.id, t.name, t.body, t.updated_at, t.body_fr or "")
            for t in session.exec(select(DocumentTemplate).order_by(func.lower(DocumentTemplate.name)))]


def names(session: Session) -> list[str]:
    """The templates' names (the rules' catalog of "document" templates)."""
    return list(session.exec(select(DocumentTemplate.name).order_by(DocumentTemplate.name)))


def get_template(session: Session, actor: Actor, template_id: int) -> TemplateView:
    _staff(actor)
    t = session.get(DocumentTemplate, template_id)
    if t is None:
        raise NotFound(_('That document template does not exist (it may have been deleted).'))
    return TemplateView(t.id, t.name, t.body, t.updated_at, t.body_fr or "")


def template_by_name(session: Session, name: str) -> DocumentTemplate | None:
    return session.exec(select(DocumentTemplate).where(
        func.lower(DocumentTemplate.name) == " ".join(str(name or "").split()).lower())).first()


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput(_('Give the document template a name.'), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(_('Keep the template name to {max_name} characters.').format(max_name=MAX_NAME), field="name")
    if '"' in name:
        raise InvalidInput(_('A template name cannot contain a double quote (rules quote it as "name").'), field="name")
    return name


def _checked_body(body: str, *, french: bool = False) -> str:
    """A body within the size limit that parses (checked in the limited child), or the sentence saying why not."""
    body, field_name = str(body or ""), "body_fr" if french else "body"
    if len(body) > MAX_BODY:
        message = (_('The French version is longer than {max_body} characters; shorten it.') if french else
                   _('The template is longer than {max_body} characters; shorten it.'))
        raise InvalidInput(message.format(max_body=f"{MAX_BODY:,}"), field=field_name)
    try:
        templating.check_template(body, FRENCH_WHAT if french else WHAT)
    except InvalidInput as err:
        raise InvalidInput(str(err), field=field_name) from None
    return body


def save_template(session: Session, actor: Actor, *, name: str, body: str,
                  template_id: int | None = None, body_fr: str = "") -> DocumentTemplate:
    """Create a document template or change one (the owner and admins, like folder templates); its French version
    (`body_fr`, optional) is what a first signer who reads French gets, checked like the body."""
    require_admin(actor)
    name = _clean_name(name)
    if not str(body or "").strip():
        raise InvalidInput(_('Write the document: HTML with placeholders like {{ account.name }}.'), field="body")
    body = _checked_body(body)
    body_fr = _checked_body(body_fr, french=True) if str(body_fr or "").strip() else ""
    same = template_by_name(session, name)
    if same is not None and same.id != template_id:
        raise Conflict(_('There is already a document template "{name}".').format(name=name))
    if template_id is None:
        template = DocumentTemplate(name=name, body=body)
        session.add(template)
        action, french_before = "create", ""
    else:
        template = session.get(DocumentTemplate, template_id)
        if template is None:
            raise NotFound(_('That document template does not exist (it may have been deleted).'))
        template.name, template.body, template.updated_at = name, body, utcnow()
        action, french_before = "update", template.body_fr or ""
    template.body_fr = body_fr
    session.flush()
    french = audit.french_change([french_before], [body_fr])
    audit.record(session, actor, action, "document_template", template.id, f'Saved document template "{name}"'
                 + (f" (French version {french})" if french else ""), **({"french": french} if french else {}))
    return template


def delete_template(session: Session, actor: Actor, template_id: int) -> None:
    """Delete a template (documents already made from it stay)."""
    require_admin(actor)
    template = session.get(DocumentTemplate, template_id)
    if template is None:
        raise NotFound(_('That document template does not exist (it may have been deleted).'))
    audit.record(session, actor, "delete", "document_template", template.id,
                 f'Deleted document template "{template.name}"')
    session.delete(template)


# --- rendering --------------------------------------------------------------------------------------


def _contacts(session: Session, account_id: int) -> list[dict]:
    ids = session.exec(select(Contact.id).join(AccountContact, AccountContact.contact_id == Contact.id)
                       .where(AccountContact.account_id == account_id).order_by(Contact.id))
    return [contact_facts(session, i) for i in ids]


SAMPLE = {"account": {"id": 0, "name": "Sample Household", "type": "individual", "notes": "", "tags": []},
          "contact": {"id": 0, "first_name": "Jane", "last_name": "Sample", "name": "Jane Sample",
                      "email": "jane@example.com", "phone": "", "tags": []}}


def context_for(session: Session, account_id: int | None, job_id: int | None = None) -> dict:
    """What a document template reads: account, contacts (and `contact`, the first), job, firm, today."""
    if account_id is None:
        ctx = template_context(session, {"account": SAMPLE["account"], "contact": SAMPLE["contact"]})
        ctx["contacts"] = [SAMPLE["contact"]]
        return ctx
    contacts = _contacts(session, account_id)
    facts = facts_for(session, job_id=job_id, account_id=account_id)
    facts["contact"] = contacts[0] if contacts else None
    ctx = template_context(session, facts)
    ctx["contacts"] = contacts
    return ctx


def _fields_of(document) -> list[TemplateField]:
    out = []
    for index, page in enumerate(document.pages):
        width, height = float(page.width), float(page.height)
        for anchor, box in sorted(page.anchors.items(), key=lambda kv: (kv[1][1], kv[1][0])):
            match = FIELD_ID.match(anchor)
            if not match or len(box) < 4:
                continue
            signer, kind = int(match.group(1)), match.group(2)
            if signer < 1:
                continue
            x1, y1, x2, y2 = (float(v) for v in box[:4])
            dw, dh = DEFAULT_SIZE[kind]
            w = (x2 - x1) / width if x2 - x1 >= MIN_PX else dw
            h = (y2 - y1) / height if y2 - y1 >= MIN_PX else dh
            x, y = max(0.0, x1 / width), max(0.0, y1 / height)
            w, h = min(w, 1.0 - x), min(h, 1.0 - y)
            if w <= 0 or h <= 0:
                continue
            label = anchor.split("-", 3)[3] if anchor.count("-") >= 3 else ""
            out.append(TemplateField(signer, kind, index, round(x, 5), round(y, 5), round(w, 5), round(h, 5),
                                     label.replace("-", " ").replace("_", " ")))
    return out


def default_fields(signers: int, page: int) -> list[TemplateField]:
    """A signature and a date field per signer at the bottom of `page`, the last signer lowest."""
    out = []
    rows = max(1, signers)
    for n in range(1, rows + 1):
        y = 0.9 - (rows - n) * 0.075
        y = max(0.05, y)
        out.append(TemplateField(n, "signature", page, 0.08, round(y - 0.055, 4), 0.36, 0.055, "Signature"))
        out.append(TemplateField(n, "date", page, 0.55, round(y - 0.035, 4), 0.2, 0.035, "Date"))
    return out


FRENCH_WHAT = N_("French version of the document template")
WHAT = N_("document template")


def render_html(source: str, context: dict, what: str = WHAT) -> str:
    return templating.render(source, context, html=True, what=what)


def render_source(source: str, context: dict, *, signers: int = 1, what: str = WHAT,
                  language: str = "") -> Rendered:
    """The PDF of a template source filled with `context`, and its fields (defaults when it has none); filled in
    as a reader of `language` reads it (their dates), while sentences stay in the caller's language."""
    with templating.speaking(i18n.current_locale()), i18n.using_locale(language or i18n.current_locale()):
        html = render_html(source, context, what)
    document = html_pdf.layout(html)
    pdf = document.pdf
    if not document.pages:
        raise InvalidInput(_('The document template produced no page; write some content.'))
    fields = _fields_of(document)
    sizes = [(float(p.width) * 0.75, float(p.height) * 0.75) for p in document.pages]  # CSS px → points
    if fields:
        return Rendered(pdf, fields, sizes)
    return Rendered(pdf, default_fields(signers, len(document.pages) - 1), sizes, default_fields=True)


def _template(session: Session, template) -> DocumentTemplate:
    if isinstance(template, DocumentTemplate):
        return template
    if isinstance(template, int):
        found = session.get(DocumentTemplate, template)
    else:
        found = template_by_name(session, str(template))
    if found is None:
        raise NotFound(_('There is no document template "{name}".').format(name=template))
    return found


def render_with_fields(session: Session, template, account_id: int, job_id: int | None = None, *,
                       signers: int = 1, language: str = "") -> Rendered:
    """A template (row, id or name) filled in for an account (and job) → PDF and fields; for a reader of French
    (`language`, the first signer's), its French version when the firm wrote one, with dates in French."""
    tpl = _template(session, template)
    if session.get(Account, account_id) is None:
        raise NotFound(_('That account does not exist (it may have been deleted).'))
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account_id:
            raise NotFound(_('That job does not exist for this account.'))
    language = i18n.supported(language) or i18n.current_locale()
    french = language == "fr" and bool((tpl.body_fr or "").strip())
    return render_source(version_for(language, tpl.body, tpl.body_fr or ""), context_for(session, account_id, job_id),
                         signers=signers, what=FRENCH_WHAT if french else WHAT, language=language)


def render(session: Session, template, account_id: int, job_id: int | None = None) -> bytes:
    """The PDF bytes of a template filled in for an account (and job)."""
    return render_with_fields(session, template, account_id, job_id).pdf


def preview(session: Session, actor: Actor, *, body: str, account_id: int | None = None,
            job_id: int | None = None, signers: int = 1, language: str = "") -> Rendered:
    """The editor's preview: a draft body filled in for an account the actor may see, or with sample data;
    `language` "fr" fills in a French version as a French reader gets it (dates in French)."""
    _staff(actor)
    french = i18n.supported(language) == "fr"
    if account_id is not None:
        get_account(session, actor, account_id)
        if job_id is not None:
            job = session.get(Job, job_id)
            if job is None or job.account_id != account_id:
                raise InvalidInput(_("That job belongs to another account; choose one of this account's jobs."),
                                   field="job")
    elif job_id is not None:
        raise InvalidInput(_('Choose the account of the job first.'), field="account")
    if french and not str(body or "").strip():
        raise InvalidInput(_("Write the French version first, then preview it."), field="body_fr")
    if len(str(body or "")) > MAX_BODY:
        raise InvalidInput(_('The template is longer than {max_body} characters; shorten it.').format(max_body=f"{MAX_BODY:,}"), field="body")
    try:
        return render_source(str(body or ""), context_for(session, account_id, job_id),
                             signers=max(1, min(int(signers), 10)), what=FRENCH_WHAT if french else WHAT,
                             language="fr" if french else "")
    except EmptyPlaceholder as err:
        if account_id is None:
            raise InvalidInput(_('This template uses {{{{ {path} }}}}: choose an account (and a job) to preview it.').format(path=err.path), field="account") from None
        raise InvalidInput(preview_hint(session, err, account_id), field="job") from None
