"""Who may read and change invoices: reading needs "see billing", writing "manage invoices and payments" (owners,
admins), on accounts one sees. Every billing service starts here."""
from __future__ import annotations

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import Account, Invoice
from practice.services.actor import Actor, account_visible, require_staff
from practice.services.errors import NotFound, PermissionDenied


def require_sees_billing(actor) -> Actor:
    actor = require_staff(actor)
    if not actor.sees_billing:
        raise PermissionDenied(_("You do not have access to billing. Ask the firm's owner or an admin."))
    return actor


def require_manages_billing(actor) -> Actor:
    actor = require_staff(actor)
    if not actor.manages_billing:
        raise PermissionDenied(_("Only people who manage invoices and payments can do that."))
    return actor


def _visible_account(session: Session, actor: Actor, account_id: int) -> Account:
    condition = account_visible(actor, Account.id)
    stmt = select(Account).where(Account.id == account_id)
    if condition is not None:
        stmt = stmt.where(condition)
    account = session.exec(stmt).first()
    if account is None:
        raise NotFound(_("That account no longer exists."))
    return account


def _invoice(session: Session, actor: Actor, invoice_id: int, *, manage: bool) -> Invoice:
    (require_manages_billing if manage else require_sees_billing)(actor)
    condition = account_visible(actor, Invoice.account_id)
    stmt = select(Invoice).where(Invoice.id == invoice_id)
    if condition is not None:
        stmt = stmt.where(condition)
    invoice = session.exec(stmt).first()
    if invoice is None:
        raise NotFound(_("That invoice no longer exists."))
    return invoice
