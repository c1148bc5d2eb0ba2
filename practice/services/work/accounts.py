"""Accounts (client profiles) and their contacts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from practice.models import (touch, Account, AccountContact, AccountTag, AccountTeam, AccountType, Contact, PortalLogin, PortalStatus, PortalToken, Tag, TeamMember, utcnow)
from practice.i18n import N_, _
from practice.services import audit, events
from practice.services.balances import balances, owing_account_ids
from practice.services.firm import checked_language
from practice.services.actor import Actor, account_visible, contact_name, require_admin, visible_account_ids
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from practice.services.work.field_views import sql_condition
from practice.services.work.tags import set_tag
from practice.services.access.team import check_email

PAGE_SIZE = 25
# How each account type reads (the stored value is the English one).
ACCOUNT_TYPE_NAMES = {AccountType.individual.value: N_("Individual"), AccountType.family.value: N_("Family"),
                      AccountType.company.value: N_("Company"), AccountType.nonprofit.value: N_("Nonprofit"),
                      AccountType.trust.value: N_("Trust")}


def account_type_name(value) -> str:
    """The account type as the person reads it ("Company" / "Société")."""
    name = ACCOUNT_TYPE_NAMES.get(getattr(value, "value", value))
    return _(name) if name else str(value)


def _account_type(value) -> AccountType:
    try:
        return AccountType(value)
    except ValueError:
        for t in AccountType:
            if str(value).strip().lower() in (t.value.lower(), account_type_name(t).lower()):
                return t
    kinds = ", ".join(account_type_name(t) for t in AccountType)
    raise InvalidInput(_('"{value}" is not an account type; use one of {kinds}.').format(value=value, kinds=kinds),
                       field="type")


def get_account(session: Session, actor: Actor, account_id: int) -> Account:
    """The account, if the actor may see it."""
    account = session.get(Account, account_id)
    if not account:
        raise NotFound(_("That account does not exist (it may have been deleted)."))
    cond = account_visible(actor, Account.id)
    if cond is not None and not session.exec(select(Account.id).where(Account.id == account_id, cond)).first():
        raise PermissionDenied(_("You do not have access to this account. Ask an admin to add you to its team."))
    return account


def create_account(session: Session, actor: Actor, *, name: str, type: str = "Individual", notes: str = "",
                   team_member_ids: list[int] | None = None) -> Account:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the account a name."), field="name")
    account = Account(name=name, type=_account_type(type), notes=notes)
    session.add(account)
    session.flush()
    members = set(team_member_ids or [])
    if actor.member_id and not actor.sees_all_accounts:
        members.add(actor.member_id)  # an employee keeps seeing what it creates
    for member_id in members:
        session.add(AccountTeam(account_id=account.id, member_id=member_id))
    audit.record(session, actor, "create", "account", account.id, f'Created account "{name}"')
    return account


def update_account(session: Session, actor: Actor, account_id: int, *, name: str | None = None,
                   type: str | None = None, notes: str | None = None) -> Account:
    """Change what is given; one audit row names the account and each change, old → new."""
    account = get_account(session, actor, account_id)
    before = {"name": account.name, "type": AccountType(account.type), "notes": account.notes}
    changes = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput(_("Give the account a name."), field="name")
        if len(name.strip()) > 200:
            raise InvalidInput(_("Keep the account name to 200 characters."), field="name")
        changes["name"] = " ".join(name.split())
    if type is not None:
        changes["type"] = _account_type(type)
    if notes is not None:
        changes["notes"] = notes
    for key, value in changes.items():
        setattr(account, key, value)
    audit.record_changes(session, actor, "account", account.id, f'Account "{before["name"]}"', before, changes)
    return account


@dataclass
class AccountRow:
    id: int
    name: str
    type: str
    tags: list[tuple[str, str]]
    contacts: int
    # Cents the account owes (practice.services.balances); None for a member who does not see billing.
    balance_cents: int | None = None


def list_accounts(session: Session, actor: Actor, *, search: str = "", tag_id: int | None = None,
                  page: int = 1, page_size: int = PAGE_SIZE, field_filter=None,
                  owing: bool = False, with_balance: bool = False) -> tuple[list[AccountRow], int]:
    """One page of accounts the actor may see, with the total count for paging; `field_filter` (a
    `field_views.FieldFilter` on an account field) narrows them in the same statement, `owing` to the accounts that
    owe money (a balance above 0: what is due less unapplied credit, as the balance column shows). With `with_balance`, members who see billing get each row's balance (one aggregate over the page's
    accounts); others get None."""
    if owing and not actor.sees_billing:
        raise PermissionDenied(_("Only members who see billing can filter accounts by what they owe."))
    cond = [Account.archived == False]  # noqa: E712
    visible = visible_account_ids(actor, Account.id)
    if visible is not None:
        cond.append(visible)
    if search.strip():
        like = f"%{search.strip().lower()}%"
        contact_match = select(AccountContact.account_id).join(Contact, Contact.id == AccountContact.contact_id).where(
            or_(func.lower(Contact.first_name + " " + Contact.last_name).like(like), func.lower(Contact.email).like(like)))
        cond.append(or_(func.lower(Account.name).like(like), Account.id.in_(contact_match)))
    if tag_id:
        cond.append(Account.id.in_(select(AccountTag.account_id).where(AccountTag.tag_id == tag_id)))
    if field_filter is not None:
        cond.append(sql_condition(field_filter, Account.id))
    if owing:
        cond.append(Account.id.in_(owing_account_ids()))
    total = session.exec(select(func.count()).select_from(Account).where(*cond)).one()
    page = max(1, page)
    accounts = session.exec(select(Account).where(*cond).order_by(func.lower(Account.name), Account.id)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    ids = [a.id for a in accounts]
    tags: dict[int, list] = {i: [] for i in ids}
    counts: dict[int, int] = {}
    if ids:
        for account_id, tname, color in session.exec(
                select(AccountTag.account_id, Tag.name, Tag.color).join(Tag, Tag.id == AccountTag.tag_id)
                .where(AccountTag.account_id.in_(ids)).order_by(Tag.name)):
            tags[account_id].append((tname, color))
        counts = dict(session.exec(select(AccountContact.account_id, func.count()).where(
            AccountContact.account_id.in_(ids)).group_by(AccountContact.account_id)).all())
    owed = balances(session, ids) if with_balance and actor.sees_billing else None
    rows = [AccountRow(a.id, a.name, AccountType(a.type).value, tags[a.id], counts.get(a.id, 0),
                       owed.get(a.id, 0) if owed is not None else None) for a in accounts]
    return rows, total


def set_account_tag(session: Session, actor: Actor, account_id: int, tag_id: int, present: bool) -> None:
    account = get_account(session, actor, account_id)
    if set_tag(session, actor, "account", account.id, tag_id, present):
        tag = session.get(Tag, tag_id)
        events.emit(session, actor, "tag_added" if present else "tag_removed", account_id=account.id,
                    payload={"tag": tag.name, "on": "account"})


# --- contacts -----------------------------------------------------------------------------


def _clean_contact_fields(fields: dict) -> dict:
    allowed = {"first_name", "last_name", "email", "other_emails", "phone", "other_phones",
               "street", "city", "region", "postal_code", "country", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown contact fields: {fields}.").format(fields=", ".join(sorted(unknown))))
    clean = {k: (v or "").strip() for k, v in fields.items()}
    if not (clean.get("first_name") or clean.get("last_name")):
        raise InvalidInput(_("Give the contact a first or last name."), field="first_name")
    if clean.get("email"):
        clean["email"] = check_email(clean["email"])
    if clean.get("language"):  # "" follows the firm's default
        clean["language"] = checked_language(clean["language"])
    for line in (clean.get("other_emails") or "").splitlines():
        if line.strip():
            check_email(line, field="other_emails")
    return clean


def contact_visible(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if not contact:
        raise NotFound(_("That contact does not exist."))
    if actor.sees_all_accounts:
        return contact
    linked = session.exec(select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)).all()
    for account_id in linked:
        try:
            get_account(session, actor, account_id)
            return contact
        except PermissionDenied:
            continue
    if not linked:
        return contact  # an unlinked contact belongs to nobody yet
    raise PermissionDenied(_("You do not have access to this contact."))


def create_contact(session: Session, actor: Actor, *, account_ids: list[int] | None = None, **fields) -> Contact:
    """Create a contact, optionally linked to accounts the actor may see."""
    clean = _clean_contact_fields(fields)
    for account_id in account_ids or []:
        get_account(session, actor, account_id)
    contact = Contact(**clean)
    session.add(contact)
    session.flush()
    for account_id in account_ids or []:
        session.add(AccountContact(account_id=account_id, contact_id=contact.id))
    audit.record(session, actor, "create", "contact", contact.id,
                 f"Created contact {contact.first_name} {contact.last_name}".strip(), accounts=account_ids or [])
    return contact


CONTACT_LABELS = {"first_name": "first name", "last_name": "last name", "other_emails": "other emails",
                  "language": "language (portal, emails, documents)",
                  "other_phones": "other phones", "postal_code": "postal code", "region": "state / region"}


def _email_taken(session: Session, email: str, contact_id: int | None) -> Contact | None:
    """Another contact that already has this address (two contacts on one email would share a portal login)."""
    if not email:
        return None
    stmt = select(Contact).where(func.lower(Contact.email) == email.lower())
    if contact_id is not None:
        stmt = stmt.where(Contact.id != contact_id)
    return session.exec(stmt.order_by(Contact.id)).first()


def update_contact(session: Session, actor: Actor, contact_id: int, **fields) -> Contact:
    """Change the given fields; a bad or taken email is refused; one audit row says old → new."""
    contact = contact_visible(session, actor, contact_id)
    merged = {k: getattr(contact, k) for k in ("first_name", "last_name")} | fields
    clean = _clean_contact_fields(merged)
    other = _email_taken(session, clean.get("email", ""), contact.id) if clean.get("email") != contact.email else None
    if other is not None:
        raise Conflict(_("{name} already has the email {email}. Each person needs their own address; if they are "
                         "the same person, merge the two contacts.").format(name=contact_name(other),
                                                                            email=clean["email"]))
    before = {k: getattr(contact, k) for k in clean}
    subject = f"Contact {contact_name(contact)}"
    if "email" in clean and clean["email"] != contact.email:
        _login_follows_email(session, actor, contact, clean["email"])
    for key, value in clean.items():
        setattr(contact, key, value)
    audit.record_changes(session, actor, "contact", contact.id, subject, before, clean, labels=CONTACT_LABELS)
    return contact


def _login_follows_email(session: Session, actor: Actor, contact: Contact, new_email: str) -> None:
    """A contact's portal login is their email: it follows a corrected address, and links already mailed to the
    old address stop working (portal.logins.update_contact also tells a client who can log in, at the old one)."""
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact.id,
                                                   PortalLogin.status != PortalStatus.revoked)).first()
    if login is None:
        return
    if not new_email:
        raise InvalidInput(_("{name} logs in to the client portal with {email}. Give them another email address, or "
                             "withdraw their portal access first.").format(name=contact_name(contact),
                                                                           email=login.email), field="email")
    old, login.email = login.email, new_email.strip().lower()
    session.execute(update(PortalToken).where(PortalToken.contact_id == contact.id, PortalToken.used_at.is_(None))
                    .values(used_at=utcnow()))
    summary = f"{contact_name(contact)} now logs in to the client portal with {login.email} (was {old})"
    if PortalStatus(login.status) != PortalStatus.active:
        summary += "; the invitation sent to the old address no longer works: send a new one"
    audit.record(session, actor, "portal_email", "contact", contact.id, summary)


def portal_link_warning(session: Session, actor: Actor, account_id: int, contact_id: int) -> str:
    """What to confirm before linking a contact who can log in to the portal to another account: that they
    will see its shared documents; "" when there is nothing to confirm."""
    account = get_account(session, actor, account_id)
    contact = contact_visible(session, actor, contact_id)
    if session.get(AccountContact, (account_id, contact_id)):
        return ""
    login = session.exec(select(PortalLogin).where(PortalLogin.contact_id == contact_id,
                                                   PortalLogin.status != PortalStatus.revoked)).first()
    if login is None:
        return ""
    if PortalStatus(login.status) == PortalStatus.active:
        text = _("{name} can log in to the client portal ({email}). Once linked to \u201c{account}\u201d, they will "
                 "see its shared documents, its client tasks and what it asks them to sign or approve.")
    else:
        text = _("{name} is invited to the client portal ({email}). Once linked to \u201c{account}\u201d, they will "
                 "see its shared documents, its client tasks and what it asks them to sign or approve.")
    return text.format(name=contact_name(contact), email=login.email, account=account.name)


def link_contact(session: Session, actor: Actor, account_id: int, contact_id: int, linked: bool = True, *,
                 confirmed: bool = False) -> None:
    """Link a contact to an account (or unlink it); linking one with portal access needs `confirmed`, given
    after the person read `portal_link_warning`."""
    warning = portal_link_warning(session, actor, account_id, contact_id) if linked else ""
    if warning and not confirmed:
        raise Conflict(" ".join([warning, _("Confirm to link them.")]))
    get_account(session, actor, account_id)
    contact = contact_visible(session, actor, contact_id)
    exists_ = session.get(AccountContact, (account_id, contact_id))
    if linked and not exists_:
        session.add(AccountContact(account_id=account_id, contact_id=contact_id))
    elif not linked and exists_:
        session.exec(delete(AccountContact).where(AccountContact.account_id == account_id,
                                                   AccountContact.contact_id == contact_id))
        touch(session, Contact, [contact_id])
    else:
        return
    name = f"{contact.first_name} {contact.last_name}".strip()
    summary = f"{'Linked' if linked else 'Unlinked'} contact {name}"
    if warning:
        summary += " (they have portal access and now see this account's shared documents)"
    audit.record(session, actor, "link" if linked else "unlink", "account", account_id, summary,
                 contact_id=contact_id)


def contacts_of(session: Session, actor: Actor, account_id: int) -> list[Contact]:
    get_account(session, actor, account_id)
    return list(session.exec(select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
                             .where(AccountContact.account_id == account_id).order_by(Contact.last_name)))


def list_contacts(session: Session, actor: Actor, *, search: str = "", page: int = 1,
                  page_size: int = PAGE_SIZE) -> tuple[list[tuple[Contact, list[tuple[int, str]]]], int]:
    """Contacts of accounts the actor may see, each with those of its accounts the actor may see (id, name)."""
    cond = []
    visible = visible_account_ids(actor, AccountContact.account_id)
    if visible is not None:
        cond.append(Contact.id.in_(select(AccountContact.contact_id).where(visible)))
    if search.strip():
        like = f"%{search.strip().lower()}%"
        cond.append(or_(func.lower(Contact.first_name + " " + Contact.last_name).like(like),
                        func.lower(Contact.email).like(like)))
    total = session.exec(select(func.count()).select_from(Contact).where(*cond)).one()
    contacts = session.exec(select(Contact).where(*cond).order_by(func.lower(Contact.last_name), Contact.id)
                            .offset((max(1, page) - 1) * page_size).limit(page_size)).all()
    ids = [c.id for c in contacts]
    links: dict[int, list] = {i: [] for i in ids}
    if ids:
        for cid, aid, aname in session.exec(select(AccountContact.contact_id, Account.id, Account.name)
                                            .join(Account, Account.id == AccountContact.account_id)
                                            .where(AccountContact.contact_id.in_(ids),
                                                   *([visible] if visible is not None else []))):
            links[cid].append((aid, aname))
    return [(c, links[c.id]) for c in contacts], total


def set_contact_tag(session: Session, actor: Actor, contact_id: int, tag_id: int, present: bool) -> None:
    contact_visible(session, actor, contact_id)
    if set_tag(session, actor, "contact", contact_id, tag_id, present):
        tag = session.get(Tag, tag_id)
        events.emit(session, actor, "tag_added" if present else "tag_removed",
                    payload={"tag": tag.name, "on": "contact", "contact_id": contact_id})


def add_team_member_to_account(session: Session, actor: Actor, account_id: int, member_id: int) -> None:
    require_admin(actor)
    if not session.get(AccountTeam, (account_id, member_id)):
        session.add(AccountTeam(account_id=account_id, member_id=member_id))
        member = session.get(TeamMember, member_id)
        who = member.name if member else "A team member"
        audit.record(session, actor, "team_added", "account", account_id, f"{who} added to the account's team")

