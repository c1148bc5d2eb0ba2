"""Signature requests, the staff side: staff (an `Actor` who may see the account) ask contacts of an account
to sign a PDF of the account or one made from a document template, place the fields, send, follow and
cancel; rules send one from a template; reminders go to whose turn it is."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func
from sqlmodel import Session, select

from practice.models import (AccountContact, Contact, Document, DocumentStatus, Job, PortalLogin, PortalStatus,
                             SignatureField, SignatureRequest, SignatureRequestStatus, Signer, SignerStatus, utcnow)
from practice.services import audit, reminders
from practice.services.actor import Actor
from practice.services.documents import doc_templates, sharing, storage
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.firm import language_for
from practice.services.signing import certificates
from practice.services.signing.emails import email_signer, ring_mailer
from practice.services.signing.field_fit import field_warnings, snap_box
from practice.services.signing.lookup import (OPEN, check_signer_contact, clean_text, contact_name, fields_of,
                                              log_event, require_staff, signers_of, staff_request, viewer_of)
from practice.services.signing.pages import page_sizes, store_pdf
from practice.services.signing.views import (RequestDetail, RequestView, SignerCandidate, events_of, field_view,
                                             request_views, signer_view)
from practice.services.work.accounts import contacts_of, get_account
from practice.i18n import N_, _, ngettext
from rules import Words

REMINDER_KIND = "signature"
FIELD_KINDS = ("signature", "initials", "date", "text")
MAX_FIELDS = 200
MAX_SIGNERS = 10
MAX_TITLE = 200
MAX_MESSAGE = 4000
# Why a contact with an email but no usable portal login cannot be asked to sign (signers sign in the portal).
NO_PORTAL = {"revoked": "has no portal access any more (it was withdrawn): give it again on the account page"}
NO_LOGIN = "has no portal login: give portal access on the account page first (signers sign in the portal)"


def create_request(session: Session, actor: Actor, account_id: int, *, title: str, signer_contact_ids: list[int],
                   document_id: int | None = None, template_name: str | None = None, in_order: bool = True,
                   require_email_code: bool = False, email_code_contact_ids: list[int] | None = None,
                   message: str = "", job_id: int | None = None, key: str | None = None) -> SignatureRequest:
    """A draft request for these contacts to sign a PDF of the account, or one made from a document template
    (stored as a new document; the fields it carries are placed). Who must also enter a code sent by email:
    `email_code_contact_ids` when given (exactly those signers), otherwise every signer when
    `require_email_code`. With a `key` (rules), a second call returns the first request."""
    require_staff(actor)
    if key:
        existing = session.exec(select(SignatureRequest).where(SignatureRequest.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, actor, account_id)
    title, message = _clean_title(title, template_name), _clean_message(message)
    contacts = _chosen_signers(session, account.id, signer_contact_ids)
    with_code = _code_signers(contacts, require_email_code, email_code_contact_ids)
    if job_id is not None:
        job = session.get(Job, job_id)
        if job is None or job.account_id != account.id:
            raise NotFound(_('That job does not exist for this account.'))
    if (document_id is None) == (not template_name):
        raise InvalidInput(_('Choose either a PDF of the account or a document template to sign.'), field="document")
    template_fields = []
    if document_id is not None:
        doc = _pdf_document(session, actor, account.id, document_id)
        sharing.keep_internal(session, actor, doc, f'it is the original of the signature request "{title}" '
                                                   "(the client gets the signed copy)")
    else:
        template = doc_templates.template_by_name(session, template_name)
        if template is None:
            raise NotFound(_('There is no document template "{name}".').format(name=template_name))
        # In the first signer's language: their French version when the firm wrote one.
        rendered = doc_templates.render_with_fields(session, template, account.id, job_id, signers=len(contacts),
                                                    language=language_for(session, contacts[0].language))
        # The unsigned original stays internal; the client sees it only on the signing page.
        doc = store_pdf(session, actor, account.id, None, f"{title}.pdf", rendered.pdf, job_id=job_id, shared=False)
        template_name = template.name
        template_fields = rendered.fields
    req = SignatureRequest(account_id=account.id, job_id=job_id, title=title, message=message, document_id=doc.id,
                           template_name=template_name or "", in_order=bool(in_order),
                           require_email_code=len(with_code) == len(contacts), status=SignatureRequestStatus.draft,
                           requested_by_member_id=actor.member_id, requested_by_label=actor.name, key=key or None)
    session.add(req)
    session.flush()
    signers = _add_signers(session, req, contacts, with_code, template_fields)
    names = ", ".join(s.name for s in signers)
    log_event(session, req, "created", f'{actor.name} prepared "{title}" for {names}' + _code_note(signers))
    audit.record(session, actor, "signature_request_create", "account", account.id,
                 f'Prepared signature request "{title}" ({names})' + _code_note(signers), request_id=req.id)
    return req


def _clean_title(title: str, template_name: str | None) -> str:
    title = clean_text(title, MAX_TITLE + 1)
    if not title and template_name:
        title = clean_text(template_name, MAX_TITLE)
    if not title:
        raise InvalidInput(_('Give the request a title, like "Engagement letter 2026".'), field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(_('Keep the title to {max_title} characters.').format(max_title=MAX_TITLE), field="title")
    return title


def _clean_message(message: str) -> str:
    message = str(message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(_('Keep the message to {max_message} characters.').format(max_message=f"{MAX_MESSAGE:,}"), field="message")
    return message


def _chosen_signers(session: Session, account_id: int, contact_ids: list[int]) -> list[Contact]:
    """The contacts chosen to sign, in order, each checked (a contact of the account with email and portal)."""
    ids = list(dict.fromkeys(contact_ids or []))
    if not ids:
        raise InvalidInput(_('Choose who signs: at least one contact of the account.'), field="signers")
    if len(ids) > MAX_SIGNERS:
        raise InvalidInput(_('A request can have at most {max_signers} signers.').format(max_signers=MAX_SIGNERS), field="signers")
    contacts = [check_signer_contact(session, account_id, c) for c in ids]
    if len({c.id for c in contacts}) != len(contacts):
        raise InvalidInput(_('Each contact signs once; remove the repeated signer.'), field="signers")
    return contacts


def _add_signers(session: Session, req: SignatureRequest, contacts: list[Contact], with_code: set[int],
                 template_fields: list) -> list[Signer]:
    """The request's signer rows, in order, and the fields a document template placed for them."""
    signers = []
    for position, contact in enumerate(contacts):
        signer = Signer(request_id=req.id, contact_id=contact.id, position=position, name=contact_name(contact),
                        email=contact.email.strip().lower(), require_email_code=contact.id in with_code)
        session.add(signer)
        signers.append(signer)
    session.flush()
    for f in template_fields:
        if f.signer <= len(signers):
            session.add(SignatureField(request_id=req.id, signer_id=signers[f.signer - 1].id, kind=f.kind,
                                       page=f.page, x=f.x, y=f.y, width=f.width, height=f.height,
                                       label=f.label[:100], required=True))
    return signers


def _code_signers(contacts: list[Contact], everyone: bool, contact_ids: list[int] | None) -> set[int]:
    """The contact ids of the signers asked for an emailed code: those listed, or everyone when asked."""
    if contact_ids is None:
        return {c.id for c in contacts} if everyone else set()
    chosen = set()
    for raw in contact_ids:
        try:
            chosen.add(int(raw))
        except (TypeError, ValueError):
            raise InvalidInput(_('Choose who enters an emailed code among the signers.'), field="email_code") from None
    strangers = chosen - {c.id for c in contacts}
    if strangers:
        raise InvalidInput(_('Only the signers of this request can be asked for a code sent by email; ask it of chosen signers only.'), field="email_code")
    return chosen


def _code_note(signers: list[Signer]) -> str:
    """How the timeline says who enters an emailed code (nothing when nobody does)."""
    names = [s.name for s in signers if s.require_email_code]
    if not names:
        return ""
    if len(names) == len(signers):
        return "; each signer also enters a code sent by email"
    return f"; {', '.join(names)} also enter{'s' if len(names) == 1 else ''} a code sent by email"


def set_fields(session: Session, actor: Actor, request_id: int, fields: list[dict]) -> list[SignatureField]:
    """Replace the request's fields (a draft only). Each dict: signer_id, kind, page, x, y, width, height,
    label="", required=True; positions are fractions of the page from its top-left corner (a box reaching
    past the page's edge is moved onto it)."""
    req = staff_request(session, actor, request_id)
    if req.status != SignatureRequestStatus.draft:
        raise Conflict(_("The request was already sent; its fields can no longer change."))
    fields = list(fields or [])
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(_('A request can have at most {max_fields} fields.').format(max_fields=MAX_FIELDS), field="fields")
    signer_ids = {s.id for s in signers_of(session, req.id)}
    doc = session.get(Document, req.document_id)
    page_count = len(page_sizes(doc)) if doc else 0
    clean = []
    for n, raw in enumerate(fields, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(_('Field {n} is not a field.').format(n=n), field="fields")
        try:
            signer_id = int(raw.get("signer_id"))
            page = int(raw.get("page"))
            x, y = float(raw.get("x")), float(raw.get("y"))
            width, height = float(raw.get("width")), float(raw.get("height"))
        except (TypeError, ValueError):
            raise InvalidInput(_('Field {n} needs a signer, a page and a position.').format(n=n), field="fields") from None
        kind = str(raw.get("kind") or "")
        if kind not in FIELD_KINDS:
            raise InvalidInput(_('Field {n}: choose signature, initials, date or text.').format(n=n), field="fields")
        if signer_id not in signer_ids:
            raise InvalidInput(_('Field {n} belongs to someone who does not sign this request.').format(n=n), field="fields")
        if not 0 <= page < page_count:
            raise InvalidInput(ngettext('Field {n} is on page {page}, but the document has {count} page.', 'Field {n} is on page {page}, but the document has {count} pages.', page_count).format(n=n, page=page + 1, count=page_count), field="fields")
        values = (x, y, width, height)
        if any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise InvalidInput(_('Field {n} has no valid position.').format(n=n), field="fields")
        # A box dragged past an edge stops at the edge: never partly off the page.
        x, y, width, height = snap_box(x, y, width, height)
        label = clean_text(raw.get("label"), 100)
        required = raw.get("required", True)
        required = required if isinstance(required, bool) else str(required).lower() not in ("false", "0", "no", "")
        clean.append(SignatureField(request_id=req.id, signer_id=signer_id, kind=kind, page=page, x=x, y=y,
                                    width=width, height=height, label=label, required=required))
    for old in fields_of(session, req.id):
        session.delete(old)
    session.flush()
    for f in clean:
        session.add(f)
    session.flush()
    audit.record(session, actor, "signature_fields", "account", req.account_id,
                 f'Placed {len(clean)} field{"s" if len(clean) != 1 else ""} on "{req.title}"', request_id=req.id)
    return clean


def send(session: Session, actor: Actor, request_id: int, *, remind_every: dt.timedelta | None = None,
         remind_times: int = 0) -> SignatureRequest:
    """Send a draft: the signers whose turn it is get an email with the portal link (optionally reminders)."""
    req = staff_request(session, actor, request_id)
    if req.status != SignatureRequestStatus.draft:
        raise Conflict(_("This request was already sent."))
    signers = signers_of(session, req.id)
    if not signers:
        raise InvalidInput(_('The request has no signer.'))
    fields = fields_of(session, req.id)
    for signer in signers:
        contact = check_signer_contact(session, req.account_id, signer.contact_id)
        signer.name, signer.email = contact_name(contact), contact.email.strip().lower()
        if not any(f.signer_id == signer.id and f.kind == "signature" for f in fields):
            raise InvalidInput(_('Place a signature field for {name} before sending.').format(name=signer.name), field="fields")
    doc = session.get(Document, req.document_id)
    if doc is None or doc.deleted_at is not None:
        raise Conflict(_("The document to sign was deleted; make a new request."))
    _require_fit(fields, page_sizes(doc), {s.id: s.name for s in signers})
    req.original_sha256 = _sha256_of(doc)
    # The seal's certificate exists before anyone signs: the last signature's seal is then made before its write
    # transaction (`signer_flow.prepare_seal`), with nothing to write first.
    certificates.ensure_certificate(session)
    req.status, req.sent_at = SignatureRequestStatus.sent, utcnow()
    for i, signer in enumerate(signers):
        signer.status = SignerStatus.waiting if req.in_order and i > 0 else SignerStatus.pending
    session.flush()
    told = []
    for signer in signers:
        if signer.status == SignerStatus.pending and email_signer(
                session, req, signer, "signature_request", key=f"signature-request|{req.id}|{signer.id}"):
            told.append(signer.email)
    log_event(session, req, "sent", f"{actor.name} sent it for signature"
              + (" in order" if req.in_order and len(signers) > 1 else "")
              + (f"; emailed {', '.join(told)}" if told else ""))
    if remind_every is not None and remind_times > 0:
        reminders.schedule(session, kind=REMINDER_KIND, item_id=req.id, every=remind_every, times=int(remind_times),
                           key=f"{req.key or 'signature'}|{req.id}|reminders", job_id=req.job_id)
    audit.record(session, actor, "signature_request_send", "account", req.account_id,
                 f'Sent "{req.title}" for signature to ' + ", ".join(s.name for s in signers), request_id=req.id)
    ring_mailer(session, actor, req, "signature_request_sent")
    return req


def _require_fit(fields: list[SignatureField], pages: list, names: dict[int, str]) -> None:
    """Refuse to send while a field is too small for its text (the sealed PDF would print it unreadably)."""
    warnings = field_warnings(({"kind": f.kind, "page": f.page, "width": f.width, "height": f.height,
                                "label": f.label, "signer_id": f.signer_id} for f in fields), pages, names)
    if warnings:
        more = len(warnings) - 1
        also = ngettext(" ({count} more field too small.)", " ({count} more fields too small.)", more).format(count=more)
        raise InvalidInput(warnings[0] + (also if more else ""), field="fields")


# Why a request that is no longer open cannot be cancelled.
ALREADY_CLOSED = {"completed": N_("This request is already completed; it cannot be cancelled."),
                  "declined": N_("This request is already declined; it cannot be cancelled."),
                  "cancelled": N_("This request is already cancelled; it cannot be cancelled.")}


def cancel(session: Session, actor: Actor, request_id: int) -> None:
    """Withdraw a request not yet completed (staff); signers can no longer open it, reminders stop."""
    req = staff_request(session, actor, request_id)
    if req.status not in OPEN:
        raise Conflict(_(ALREADY_CLOSED.get(SignatureRequestStatus(req.status).value, ALREADY_CLOSED["cancelled"])))
    req.status = SignatureRequestStatus.cancelled
    log_event(session, req, "cancelled", f"{actor.name} cancelled the request")
    audit.record(session, actor, "signature_request_cancel", "account", req.account_id,
                 f'Cancelled signature request "{req.title}"', request_id=req.id)


def list_for_account(session: Session, actor: Actor, account_id: int, *, limit: int = 200) -> list[RequestView]:
    """The account's signature requests, open ones first (staff who may see the account)."""
    require_staff(actor)
    get_account(session, actor, account_id)
    reqs = list(session.exec(select(SignatureRequest).where(SignatureRequest.account_id == account_id)
                             .order_by(SignatureRequest.status.not_in(OPEN), SignatureRequest.id.desc())
                             .limit(limit)))
    return request_views(session, reqs)


def list_for_job(session: Session, actor: Actor, job_id: int, *, limit: int = 200) -> list[RequestView]:
    """A job's signature requests (staff who may see the job's account)."""
    require_staff(actor)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(_('That job does not exist.'))
    get_account(session, actor, job.account_id)
    reqs = list(session.exec(select(SignatureRequest).where(SignatureRequest.job_id == job_id)
                             .order_by(SignatureRequest.status.not_in(OPEN), SignatureRequest.id.desc())
                             .limit(limit)))
    return request_views(session, reqs)


def request_detail(session: Session, who, request_id: int) -> RequestDetail:
    """Everything about one request: signers, fields, timeline, pages (staff, or a signer contact; a contact
    sees the other signers' names and statuses but not their IP addresses)."""
    req, me = viewer_of(session, who, request_id)
    signers = signers_of(session, req.id)
    doc = session.get(Document, req.document_id)
    sizes = page_sizes(doc) if doc else []
    view = request_views(session, [req], me.contact_id if me else None)[0]
    signer_views = [signer_view(s) for s in signers]
    fields = [field_view(f) for f in fields_of(session, req.id)]
    timeline = events_of(session, req, signers)
    if me is not None:
        for sv in signer_views:
            if sv.id != me.id:
                sv.ip_address = sv.user_agent = sv.email = ""
        timeline = [e for e in timeline if e.signer_name in ("", me.name)]
        for e in timeline:
            e.ip_address = e.user_agent = ""
    return RequestDetail(request=view, message=req.message, signers=signer_views, fields=fields, events=timeline,
                         page_count=len(sizes), pages=sizes, original_sha256=req.original_sha256,
                         stamped_sha256=req.stamped_sha256, final_sha256=req.final_sha256,
                         editable=me is None and req.status == SignatureRequestStatus.draft)


def _sha256_of(doc: Document) -> str:
    digest = hashlib.sha256()
    for chunk in storage.read_chunks(doc.stored_key):
        digest.update(chunk)
    return digest.hexdigest()


def _pdf_document(session: Session, actor: Actor, account_id: int, document_id) -> Document:
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise NotFound(_('That document does not exist.')) from None
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None or doc.account_id != account_id:
        raise NotFound(_('That document does not exist in this account (it may have been deleted).'))
    if doc.status != DocumentStatus.ok or not doc.stored_key:
        raise InvalidInput(_('"{name}" was refused at upload, so it cannot be signed.').format(name=doc.name), field="document")
    if doc.content_type != "application/pdf" and not doc.name.lower().endswith(".pdf"):
        raise InvalidInput(_('"{name}" is not a PDF; only PDF documents can be signed.').format(name=doc.name), field="document")
    return doc


def portal_signers(session: Session, account_id: int) -> list[int]:
    """The account's contacts who can sign: a portal login (invited or active) and an email, oldest first."""
    return list(session.exec(
        select(Contact.id).join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(PortalLogin, PortalLogin.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, func.trim(Contact.email) != "",
               PortalLogin.status.in_([PortalStatus.invited, PortalStatus.active]))
        .order_by(Contact.id)))


def request_from_template(session: Session, actor: Actor, account_id: int, template_name: str, *,
                          job_id: int | None = None, remind_every: dt.timedelta | None = None,
                          remind_times: int = 0, key: str | None = None) -> SignatureRequest:
    """Make a document from a template and send it at once to the account's portal contacts, in order."""
    if key:
        existing = session.exec(select(SignatureRequest).where(SignatureRequest.key == key)).first()
        if existing is not None:
            return existing
    account = get_account(session, require_staff(actor), account_id)
    signers = portal_signers(session, account.id)
    if not signers:
        raise InvalidInput(_('No contact of "{name}" has portal access and an email address, so nobody could be asked to sign. Invite a contact to the portal first.').format(name=account.name))
    req = create_request(session, actor, account.id, title=str(template_name), signer_contact_ids=signers,
                         template_name=template_name, in_order=True, job_id=job_id, key=key)
    return send(session, actor, req.id, remind_every=remind_every, remind_times=remind_times)


def _is_complete(session: Session, request_id: int) -> bool:
    req = session.get(SignatureRequest, request_id)
    return req is None or req.status != SignatureRequestStatus.sent


def _remind(session: Session, request_id: int, n: int) -> str:
    req = session.get(SignatureRequest, request_id)
    told = []
    for signer in signers_of(session, req.id):
        if signer.status == SignerStatus.pending and email_signer(
                session, req, signer, "signature_reminder", key=f"signature-reminder|{req.id}|{signer.id}|{n}"):
            told.append(signer.email)
    if not told:
        return Words(N_("Nobody whose turn it is has an email address, so no reminder was sent."))
    log_event(session, req, "reminded", f"Reminder {n} emailed to {', '.join(told)}")
    return Words(N_('Reminded {emails} to sign "{title}"'), emails=", ".join(told), title=req.title)


# How the sweep reminds about signature requests (listed in services/automation/reminder_kinds.py).
REMINDER = reminders.Remindable(is_complete=_is_complete, remind=_remind)


def signer_candidates(session: Session, actor: Actor, account_id: int) -> list[SignerCandidate]:
    """The account's contacts as the new-request form offers them: who may be asked to sign (an email and a
    portal login, invited or active) and why the others may not."""
    require_staff(actor)
    contacts = contacts_of(session, actor, account_id)
    logins = {login.contact_id: PortalStatus(login.status).value for login in session.exec(
        select(PortalLogin).where(PortalLogin.contact_id.in_([c.id for c in contacts] or [-1])))}
    out = []
    for c in contacts:
        email, status = (c.email or "").strip(), logins.get(c.id, "")
        name = f"{c.first_name} {c.last_name}".strip() or c.email or "(no name)"
        if email and status in ("active", "invited"):
            note = "(invited to the portal, not logged in yet)" if status == "invited" else ""
            out.append(SignerCandidate(c.id, name, c.email or "", True, note))
        else:
            note = "has no email address" if not email else NO_PORTAL.get(status, NO_LOGIN)
            out.append(SignerCandidate(c.id, name, c.email or "", False, note))
    return out
