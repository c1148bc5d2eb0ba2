"""Credit notes: a credit the firm gives an account (an amount and its reason), applied to its open invoices like
a payment (lowering what is due) or kept as the account's credit. Applying takes from the oldest notes first; each
part applied is a credit row on the invoice (`Payment`, method credit, with its note), so removing it gives the
credit back to its note. Applying credit that pays an invoice in full tells it once, as a payment does
(`settling.became_paid`). The account's balance is what its invoices leave due less its unapplied credit, and may
go below zero: the account then has credit in hand (`practice.services.balances`)."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import CreditNote, Payment, PaymentMethod
from practice.services import audit
from practice.services.actor import Actor
from practice.services.balances import unapplied_credits
from practice.services.billing.issuing import firm_today
from practice.services.billing.lines import MAX_CENTS, NAME_LIMIT, invoice_name
from practice.services.billing.rights import _invoice, _visible_account, require_manages_billing, require_sees_billing
from practice.services.billing.settling import _add, due_cents, recount_credit_note
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.formatting import format_money

LIST_LIMIT = 200


def unapplied_credit(session: Session, account_id: int) -> int:
    """Cents of credit the account has not used yet."""
    return unapplied_credits(session, [account_id]).get(account_id, 0)


def credit_left(session: Session, actor: Actor, account_id: int) -> int:
    """Cents of credit the account has not used yet, for one who sees billing."""
    require_sees_billing(actor)
    return unapplied_credit(session, _visible_account(session, actor, account_id).id)


def give_account_credit(session: Session, actor: Actor, account_id: int, *, amount_cents: int, reason: str,
                        now: dt.datetime | None = None) -> CreditNote:
    """A credit note for an account (an amount and why), kept as its credit until applied to an invoice."""
    require_manages_billing(actor)
    account = _visible_account(session, actor, account_id)
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be more than 0."), field="credit_amount")
    if amount_cents >= MAX_CENTS:
        raise InvalidInput(_("That amount is too large."), field="credit_amount")
    reason = (reason or "").strip()[:NAME_LIMIT]
    if not reason:
        raise InvalidInput(_("Say why the credit is given."), field="credit_reason")
    note = CreditNote(account_id=account.id, amount_cents=amount_cents, reason=reason,
                      issued_on=firm_today(session, now), created_by_member_id=actor.member_id,
                      recorded_by_label=actor.name)
    session.add(note)
    session.flush()
    audit.record(session, actor, "credit", "account", account.id,
                 f"Gave {account.name} a credit of {format_money(amount_cents)}: {reason}",
                 credit_note_id=note.id, amount_cents=amount_cents)
    return note


def apply_credit(session: Session, actor: Actor, invoice_id: int, *, amount_cents: int | None = None) -> list[Payment]:
    """Apply the account's unapplied credit to one of its open invoices, oldest credit first: `amount_cents`, or
    as much as both the credit and what is due allow. Never more than the credit left nor than is due."""
    invoice = _invoice(session, actor, invoice_id, manage=True)
    notes = [n for n in session.exec(select(CreditNote).where(CreditNote.account_id == invoice.account_id)
                                     .order_by(CreditNote.issued_on, CreditNote.id)) if n.amount_cents > n.applied_cents]
    available = sum(n.amount_cents - n.applied_cents for n in notes)
    due = due_cents(invoice)
    if due <= 0:
        raise Conflict(_("Nothing is due on {name}.").format(name=invoice_name(invoice)))
    if available <= 0:
        raise Conflict(_("This account has no credit left to apply."))
    wanted = min(available, due) if amount_cents is None else amount_cents
    if not isinstance(wanted, int) or wanted <= 0:
        raise InvalidInput(_("The amount must be more than 0."), field="apply_amount")
    if wanted > available:
        raise InvalidInput(_("That is more than the {left} of credit the account has left.")
                           .format(left=format_money(available)), field="apply_amount")
    if wanted > due:
        raise InvalidInput(_("That is more than the {due} due on {name}.").format(
            due=format_money(due), name=invoice_name(invoice)), field="apply_amount")
    rows, left, today = [], wanted, firm_today(session)
    for note in notes:
        part = min(left, note.amount_cents - note.applied_cents)
        if part <= 0:
            break
        # `_add` refuses a draft, a paid or a void invoice with its sentence, and tells a full payment once.
        rows.append(_add(session, actor, invoice, part, PaymentMethod.credit, today, note.reason,
                         credit_note_id=note.id))
        recount_credit_note(session, note.id)
        left -= part
    audit.record(session, actor, "credit", "invoice", invoice.id,
                 f"Applied {format_money(wanted)} of the account's credit to invoice {invoice.number}; "
                 f"{format_money(due_cents(invoice))} left due", amount_cents=wanted,
                 credit_note_ids=[r.credit_note_id for r in rows])
    return rows


def account_credits(session: Session, actor: Actor, account_id: int) -> list[CreditNote]:
    """The account's credit notes, newest first."""
    require_sees_billing(actor)
    account = _visible_account(session, actor, account_id)
    return list(session.exec(select(CreditNote).where(CreditNote.account_id == account.id)
                             .order_by(CreditNote.issued_on.desc(), CreditNote.id.desc()).limit(LIST_LIMIT)))


def withdraw_credit(session: Session, actor: Actor, credit_note_id: int) -> None:
    """Take back a credit note given by mistake, while none of it is applied (remove the credits applied first)."""
    require_manages_billing(actor)
    note = session.get(CreditNote, credit_note_id) if isinstance(credit_note_id, int) else None
    if note is None:
        raise NotFound(_("That credit no longer exists."))
    account = _visible_account(session, actor, note.account_id)
    if recount_credit_note(session, note.id).applied_cents:
        raise Conflict(_("Part of this credit is applied to an invoice. Remove it from the invoice first."))
    audit.record(session, actor, "delete", "account", account.id,
                 f"Withdrew {account.name}'s credit of {format_money(note.amount_cents)}: {note.reason}",
                 amount_cents=note.amount_cents)
    session.delete(note)
    session.flush()
