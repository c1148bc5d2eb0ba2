"""One account: header, tags, notes, contacts, jobs, tasks and its recent history."""
from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from practice import routes
from practice.i18n import _
from practice.models import AccountType
from practice.services import firm
from practice.services.access import team
from practice.services.billing import delivery, invoices
from practice.services.portal import logins
from practice.services.work import accounts, audit_history, jobs, pipelines, removal, tags, tasks
from practice.services.errors import PracticeError
from practice.services.formatting import format_date, format_money
from practice.state.base import (ADMIN, STAFF, AppState, allow, read, remount_if_changed, run, shown_in, write_and_refresh)
from practice.state.account_credits import AccountCredits, credit_view
from practice.state.contact_editing import ContactEditing
from practice.state.views import Option
from practice.state.work_views import (CONTACT_FIELDS, NONE, HistoryItem, TagItem,
                                       TaskItem, form_fields, history_items, parse_date, parse_id,
                                       task_items)

ACCOUNT_TYPES = [t.value for t in AccountType]


@dataclasses.dataclass
class ContactItem:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    # Client portal access: "" (none), invited, active or revoked.
    portal: str = ""
    # Marked as receiving the account's invoices by email (shown to members who see billing).
    receives_invoices: bool = False


@dataclasses.dataclass
class AccountInvoiceItem:
    id: int = 0
    name: str = ""
    status: str = ""
    status_label: str = ""
    total: str = ""
    due: str = ""
    due_date: str = ""
    href: str = ""


def invoice_items(rows) -> list[AccountInvoiceItem]:
    """The account's invoices as its page lists them: name, status, total, what is still due and when."""
    return [AccountInvoiceItem(id=r.id, name=_("Invoice {number}").format(number=r.number) if r.number is not None
                               else _("Draft invoice"), status=r.status.value,
                               status_label=_(invoices.STATUS_WORDS[r.status]), total=format_money(r.total_cents),
                               due=format_money(r.due_cents) if r.due_cents else "",
                               due_date=format_date(r.due_date) if r.due_cents and r.due_date else "",
                               href=routes.invoice_url(r.id))
            for r in rows]


@dataclasses.dataclass
class AccountJobItem:
    id: int = 0
    name: str = ""
    pipeline: str = ""
    stage: str = ""
    due: str = ""
    href: str = ""
    archived: bool = False


def contact_name(c) -> str:
    return f"{c.first_name} {c.last_name}".strip() or c.email or _("(no name)")


def _account_view(session, actor, account_id: int) -> dict:
    """Everything the account page shows, read through the services in one session."""
    account = accounts.get_account(session, actor, account_id)
    tag_ids = set(tags.tag_ids_of(session, "account", account.id))
    all_tags = tags.list_tags(session)
    contacts = accounts.contacts_of(session, actor, account.id)
    job_rows = jobs.jobs_of_account(session, actor, account.id)
    task_rows = tasks.list_tasks(session, actor, mine=False, status="all", account_id=account.id)
    history = audit_history.list_entries(session, actor, entity="account", entity_id=account.id, limit=20)
    return {
        "account": account, "tags": [t for t in all_tags if t.id in tag_ids],
        "other_tags": [t for t in all_tags if t.id not in tag_ids], "contacts": contacts, "jobs": job_rows,
        "tasks": task_rows, "history": history, "timezone": firm.get_firm(session).timezone,
        "pipelines": pipelines.list_pipelines(session), "members": team.list_members(session, actor),
        "portal": logins.status_of_contacts(session, actor, [c.id for c in contacts]),
        "billing": invoices.account_billing(session, actor, account.id),
        "credits": credit_view(session, actor, account.id),
        "receivers": delivery.invoice_receivers(session, actor, account.id) if actor.sees_billing else set(),
    }


def contact_items(contacts, portal_status: dict[int, str], receivers: set[int] = frozenset()) -> list[ContactItem]:
    """The account's contacts as the page lists them, with their portal access and whether they receive invoices."""
    return [ContactItem(id=c.id, name=contact_name(c), email=c.email, phone=c.phone,
                        address=", ".join(p for p in (c.street, c.city, c.region, c.postal_code, c.country) if p),
                        portal=portal_status.get(c.id, ""), receives_invoices=c.id in receivers)
            for c in contacts]


class AccountState(AccountCredits, ContactEditing, AppState):
    CONTACT_ERROR_FIELD: ClassVar[str] = "contact_error"
    # The page's account id; not called `account_id`, which is the route's own variable.
    acct_id: int = 0
    found: bool = False
    page_error: str = ""
    name: str = ""
    type: str = ""
    type_name: str = ""  # the type as the person reads it
    notes: str = ""
    # Bumped when another account (or other stored values) is shown, so the notes form re-reads its default value.
    form_key: int = 0
    _form_key_shows: str = ""
    tags: list[TagItem] = []
    tag_choices: list[Option] = []
    contacts: list[ContactItem] = []
    jobs: list[AccountJobItem] = []
    tasks: list[TaskItem] = []
    history: list[HistoryItem] = []
    pipeline_options: list[Option] = []
    member_options: list[Option] = []
    error: str = ""
    contact_error: str = ""
    job_error: str = ""
    link_search: str = ""
    link_results: list[Option] = []
    # A contact with portal access about to be linked (0: none), and what they would then see.
    link_confirm_id: int = 0
    link_confirm_text: str = ""
    # The activation link of an invitation that could not be emailed (mail not set up), for this staff
    # member to copy and hand over; cleared on the next page load.
    invite_link: str = ""
    invite_warning: str = ""
    # The account's edit dialog and its delete confirmation (what goes with it, or why it cannot go).
    edit_open: bool = False
    edit_error: str = ""
    delete_open: bool = False
    delete_text: str = ""
    delete_blocked: bool = False
    # Billing, for members with the right to see it: what the account owes and its latest invoices.
    # (Not `sees_billing`: AppState's, which the sidebar reads, has that name.)
    shows_billing: bool = False
    manages_billing: bool = False
    balance: str = ""
    invoices: list[AccountInvoiceItem] = []
    new_invoice_href: str = ""
    all_invoices_href: str = ""

    def _refresh(self) -> None:
        try:
            view = read(_account_view, self._require(), self.acct_id)
        except PracticeError as err:
            self.found, self.page_error = False, str(err)
            return
        account = view["account"]
        self.found, self.page_error = True, ""
        self.name, self.notes = account.name, account.notes
        self.type, self.type_name = AccountType(account.type).value, accounts.account_type_name(account.type)
        self.tags = [TagItem(id=t.id, name=t.name, color=t.color) for t in view["tags"]]
        self.tag_choices = [Option(value=str(t.id), label=t.name) for t in view["other_tags"]]
        self.contacts = contact_items(view["contacts"], view["portal"], view["receivers"])
        self.jobs = [AccountJobItem(id=j.id, name=j.name, pipeline=p, stage=s, due=format_date(j.due_date),
                                    href=routes.job_url(j.id), archived=j.archived) for j, p, s in view["jobs"]]
        self.tasks = task_items(view["tasks"])
        self.history = history_items(view["history"], view["timezone"])
        self.pipeline_options = [Option(value=str(p.id), label=p.name) for p in view["pipelines"]]
        self.member_options = [Option(value=str(m.id), label=m.name) for m in view["members"]]
        self._show_billing(view["billing"], getattr(self._require(), "manages_billing", False), view["credits"])

    def _show_billing(self, billing, manages: bool, credit_notes=None) -> None:
        self._show_credits(credit_notes)
        self.shows_billing, self.manages_billing = billing is not None, billing is not None and manages
        self.new_invoice_href = routes.new_invoice_url(self.acct_id)
        self.all_invoices_href = routes.billing_url(account_id=self.acct_id)
        self.balance = format_money(billing[0]) if billing else ""
        self.invoices = invoice_items(billing[1]) if billing else []

    @allow(STAFF)
    def load(self):
        self.error = self.contact_error = self.job_error = self.link_search = ""
        self.invite_link = self.invite_warning = ""
        self.link_results = []
        self.edit_open = self.delete_open = self.contact_edit_open = False
        self.contact_delete_id = self.link_confirm_id = 0
        account_id = parse_id(getattr(self, "account_id", ""))
        if account_id is None:
            self.acct_id, self.found = 0, False
            self.page_error = _("That account does not exist (it may have been deleted).")
            return
        self.acct_id = account_id
        self._refresh()
        remount_if_changed(self, "form_key", (account_id, self.notes, self.name, self.type))

    @allow(STAFF)
    def set_edit_open(self, value: bool):
        self.edit_open, self.edit_error = bool(value), ""
        self.form_key += 1

    @allow(STAFF)
    def save_account(self, form: dict):
        """Save the account's name and type from its edit dialog; a refusal stays in the dialog."""
        fields = form_fields(form, ("name", "type"))
        if write_and_refresh(self, accounts.update_account, self.acct_id, shown="edit_error", **fields):
            self.edit_open = False
            return rx.toast.success(_("Account saved."))

    @allow(ADMIN)
    def ask_delete(self):
        """Open the delete confirmation with what goes with the account (or why it cannot be deleted)."""
        with shown_in(self, "error"):
            preview = read(removal.account_removal, self._require(), self.acct_id)
            self.delete_text, self.delete_blocked = preview.sentence, bool(preview.blocked)
            self.delete_open = True

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)

    @allow(ADMIN)
    def confirm_delete(self):
        self.delete_open = False
        with shown_in(self, "error"):
            name = run(removal.delete_account, self._require(), self.acct_id)
            return [rx.toast.success(_('Deleted account "{name}".').format(name=name)), rx.redirect(routes.ACCOUNTS)]

    @allow(STAFF)
    def save_notes(self, form: dict):
        if write_and_refresh(self, accounts.update_account, self.acct_id, notes=str(form.get("notes", ""))[:20000]):
            return rx.toast.success(_("Notes saved."))

    @allow(STAFF)
    def add_tag(self, tag_id: str):
        tag = parse_id(tag_id)
        if tag is None:
            self.error = _("Choose a tag to add.")
            return
        write_and_refresh(self, accounts.set_account_tag, self.acct_id, tag, True)

    @allow(STAFF)
    def remove_tag(self, tag_id: int):
        tag = parse_id(tag_id)
        if tag is not None:
            write_and_refresh(self, accounts.set_account_tag, self.acct_id, tag, False)

    @allow(STAFF)
    def add_contact(self, form: dict):
        fields = {key: str(form.get(key, "") or "")[:300] for key in CONTACT_FIELDS}
        if write_and_refresh(self, accounts.create_contact, account_ids=[self.acct_id], shown="contact_error", **fields):
            self.contact_form_key += 1  # a new key gives the browser an empty form
            return rx.toast.success(_("Contact added."))

    @allow(STAFF)
    def search_link(self, text: str):
        self.link_search = str(text or "")[:200]
        if len(self.link_search.strip()) < 2:
            self.link_results = []
            return
        with shown_in(self, "contact_error"):
            found, _total = read(accounts.list_contacts, self._require(), search=self.link_search, page_size=10)
            linked = {c.id for c in self.contacts}
            self.link_results = [Option(value=str(c.id), label=contact_name(c) + (f" · {c.email}" if c.email else ""))
                                 for c, _links in found if c.id not in linked]

    @allow(STAFF)
    def link_contact(self, contact_id: int):
        """Link at once, or first ask when the contact has portal access (they would see this account)."""
        contact = parse_id(contact_id)
        if contact is None:
            return
        self.link_search, self.link_results = "", []
        with shown_in(self, "contact_error"):
            warning = read(accounts.portal_link_warning, self._require(), self.acct_id, contact)
            if warning:
                self.link_confirm_id, self.link_confirm_text = contact, warning
                return
            write_and_refresh(self, accounts.link_contact, self.acct_id, contact, True, shown="contact_error")

    @allow(STAFF)
    def set_link_confirm_open(self, value: bool):
        if not value:
            self.link_confirm_id = 0

    @allow(STAFF)
    def confirm_link(self):
        contact, self.link_confirm_id = self.link_confirm_id, 0
        if contact and write_and_refresh(self, accounts.link_contact, self.acct_id, contact, True, confirmed=True,
                                         shown="contact_error"):
            return rx.toast.success(_("Contact linked; they see this account in the portal."))

    @allow(STAFF)
    def unlink_contact(self, contact_id: int):
        contact = parse_id(contact_id)
        if contact is not None:
            write_and_refresh(self, accounts.link_contact, self.acct_id, contact, False, shown="contact_error")

    @allow(STAFF)
    def set_receives_invoices(self, contact_id: int, value: bool):
        """Mark a contact as receiving the account's invoices by email, or no longer (checked in the service)."""
        contact = parse_id(contact_id)
        if contact is not None and write_and_refresh(self, delivery.set_receives_invoices, self.acct_id, contact,
                                                     bool(value), shown="contact_error"):
            return rx.toast.success(_("Invoices will be emailed to this contact.") if value
                                    else _("Invoices will no longer be emailed to this contact."))

    @allow(STAFF)
    def give_portal_access(self, contact_id: int):
        """Invite the contact to the client portal (again, if it was invited or revoked): by email, or, when
        mail is not set up, by showing the activation link to copy."""
        contact = parse_id(contact_id)
        if contact is None:
            return
        self.contact_error = self.invite_link = self.invite_warning = ""
        with shown_in(self, "contact_error"):
            try:
                invitation = run(logins.invite, self._require(), contact)
            finally:
                self._refresh()
            if invitation.sent:
                return rx.toast.success(invitation.message)
            self.invite_link, self.invite_warning = invitation.link, invitation.message
            return rx.toast.warning(invitation.message)

    @allow(STAFF)
    def close_invite_link(self):
        self.invite_link = self.invite_warning = ""

    @allow(STAFF)
    def revoke_portal_access(self, contact_id: int):
        """End the contact's portal access; its open portal sessions end at once."""
        contact = parse_id(contact_id)
        if contact is not None and write_and_refresh(self, logins.revoke, contact, shown="contact_error"):
            return rx.toast.success(_("Portal access withdrawn."))

    @allow(STAFF)
    def create_job(self, form: dict):
        pipeline_id = parse_id(form.get("pipeline"))
        if pipeline_id is None:
            self.job_error = _("Choose the pipeline the job goes through.")
            return
        self.job_error = ""
        with shown_in(self, "job_error"):
            assignee = parse_id(form.get("assignee")) if form.get("assignee") not in (None, "", NONE) else None
            job = run(jobs.create_job, self._require(), account_id=self.acct_id, pipeline_id=pipeline_id,
                      name=str(form.get("name", ""))[:200], assignee_ids=[assignee] if assignee else [],
                      due_date=parse_date(form.get("due_date"), "due date"))
            return rx.redirect(routes.job_url(job.id))
