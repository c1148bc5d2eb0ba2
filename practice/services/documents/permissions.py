"""Who may act on an account's documents: a staff `Actor` who may see the account, or a client
`ContactActor` linked to it (the link is checked again on every call)."""
from __future__ import annotations

from typing import Union

from sqlmodel import Session, select

from practice.models import Account, AccountContact
from practice.services.actor import Actor, ContactActor
from practice.services.errors import NotFound, PermissionDenied
from practice.services.work.accounts import get_account
from practice.i18n import _

Uploader = Union[Actor, ContactActor]


def check_account(session: Session, who: Uploader, account_id: int) -> Account:
    """The account, if `who` may see its documents (PermissionDenied / NotFound otherwise)."""
    if isinstance(who, ContactActor):
        linked = session.exec(select(AccountContact.account_id).where(
            AccountContact.account_id == account_id, AccountContact.contact_id == who.contact_id)).first()
        if account_id not in who.account_ids or linked is None:
            raise PermissionDenied(_("These documents belong to another client."))
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound(_("That account does not exist (it may have been deleted)."))
        return account
    return get_account(session, who, account_id)
