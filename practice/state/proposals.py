"""Staff side of proposals: the templates page (with the step names clients see) and the account page's section."""
from __future__ import annotations

import asyncio

import dataclasses

import reflex as rx

from practice import routes
from practice.services import firm
from practice.services.automation import compiled
from practice.services.errors import PracticeError
from practice.services.proposals import rendering, sending, templates
from practice.services.work import catalog, jobs
from practice.i18n import _
from practice.services.formatting import format_datetime, format_money, money_input
from practice.state.base import ADMIN, STAFF, AppState, allow, read, run, shown_in, write_and_refresh, \
    write_off_loop_and_refresh
from practice.state.views import Option
from practice.state.work_views import parse_id

MAX_DRAFT_LINES = templates.MAX_LINES


def proposal_outcome(p, timezone: str) -> str:
    """Where the client is with a proposal: signed (by whom, when), declined (why), opened or not."""
    if p.status == "signed":
        return _("Signed by {name} {when}").format(name=p.signer_name, when=format_datetime(p.signed_at, timezone))
    if p.status == "awaiting_payment":
        return _("Signed by {name} {when}; counts as signed once invoice {number} is paid").format(
            name=p.signer_name, when=format_datetime(p.signed_at, timezone), number=p.invoice_number)
    if p.status == "declined":
        return _("Declined {when}: {reason}").format(when=format_datetime(p.declined_at, timezone),
                                                    reason=p.decline_reason)
    if p.status == "cancelled":
        return _("Withdrawn")
    if p.viewed_at:
        return _("Opened {when}, not signed yet").format(when=format_datetime(p.viewed_at, timezone))
    return _("Not opened yet")


@dataclasses.dataclass
class TemplateItem:
    id: int = 0
    name: str = ""
    services: str = ""
    total: str = ""
    optional: int = 0
    has_french: bool = False
    require_payment: bool = False


@dataclasses.dataclass
class DraftLine:
    """One service line while a template is edited (the browser's copy; checked again on save)."""

    key: int = 0
    service_id: str = ""
    name: str = ""
    description: str = ""
    quantity: str = "1"
    price: str = ""
    optional: bool = False


@dataclasses.dataclass
class ProposalItem:
    id: int = 0
    name: str = ""
    status: str = ""
    total: str = ""
    job: str = ""
    sent: str = ""
    outcome: str = ""
    href: str = ""
    waiting: bool = False


class ProposalTemplatesState(AppState):
    """The admins' proposal templates page: list, edit with lines from the catalog, preview, step names."""

    templates: list[TemplateItem] = []
    service_options: list[Option] = []
    editing_id: int = 0
    edit_name: str = ""
    edit_intro: str = ""
    edit_terms: str = ""
    # The French version of the texts (empty: clients who read French get the texts above).
    edit_intro_fr: str = ""
    edit_terms_fr: str = ""
    edit_name_fr: str = ""
    # The client pays the first invoice by card when signing.
    edit_require_payment: bool = False
    lines: list[DraftLine] = []
    form_key: int = 0
    error: str = ""
    step_read: str = ""
    step_choose: str = ""
    step_sign: str = ""
    steps_key: int = 0
    steps_error: str = ""
    _services: dict[str, tuple[str, str, int]] = {}
    _next_key: int = 1

    def _refresh(self) -> None:
        self.error = ""
        with shown_in(self, "error"):
            rows, services, steps = read(_templates_view, self._require())
            self.templates = [TemplateItem(id=t.id, name=t.name, services=", ".join(line.name for line in t.lines),
                                           total=format_money(t.total_cents), has_french=t.has_french,
                                           require_payment=t.require_payment,
                                           optional=sum(1 for line in t.lines if line.optional)) for t in rows]
            self._services = {str(s.id): (s.name, s.description, s.rate_cents) for s in services}
            self.service_options = [Option(value=str(s.id), label=f"{s.name} ({format_money(s.rate_cents)})")
                                    for s in services]
            self._show_steps(steps)

    def _show_steps(self, steps: dict) -> None:
        self.step_read, self.step_choose, self.step_sign = steps["read"], steps["choose"], steps["sign"]
        self.steps_key += 1

    def _blank(self) -> None:
        self.editing_id, self.edit_name, self.edit_intro, self.edit_terms, self.lines = 0, "", "", "", []
        self.edit_intro_fr = self.edit_terms_fr = self.edit_name_fr = ""
        self.edit_require_payment = False
        self.form_key += 1

    def _keep(self, name: str, texts: dict) -> None:
        """What was typed, shown again with the error (nothing typed is lost)."""
        self.edit_name, self.edit_intro, self.edit_terms = name, texts["introduction"], texts["terms"]
        self.edit_intro_fr, self.edit_terms_fr = texts["introduction_fr"], texts["terms_fr"]
        self.edit_name_fr = str(texts.get("name_fr", ""))
        self.edit_require_payment = bool(texts.get("require_payment", False))

    @allow(ADMIN)
    def load(self):
        self.error = self.steps_error = ""
        self._blank()
        self._refresh()

    @allow(ADMIN)
    def new(self):
        self.error = ""
        self._blank()

    @allow(ADMIN)
    def edit(self, template_id: int):
        try:
            view = read(templates.get_template, self._require(), parse_id(template_id) or 0)
        except PracticeError as err:
            self.error = str(err)
            return
        self.editing_id, self.edit_name, self.edit_intro, self.edit_terms = view.id, view.name, view.introduction, view.terms
        self.edit_intro_fr, self.edit_terms_fr, self.edit_name_fr = view.introduction_fr, view.terms_fr, view.name_fr
        self.edit_require_payment = view.require_payment
        self.lines = []
        for line in view.lines:
            self.lines.append(DraftLine(key=self._next_key, service_id=str(line.service_id or ""), name=line.name,
                                        description=line.description, quantity=str(line.quantity),
                                        price=money_input(line.price_cents), optional=line.optional))
            self._next_key += 1
        self.error = ""
        self.form_key += 1

    @allow(ADMIN)
    def add_service(self, service_id: str):
        """Add a catalog service as a line (its rate is the starting price)."""
        found = self._services.get(str(service_id or ""))
        if found is None or len(self.lines) >= MAX_DRAFT_LINES:
            return
        name, description, rate = found
        self.lines = [*self.lines, DraftLine(key=self._next_key, service_id=str(service_id), name=name,
                                             description=description, price=money_input(rate))]
        self._next_key += 1

    def _line_index(self, key) -> int | None:
        wanted = parse_id(key)
        return next((i for i, line in enumerate(self.lines) if line.key == wanted), None)

    @allow(ADMIN)
    def set_line(self, key: int, field_name: str, value):
        """Keep what was typed in one line's quantity or price, or its optional switch."""
        index = self._line_index(key)
        if index is None or field_name not in ("quantity", "price", "optional"):
            return
        line = dataclasses.replace(self.lines[index])
        if field_name == "optional":
            line.optional = bool(value)
        else:
            setattr(line, field_name, str(value or "")[:30])
        self.lines = [*self.lines[:index], line, *self.lines[index + 1:]]

    @allow(ADMIN)
    def remove_line(self, key: int):
        index = self._line_index(key)
        if index is not None:
            self.lines = [*self.lines[:index], *self.lines[index + 1:]]

    @allow(ADMIN)
    async def save(self, form: dict):
        """Save the template; its texts (and their French version) are filled in with a sample client first, off
        the event loop."""
        name, texts, name_fr = str(form.get("name", ""))[:300], _form_texts(form), str(form.get("name_fr", ""))[:300]
        paying = str(form.get("require_payment", "")).lower() in ("on", "true", "1")
        lines = [{"service_id": parse_id(line.service_id), "name": line.name, "description": line.description,
                  "quantity": line.quantity, "price": line.price, "optional": line.optional} for line in self.lines]
        try:  # the texts are filled in before the write, so the child's seconds hold no lock others wait for
            checked = await asyncio.to_thread(read, templates.check_texts, self._require(), **texts)
            await asyncio.to_thread(run, templates.save_template, self._require(), name=name, **texts, name_fr=name_fr,
                                    lines=lines, template_id=self.editing_id or None, require_payment=paying,
                                    rules_using=compiled.rules_sending_proposal, checked=checked)
        except PracticeError as err:
            self.error = str(err)
            self._keep(name, {**texts, "name_fr": name_fr, "require_payment": paying})
            return
        self.error = ""
        self._blank()
        self._refresh()
        return rx.toast.success(_("Proposal template saved."))

    @allow(ADMIN)
    def delete(self, template_id: int):
        template = parse_id(template_id)
        if template is None:
            return
        if write_and_refresh(self, templates.delete_template, template,
                                                  rules_using=compiled.rules_sending_proposal) and template == self.editing_id:
            self._blank()

    @allow(ADMIN)
    async def preview(self, template_id: int, language: str = ""):
        """Download the template as a PDF, filled in for a sample client (laid out off the event loop); with
        `language` "fr", its French version as a client who reads French gets it."""
        template = parse_id(template_id)
        if template is None:
            return
        with shown_in(self, "error"):
            pdf = await asyncio.to_thread(read, rendering.preview_pdf, self._require(), template,
                                          language=str(language or "")[:5])
            name = next((t.name for t in self.templates if t.id == template), "proposal")
            return rx.download(data=pdf, filename=_("{name} (preview).pdf").format(name=name), mime_type="application/pdf")

    @allow(ADMIN)
    def save_steps(self, form: dict):
        names = {key: str(form.get(key, ""))[:200] for key in templates.STEP_KEYS}
        self.steps_error = ""
        with shown_in(self, "steps_error"):
            self._show_steps(run(templates.rename_steps, self._require(), names))
            return rx.toast.success(_("Step names saved."))


def _form_texts(form: dict) -> dict[str, str]:
    """The introduction and terms (and their French version) as the form sent them."""
    return {key: str(form.get(key, ""))[:60000] for key in ("introduction", "terms", "introduction_fr", "terms_fr")}


def _templates_view(session, actor) -> tuple:
    """The firm's proposal templates, the catalog's services and the portal's step names, in one session."""
    return templates.list_templates(session, actor), catalog.list_services(session), templates.step_names(session)


def _account_view(session, actor, account_id: int) -> dict:
    return {"proposals": sending.list_for_account(session, actor, account_id),
            "templates": templates.template_choices(session),
            "jobs": [(j.id, j.name) for j, _, _ in jobs.jobs_of_account(session, actor, account_id) if not j.archived],
            "timezone": firm.get_firm(session).timezone}


class AccountProposalsState(AppState):
    """The Proposals section of the account page."""

    proposal_acct_id: int = 0
    proposal_items: list[ProposalItem] = []
    proposal_templates: list[Option] = []
    proposal_jobs: list[Option] = []
    proposal_error: str = ""
    proposal_form_key: int = 0

    def _refresh(self) -> None:
        try:
            view = read(_account_view, self._require(), self.proposal_acct_id)
        except PracticeError as err:
            self.proposal_error, self.proposal_items = str(err), []
            return
        tz = view["timezone"]
        items = []
        for p in view["proposals"]:
            outcome = proposal_outcome(p, tz)
            items.append(ProposalItem(
                id=p.id, name=p.name, status=p.status, total=format_money(p.total_cents), job=p.job_name,
                sent=_("Sent by {who} {when}").format(who=p.requested_by or _("the firm"),
                                                     when=format_datetime(p.sent_at, tz)), outcome=outcome,
                href=routes.file_url(p.document_id) if p.document_id else "", waiting=p.status == "sent"))
        self.proposal_items = items
        self.proposal_templates = [Option(value=str(i), label=name) for i, name in view["templates"]]
        self.proposal_jobs = [Option(value=str(i), label=name) for i, name in view["jobs"]]

    @allow(STAFF)
    def load(self):
        self.proposal_error = ""
        account_id = parse_id(getattr(self, "account_id", ""))
        self.proposal_acct_id = account_id or 0
        if account_id is not None:
            self._refresh()

    @allow(STAFF)
    async def send(self, form: dict):
        """Send a proposal: its texts are filled in by a limited child first, off the event loop and before the write
        (other people's saves never wait for the child's seconds)."""
        template = parse_id(form.get("template_id", ""))
        if template is None:
            self.proposal_error = _("Choose the proposal template to send.")
            return
        job, account = parse_id(form.get("job_id", "")), self.proposal_acct_id
        self.proposal_error = ""
        with shown_in(self, "proposal_error"):
            filled = await asyncio.to_thread(read, sending.fill_in, self._require(), account, template, job_id=job)
            if await write_off_loop_and_refresh(self, sending.send_proposal, account, template, job_id=job,
                                                filled=filled, shown="proposal_error"):
                self.proposal_form_key += 1
                return rx.toast.success(_("Proposal sent. The client's portal contacts were emailed a link."))
        return None

    @allow(STAFF)
    def cancel(self, proposal_id: int):
        proposal = parse_id(proposal_id)
        if proposal is None:
            return
        write_and_refresh(self, sending.cancel, proposal, shown="proposal_error")
