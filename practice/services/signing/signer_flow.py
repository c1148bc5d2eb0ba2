"""The signer's flow in the portal: a contact asked to sign opens the request, consents to sign electronically
(once per disclosure text), proves the email address with a one-time code when asked, and signs or declines.
With `in_order`, only the first unsigned signer may sign. Every step is a `SigningEvent` (with IP address and
browser) for the audit page; the last signature seals the document (`completion`)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from practice.models import (Account, AccountContact, Document, SignatureField, SignatureRequest,
                             SignatureRequestStatus, Signer, SignerStatus, SigningConsent, SigningEvent, utcnow)
from practice.i18n import N_, _, ngettext
from practice.services import audit, events, inbox
from practice.services.actor import Actor
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PracticeError
from practice.services.firm import get_firm
from practice.services.signing import consent
from practice.services.signing import completion
from practice.services.signing.completion import PreparedSeal, complete
from practice.services.signing.emails import email_signer, ring_mailer
from practice.services.signing.field_fit import date_text, value_fits
from practice.services.signing.lookup import (clean_text, client_actor, fields_of, is_contact, log_event, portal_login,
                                              signer_of, signers_of)
from practice.services.signing.pages import page_sizes
from practice.services.signing.views import (EventView, RequestView, SigningView, field_view, request_views,
                                             signer_view)

MAX_REASON = 2000
MAX_TEXT_VALUE = 500
MAX_TYPED = 100
MAX_INITIALS = 10
MAX_STROKES = 300
MAX_POINTS = 20_000
CODE_TTL = dt.timedelta(minutes=10)
CODE_TRIES = 5
CODE_RESEND = dt.timedelta(minutes=1)
# Wrong codes a signer may enter in 24 hours, whatever the number of new codes asked for (5 tries a code and a
# new code a minute would otherwise allow thousands of guesses a day).
DAILY_WRONG_CODES = 20


def list_for_contact(session: Session, who, account_id: int | None = None) -> list[RequestView]:
    """The requests this contact is asked to sign (sent or finished), those awaiting it first; in one account
    when given (it must be the contact's)."""
    if not is_contact(who):
        raise PermissionDenied(_("Only a client's portal shows what the client signs."))
    linked = set(session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == who.contact_id)))
    allowed = linked & set(who.account_ids)
    if account_id is not None:
        if account_id not in allowed:
            raise NotFound(_("That account is not in your portal."))
        allowed = {account_id}
    if not allowed:
        return []
    reqs = list(session.exec(select(SignatureRequest).join(Signer, Signer.request_id == SignatureRequest.id)
                             .where(Signer.contact_id == who.contact_id, SignatureRequest.account_id.in_(allowed),
                                    SignatureRequest.status != SignatureRequestStatus.draft)
                             .order_by(SignatureRequest.id.desc()).limit(200)))
    views = request_views(session, reqs, who.contact_id)
    return sorted(views, key=lambda v: (not v.my_turn, v.status != "sent", -v.id))


def _disclosure(session: Session) -> str:
    return consent.disclosure_text(session, get_firm(session).name)


def _code_ok(signer: Signer) -> bool:
    return bool(signer.code_verified_at and signer.code_sent_at and signer.code_verified_at >= signer.code_sent_at)


def open_for_signing(session: Session, who, request_id: int, *, ip_address: str = "",
                     user_agent: str = "") -> SigningView:
    """The signing page's view for this signer; the first opening is recorded as viewed."""
    req, me = signer_of(session, who, request_id)
    if me.viewed_at is None:
        me.viewed_at = utcnow()
        log_event(session, req, "viewed", f"{me.name} opened the document", signer=me, ip_address=ip_address,
                  user_agent=user_agent)
    text = _disclosure(session)
    agreed = consent.current_consent(session, me.contact_id, text)
    if agreed is not None and me.consented_at is None and me.status in (SignerStatus.pending, SignerStatus.waiting):
        me.consented_at = agreed.consented_at
    signers = signers_of(session, req.id)
    status = SignatureRequestStatus(req.status)
    pending = ([s.name for s in signers if s.status == SignerStatus.pending]
               if status == SignatureRequestStatus.sent else [])
    doc = session.get(Document, req.document_id)
    # A cancelled request no longer shows its document to the signers.
    sizes = page_sizes(doc) if doc and status != SignatureRequestStatus.cancelled else []
    account = session.get(Account, req.account_id)
    session.flush()
    signer_views = [signer_view(s) for s in signers]
    for sv in signer_views:
        if sv.id != me.id:
            sv.ip_address = sv.user_agent = sv.email = ""
    return SigningView(
        request_id=req.id, title=req.title, message=req.message, firm_name=get_firm(session).name,
        account_name=account.name if account else "", status=status.value, signer_id=me.id,
        my_status=SignerStatus(me.status).value,
        my_turn=status == SignatureRequestStatus.sent and me.status == SignerStatus.pending, whose_turn=pending,
        needs_consent=agreed is None, disclosure=text,
        needs_code=me.require_email_code and not _code_ok(me) and me.status == SignerStatus.pending,
        code_sent_to=me.email if me.require_email_code else "", code_sent_at=me.code_sent_at,
        my_fields=[field_view(f) for f in fields_of(session, req.id) if f.signer_id == me.id],
        signers=signer_views, page_count=len(sizes), pages=sizes, signed_document_id=req.signed_document_id)


def _require_turn(req: SignatureRequest, me: Signer, signers: list[Signer] | None = None) -> None:
    status = SignatureRequestStatus(req.status)
    if status != SignatureRequestStatus.sent:
        raise Conflict(_({SignatureRequestStatus.completed: N_("Everyone has already signed this document."),
                          SignatureRequestStatus.declined: N_("This request was declined, so it can no longer be "
                                                              "signed."),
                          SignatureRequestStatus.cancelled: N_("The firm cancelled this request; there is nothing to "
                                                               "sign.")}
                         .get(status, N_("This request cannot be signed now."))))
    if me.status == SignerStatus.signed:
        raise Conflict(_("You have already signed this document."))
    if me.status == SignerStatus.declined:
        raise Conflict(_("You declined to sign this document."))
    if me.status == SignerStatus.waiting:
        ahead = [s.name for s in (signers or []) if s.status == SignerStatus.pending]
        raise Conflict(ngettext("It is not your turn yet: {names} signs first. You will get an email when it is "
                                "your turn.",
                                "It is not your turn yet: {names} sign first. You will get an email when it is "
                                "your turn.", max(len(ahead), 1))
                       .format(names=_(" and ").join(ahead) if ahead else _("an earlier signer")))


def give_consent(session: Session, who, request_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """Record the signer's consent to sign and receive records electronically (the firm's current text)."""
    req, me = signer_of(session, who, request_id)
    if req.status != SignatureRequestStatus.sent:
        _require_turn(req, me)
    text = _disclosure(session)
    existing = consent.current_consent(session, me.contact_id, text)
    row = consent.give_consent(session, me.contact_id, text, ip_address=str(ip_address or ""),
                               user_agent=str(user_agent or ""))
    me.consented_at = row.consented_at
    if existing is None:
        log_event(session, req, "consented", f"{me.name} agreed to sign and receive records electronically "
                                        f"(disclosure {row.disclosure_sha256[:12]})", signer=me,
                  ip_address=ip_address, user_agent=user_agent)
        audit.record(session, client_actor(me.name), "signing_consent", "contact", me.contact_id,
                     f"{me.name} consented to sign electronically", request_id=req.id)


def _hash_code(signer_id: int, salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}|{signer_id}|{code}".encode()).hexdigest()


def send_code(session: Session, who, request_id: int, *, ip_address: str = "", user_agent: str = "") -> None:
    """Email the signer a new 6-digit code (at most one a minute); it works for 10 minutes."""
    req, me = signer_of(session, who, request_id)
    _require_turn(req, me, signers_of(session, req.id))
    if not me.require_email_code:
        raise Conflict(_("You need no email code to sign this document."))
    _require_guesses_left(session, me)
    now = utcnow()
    if me.code_sent_at is not None and now - me.code_sent_at < CODE_RESEND:
        wait = int((CODE_RESEND - (now - me.code_sent_at)).total_seconds()) + 1
        raise Conflict(_("A code was just sent to {email}. Check your inbox (and spam folder), or ask for a new one "
                         "in {wait} seconds.").format(email=me.email, wait=wait))
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    me.code_hash = f"{salt}${_hash_code(me.id, salt, code)}"
    me.code_sent_at, me.code_expires_at, me.code_attempts, me.code_verified_at = now, now + CODE_TTL, 0, None
    email_signer(session, req, me, "signature_code", key=f"signature-code|{me.id}|{salt}", code=code,
                 minutes=int(CODE_TTL.total_seconds() // 60))
    log_event(session, req, "code_sent", f"A one-time code was emailed to {me.email}", signer=me, ip_address=ip_address,
              user_agent=user_agent)
    ring_mailer(session, client_actor(me.name), req, "signature_code_sent", me)


def _require_guesses_left(session: Session, me: Signer) -> None:
    """Refuse codes for a day once a signer has entered DAILY_WRONG_CODES wrong ones in 24 hours."""
    since = utcnow() - dt.timedelta(hours=24)
    wrong = session.exec(select(func.count()).select_from(SigningEvent).where(
        SigningEvent.signer_id == me.id, SigningEvent.kind == "code_failed", SigningEvent.at >= since)).one()
    if wrong >= DAILY_WRONG_CODES:
        raise InvalidInput(_("Too many wrong codes today ({count}): for your safety, codes for this document are "
                             "paused for 24 hours. Try again tomorrow, or call the firm.").format(count=wrong),
                           field="code")


def check_code(session: Session, who, request_id: int, code: str, *, ip_address: str = "",
               user_agent: str = "") -> None:
    """Check the emailed code; a wrong one counts (5 wrong tries: ask for a new code). A wrong try is kept
    even though the error rolls the caller's other changes back."""
    req, me = signer_of(session, who, request_id)
    _require_turn(req, me, signers_of(session, req.id))
    if not me.require_email_code:
        raise Conflict(_("You need no email code to sign this document."))
    if not me.code_hash:
        raise InvalidInput(_("Ask for a code first: it is emailed to you."), field="code")
    _require_guesses_left(session, me)
    if me.code_attempts >= CODE_TRIES:
        raise InvalidInput(_("Too many wrong codes. Ask for a new code."), field="code")
    if me.code_expires_at is None or utcnow() > me.code_expires_at:
        raise InvalidInput(_("This code has expired (codes work for 10 minutes). Ask for a new one."), field="code")
    typed = "".join(ch for ch in str(code or "") if ch.isdigit())
    salt, _sep, digest = me.code_hash.partition("$")
    if len(typed) != 6 or not hmac.compare_digest(_hash_code(me.id, salt, typed), digest):
        me.code_attempts += 1
        left = CODE_TRIES - me.code_attempts
        log_event(session, req, "code_failed", f"A wrong code was entered (try {me.code_attempts} of {CODE_TRIES})",
                  signer=me, ip_address=ip_address, user_agent=user_agent)
        session.commit()  # keep the count although the caller rolls back on the error
        if left <= 0:
            raise InvalidInput(_("That code is not right, and that was the last try. Ask for a new code."), field="code")
        raise InvalidInput(ngettext("That code is not right. Check the email and try again ({left} try left).",
                                    "That code is not right. Check the email and try again ({left} tries left).",
                                    left).format(left=left), field="code")
    me.code_verified_at = utcnow()
    log_event(session, req, "code_ok", f"The one-time code sent to {me.email} was entered correctly", signer=me,
              ip_address=ip_address, user_agent=user_agent)


def _clean_signature(kind: str, signature) -> dict:
    if kind == "typed":
        text = clean_text((signature or {}).get("text") if isinstance(signature, dict) else "", MAX_TYPED + 1)
        if not text:
            raise InvalidInput(_("Type your name to sign."), field="signature")
        if len(text) > MAX_TYPED:
            raise InvalidInput(_("Keep the typed signature to {count} characters.").format(count=MAX_TYPED),
                               field="signature")
        return {"text": text}
    if kind == "drawn":
        strokes = (signature or {}).get("strokes") if isinstance(signature, dict) else None
        if not isinstance(strokes, list) or not strokes:
            raise InvalidInput(_("Draw your signature in the box (or type it instead)."), field="signature")
        if len(strokes) > MAX_STROKES:
            raise InvalidInput(_("The drawing has too many strokes; clear it and sign again."), field="signature")
        clean, points = [], 0
        for stroke in strokes:
            if not isinstance(stroke, list):
                raise InvalidInput(_("The drawing could not be read; clear it and sign again."), field="signature")
            line = []
            for point in stroke:
                try:
                    x, y = float(point[0]), float(point[1])
                except (TypeError, ValueError, IndexError, KeyError):
                    raise InvalidInput(_("The drawing could not be read; clear it and sign again."),
                                       field="signature") from None
                if x != x or y != y:
                    raise InvalidInput(_("The drawing could not be read; clear it and sign again."), field="signature")
                line.append([round(min(1.0, max(0.0, x)), 4), round(min(1.0, max(0.0, y)), 4)])
            points += len(line)
            if line:
                clean.append(line)
        if points > MAX_POINTS:
            raise InvalidInput(_("The drawing is too detailed; clear it and sign again."), field="signature")
        if not clean or points < 2:
            raise InvalidInput(_("Draw your signature in the box (or type it instead)."), field="signature")
        return {"strokes": clean}
    raise InvalidInput(_("Draw or type your signature."), field="signature")


def _today_text(session: Session, now: dt.datetime) -> str:
    try:
        local = now.astimezone(ZoneInfo(get_firm(session).timezone))
    except Exception:
        local = now
    return date_text(local.date())


def sign(session: Session, who, request_id: int, *, signature_kind: str, signature: dict, initials: str = "",
         values: dict[int, str] | None = None, ip_address: str = "", user_agent: str = "",
         now: dt.datetime | None = None, sealed: PreparedSeal | None = None) -> SignatureRequest:
    """Sign: checks the turn, the consent and (when asked for) the email code, fills this signer's fields and
    records how the signer was identified. The last signature seals the document: with `sealed` (made by
    `prepare_seal` for the same `now`, before this transaction) when it was made from what is true now."""
    now = now or utcnow()
    req, me, signers = _signed_in_memory(session, who, request_id, signature_kind=signature_kind,
                                         signature=signature, initials=initials, values=values, now=now,
                                         ip_address=ip_address, user_agent=user_agent)
    log_event(session, req, "signed", _signed_detail(me), signer=me, ip_address=ip_address,
              user_agent=user_agent).at = now
    actor = client_actor(me.name)
    account = session.get(Account, req.account_id)
    audit.record(session, actor, "signature_signed", "account", req.account_id, f'{me.name} signed "{req.title}"',
                 request_id=req.id)
    session.flush()
    events.emit(session, actor, "signature_signed", job_id=req.job_id, account_id=req.account_id,
                payload={"document_id": req.document_id, "contact_id": me.contact_id, "job_id": req.job_id,
                         "request_id": req.id})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=inbox.said(N_('{who} signed "{title}"'), who=inbox.client_label(me.name, account.name),
                                                 title=req.title))
    _next_turn(session, req, signers, me, account, actor, now, sealed)
    return req


def prepare_seal(session: Session, who, request_id: int, *, signature_kind: str, signature: dict,
                 initials: str = "", values: dict[int, str] | None = None, ip_address: str = "",
                 user_agent: str = "", now: dt.datetime) -> PreparedSeal | None:
    """In a read session, before `sign`'s write transaction: the sealed file this signature would complete the
    request with, so the seconds of stamping, audit-page layout and sealing hold nobody's writes. None when the
    signature would not complete the request or would be refused (`sign` then says why). Nothing is written: the
    signature is filled in in memory only and forgotten."""
    try:
        with session.no_autoflush:
            req, me, signers = _signed_in_memory(session, who, request_id, signature_kind=signature_kind,
                                                 signature=signature, initials=initials, values=values, now=now,
                                                 ip_address=ip_address, user_agent=user_agent)
            if any(s.status != SignerStatus.signed for s in signers):
                return None
            signed = EventView(now, "signed", _signed_detail(me), me.name, str(ip_address or "")[:100],
                               str(user_agent or "")[:500])
            return completion.prepare(session, req, signers, session.get(Account, req.account_id), now, (signed,))
    except PracticeError:
        return None
    finally:
        session.rollback()  # forget the signature filled in above


def _signed_detail(me: Signer) -> str:
    return f"{me.name} signed ({'drawn' if me.signature_kind == 'drawn' else 'typed'} signature)"


def _signed_in_memory(session: Session, who, request_id: int, *, signature_kind: str, signature: dict,
                      initials: str, values: dict[int, str] | None, now: dt.datetime, ip_address: str,
                      user_agent: str) -> tuple[SignatureRequest, Signer, list[Signer]]:
    """The checks before a signature, then the signer's row and fields as signed (not flushed)."""
    req, me = signer_of(session, who, request_id)
    signers = signers_of(session, req.id)
    _require_turn(req, me, signers)
    agreed = consent.current_consent(session, me.contact_id, _disclosure(session))
    if agreed is None:
        raise InvalidInput(_("Agree to sign and receive records electronically first."), field="consent")
    if me.require_email_code and not _code_ok(me):
        raise InvalidInput(_("Enter the code we emailed you first."), field="code")
    kind = str(signature_kind or "")
    clean = _clean_signature(kind, signature)
    mine = [f for f in fields_of(session, req.id) if f.signer_id == me.id]
    initials = _clean_initials(initials, mine)
    _fill_fields(mine, _given_values(values), today=_today_text(session, now), initials=initials,
                 signature_text=clean.get("text", ""))
    doc = session.get(Document, req.document_id)
    _require_text_fits(mine, page_sizes(doc) if doc else [])
    _record_signature(session, me, kind=kind, clean=clean, initials=initials, agreed=agreed, now=now,
                      ip_address=ip_address, user_agent=user_agent)
    return req, me, signers


def _clean_initials(initials: str, mine: list[SignatureField]) -> str:
    initials = clean_text(initials, MAX_INITIALS + 1)
    if any(f.kind == "initials" for f in mine):
        if not initials:
            raise InvalidInput(_("Type your initials."), field="initials")
        if len(initials) > MAX_INITIALS:
            raise InvalidInput(_("Keep your initials to {count} characters.").format(count=MAX_INITIALS),
                               field="initials")
    return initials


def _given_values(values: dict | None) -> dict[int, str]:
    """The text fields' values by field id (keys from a browser may be strings; others are ignored)."""
    given: dict[int, str] = {}
    for k, v in (values or {}).items():
        try:
            given[int(k)] = str(v if v is not None else "")
        except (TypeError, ValueError):
            continue
    return given


def _fill_fields(mine: list[SignatureField], given: dict[int, str], *, today: str, initials: str,
                 signature_text: str) -> None:
    for f in mine:
        if f.kind == "text":
            value = " ".join(given.get(f.id, "").split())
            if len(value) > MAX_TEXT_VALUE:
                raise InvalidInput(_('Keep "{label}" to {count} characters.').format(
                    label=f.label or _("the text"), count=MAX_TEXT_VALUE), field="values")
            if f.required and not value:
                raise InvalidInput(_('Fill in "{label}" on page {page}.').format(
                    label=f.label or _("the text field"), page=f.page + 1), field="values")
            f.value = value
        elif f.kind == "date":
            f.value = today
        elif f.kind == "initials":
            f.value = initials
        else:
            f.value = signature_text


def _require_text_fits(mine: list[SignatureField], pages: list) -> None:
    """Refuse a typed text too long to print readably in its box: the signer shortens it (the box shows it)."""
    for f in mine:
        page = pages[f.page] if 0 <= f.page < len(pages) else None
        if f.kind == "text" and f.value and not value_fits("text", f.value, f.width, f.height, page):
            raise InvalidInput(_('"{label}" on page {page} is too long for its box: shorten it.').format(
                label=f.label or _("Your text"), page=f.page + 1), field="values")


def _record_signature(session: Session, me: Signer, *, kind: str, clean: dict, initials: str,
                      agreed: SigningConsent, now: dt.datetime, ip_address: str, user_agent: str) -> None:
    """The signer's row as signed: the signature, where from, and how the signer was identified."""
    login = portal_login(session, me.contact_id)
    me.status, me.signed_at = SignerStatus.signed, now
    me.ip_address, me.user_agent = str(ip_address or "")[:100], str(user_agent or "")[:500]
    me.login = login.email if login else ""
    me.consented_at = me.consented_at or agreed.consented_at
    me.signature_kind, me.signature, me.initials = kind, clean, initials
    me.code_hash = ""  # the code did its job; nothing to guess at any more
    if me.require_email_code:
        me.identity_check = f"portal password + one-time code sent to {me.email}"
        me.identity_result = (f"passed: logged in to the portal as {me.login}; code confirmed "
                              f"{me.code_verified_at.isoformat(timespec='seconds')}"
                              + (f" after {me.code_attempts} wrong tr{'ies' if me.code_attempts != 1 else 'y'}"
                                 if me.code_attempts else ""))
    else:
        me.identity_check = "portal password"
        me.identity_result = f"passed: logged in to the portal as {me.login}"


def _next_turn(session: Session, req: SignatureRequest, signers: list[Signer], me: Signer, account: Account,
               actor: Actor, now: dt.datetime, sealed: PreparedSeal | None = None) -> None:
    """After a signature: seal when everyone signed, else (in order) email the next signer."""
    left = [s for s in signers if s.status != SignerStatus.signed]
    if not left:
        complete(session, req, signers, me, account, now, sealed)
        return
    if req.in_order and not any(s.status == SignerStatus.pending for s in left):
        nxt = left[0]
        nxt.status = SignerStatus.pending
        if email_signer(session, req, nxt, "signature_request", key=f"signature-request|{req.id}|{nxt.id}"):
            log_event(session, req, "turn", f"It is {nxt.name}'s turn; emailed {nxt.email}", signer=nxt)
            ring_mailer(session, actor, req, "signature_request_sent", nxt)


def decline(session: Session, who, request_id: int, *, reason: str, ip_address: str = "",
            user_agent: str = "") -> None:
    """Decline to sign, with a reason: the request stops and the firm is told."""
    req, me = signer_of(session, who, request_id)
    if req.status != SignatureRequestStatus.sent or me.status in (SignerStatus.signed, SignerStatus.declined):
        _require_turn(req, me)
    reason = clean_text(reason, MAX_REASON)
    if not reason:
        raise InvalidInput(_("Say why you decline, so the firm knows what to change."), field="reason")
    now = utcnow()
    me.status, me.declined_at, me.decline_reason = SignerStatus.declined, now, reason
    me.ip_address, me.user_agent = str(ip_address or "")[:100], str(user_agent or "")[:500]
    req.status = SignatureRequestStatus.declined
    log_event(session, req, "declined", f"{me.name} declined to sign: {reason}", signer=me, ip_address=ip_address,
              user_agent=user_agent)
    actor = client_actor(me.name)
    account = session.get(Account, req.account_id)
    audit.record(session, actor, "signature_declined", "account", req.account_id,
                 f'{me.name} declined to sign "{req.title}": {reason}', request_id=req.id)
    session.flush()
    events.emit(session, actor, "signature_declined", job_id=req.job_id, account_id=req.account_id,
                payload={"document_id": req.document_id, "contact_id": me.contact_id, "job_id": req.job_id,
                         "request_id": req.id, "reason": reason})
    inbox.notify_client_activity(session, account_id=req.account_id, job_id=req.job_id,
                                 text=inbox.said(N_('{who} declined to sign "{title}": {reason}'),
                                                 who=inbox.client_label(me.name, account.name), title=req.title,
                                                 reason=reason))


# --- what the signing page shows next --------------------------------------------------------------


def next_step(view: SigningView) -> str:
    """Where this signer is: signed | declined | closed | waiting | consent | code | sign."""
    if view.my_status in ("signed", "declined"):
        return view.my_status
    if view.status != "sent":
        return "closed"
    if not view.my_turn:
        return "waiting"
    if view.needs_consent:
        return "consent"
    return "code" if view.needs_code else "sign"


def code_is_stale(view: SigningView, now: dt.datetime) -> bool:
    """No code was sent yet, or the last one expired: opening the code step sends a new one."""
    sent = view.code_sent_at
    if sent is None:
        return True
    return _aware(now) - _aware(sent) > CODE_TTL


def still_to_sign(view: SigningView) -> list[str]:
    """The names of the other signers who have not signed yet (for the thank-you message)."""
    return [s.name for s in view.signers if s.status in ("pending", "waiting") and s.id != view.signer_id]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
