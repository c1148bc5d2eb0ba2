"""The client portal's states: a contact's own login (the HttpOnly cookie `portal_sid`, never the staff cookie).

Pages load with `@allow(ANYONE)` and send strangers to the portal's login page themselves (no
"session ended" toast on a first visit); every action a contact takes is `@allow(CONTACT)`, checked
against the database on each call, so a revoked login stops at once. One-time link tokens from the
URL are kept only in `_token` and taken out of the address bar.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import reflex as rx

from practice import routes
from practice.i18n import _, ngettext
from practice.db import read_session
from practice.services.access import device_cookies, login_safety, session_handoff
from practice.services.chats import threads as chat_threads
from practice.services.organizers.sent import STATUS_WORDS
from practice.services.portal import approvals, client_tasks, logins, pages
from practice.services.actor import ContactActor
from practice.services.errors import PermissionDenied, PracticeError
from practice.services.formatting import format_date, format_money
from practice.state.base import (ANYONE, CONTACT, LangState, TabPoller, allow, client_address, event_actor,
                                 full_page_load, read, remember_device,
                                 request_cookie, run, run_off_loop, shown_in, start_browser_session)
from practice.state.organizer_views import OrganizerItem
from practice.state.views import Option
from practice.state.work_views import parse_id


@dataclasses.dataclass
class PortalTaskItem:
    id: int = 0
    title: str = ""
    description: str = ""
    job: str = ""
    due: str = ""
    overdue: bool = False
    done: bool = False
    done_by: str = ""


@dataclasses.dataclass
class PortalJobItem:
    id: int = 0
    name: str = ""
    due: str = ""
    overdue: bool = False
    open_tasks: int = 0


@dataclasses.dataclass
class PortalDocumentItem:
    id: int = 0
    name: str = ""
    href: str = ""
    shared: str = ""


@dataclasses.dataclass
class PortalApprovalItem:
    id: int = 0
    document: str = ""
    href: str = ""
    job: str = ""
    asked: str = ""


@dataclasses.dataclass
class PortalProposalItem:
    id: int = 0
    name: str = ""
    total: str = ""
    href: str = ""
    sent: str = ""
    to_pay: bool = False


@dataclasses.dataclass
class PortalSigningItem:
    id: int = 0
    title: str = ""
    href: str = ""
    status: str = ""
    my_turn: bool = False
    asked: str = ""


def signing_items(views, timezone: str | None = None) -> list[PortalSigningItem]:
    """Signature requests as the client reads them: what each is waiting for, in plain words."""
    items = []
    for v in views:
        if v.status == "sent":
            status = (_("Waiting for your signature") if v.my_turn
                      else _("Waiting for {names}").format(names=_(" and ").join(v.waiting_for)) if v.waiting_for
                      else _("Waiting"))
            status += " · " + ngettext("{signed} of {count} signed", "{signed} of {count} signed",
                                       v.signed_count).format(signed=v.signed_count, count=v.signer_count)
        else:
            status = {"completed": _("Signed by everyone · the signed copy is in Documents"),
                      "declined": _("Declined"), "cancelled": _("Cancelled by the firm")}.get(v.status, v.status)
        when = v.sent_at or v.created_at
        items.append(PortalSigningItem(id=v.id, title=v.title, href=routes.portal_sign_url(v.id), status=status,
                                       my_turn=v.my_turn and v.status == "sent",
                                       asked=_("Asked {date}").format(date=format_date(when, timezone)) if when else ""))
    return items


def task_items(views) -> list[PortalTaskItem]:
    today = dt.date.today()
    return [PortalTaskItem(id=t.id, title=t.title, description=t.description,
                           job=t.job_name or _("Asked in a message"),
                           due=format_date(t.due_date), overdue=bool(t.due_date and t.due_date < today and not t.done_at),
                           done=t.done_at is not None, done_by=t.done_by) for t in views]


def _document_items(looks, asks, requests, timezone: str) -> tuple[list[PortalDocumentItem], list[PortalApprovalItem]]:
    """The documents to look at (those waiting for an approval or a signature are listed as such, not again as
    "new"), and the approval requests."""
    waiting = {a.document_id for a in asks} | {r.document_id for r in requests if r.status == "sent"}
    new_documents = [PortalDocumentItem(id=d.id, name=d.name, href=routes.file_url(d.id),
                                        shared=_("Shared {date}").format(date=format_date(d.uploaded_at, timezone)))
                     for d in looks if d.id not in waiting]
    approval_items = [PortalApprovalItem(id=a.id, document=a.document_name, href=routes.file_url(a.document_id),
                                         job=a.job_name, asked=_("Asked {date}").format(date=format_date(a.requested_at, timezone)))
                      for a in asks]
    return new_documents, approval_items


def _visit(sid: str, page: pages.PageData | None = None):
    """(who is visiting, the page's data) read in one transaction; then, at most once a minute per session, the
    session's activity written (a page view writes nothing otherwise)."""
    who, data = read(pages.open_page, sid, page)
    if who is not None and who.touch_due:
        run(pages.note_activity, sid)
    return who, data


class PortalState(LangState):
    """Who is logged in to the portal, and which of their accounts they are looking at."""

    # The browser keeps the session's random id in an HttpOnly cookie (set by session_routes, never in this
    # state); the server keeps its hash.
    contact_name: str = ""
    firm_name: str = ""
    current_account: str = ""
    current_account_name: str = ""
    account_options: list[Option] = []
    error: str = ""
    # From the visit, for the page's own use (never sent to the browser).
    _timezone: str = ""
    _email: str = ""

    def _session_id(self) -> str:
        """The browser's portal session id, from its HttpOnly cookie."""
        return request_cookie(self, routes.PORTAL_SESSION_COOKIE)

    def _actor(self) -> ContactActor | None:
        """The logged-in contact, checked against the database on every call (revocation is immediate)."""
        with read_session() as session:
            return logins.actor_for_portal_session(session, self._session_id())

    def _login_url(self) -> str:
        return routes.PORTAL_LOGIN

    def _require(self) -> ContactActor:
        """The contact calling this handler (resolved once per event by `allow`)."""
        actor = event_actor(self) or self._actor()
        if actor is None:
            raise PermissionDenied(_("Your session has ended. Log in again."))
        return actor

    def _enter(self) -> ContactActor | None:
        """Start of a portal page that loads its data itself (a proposal, a signature request): fill the header, or
        None when nobody (or a revoked login) is here."""
        return self._show_visit(*_visit(self._session_id()))[0]

    async def _open(self, page: pages.PageData | None = None):
        """Start of every portal page: who is here, the header and the page's data, read in one transaction;
        (None, None) when nobody is logged in. The read runs on the event loop: on SQLite's WAL a read never waits
        for a writer, and handing it to a worker thread cost more than it saved (200 portal clients: 130 page
        views/s served through the thread pool, every one of 200/s inline; issue 12). The session's activity, a
        write that may wait for another writer, goes to a worker thread, at most once a minute per session."""
        sid = self._session_id()
        who, data = read(pages.open_page, sid, page)
        if who is not None and who.touch_due:
            await run_off_loop(pages.note_activity, sid)
        return self._show_visit(who, data)

    def _show_visit(self, who: pages.Visit | None, data):
        if who is None:
            self.error, self.contact_name, self.account_options, self.current_account = "", "", [], ""
            return None, None
        current = who.actor.current_account_id
        # The menu's unread badge: this tab joins the process's one poller (nothing to do when it already watches
        # this tab's login). Done here, not as a second on_load event, which cost every page view a whole event.
        PORTAL_BADGES.watch(self.router.session.client_token, self._session_id())
        # The header rarely changes between pages: only what did is sent again.
        self._show_language(who.actor.language)
        self._keep(error="", contact_name=who.actor.name, firm_name=who.firm_name,
                   account_options=[Option(value=str(i), label=name) for i, name in who.accounts],
                   current_account=str(current or ""),
                   current_account_name=next((name for i, name in who.accounts if i == current), ""))
        self._timezone, self._email = who.timezone, who.email
        return who.actor, data

    def _keep(self, **values) -> None:
        """Set the vars whose value differs (an assignment sends the var to the browser even when equal)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    @allow(ANYONE)
    async def require_contact(self):
        """on_load of pages that only need the header."""
        if (await self._open())[0] is None:
            return rx.redirect(routes.PORTAL_LOGIN)

    @allow(CONTACT)
    def switch_account(self, account_id: str):
        wanted = parse_id(account_id)
        if wanted is None:
            return
        run(logins.switch_account, self._session_id(), wanted)
        # Reload the page so everything on it shows the chosen account.
        return rx.redirect(self.router.url.path or routes.PORTAL)

    @allow(ANYONE)
    def log_out(self):
        """The backend ends the session and clears its cookie, then shows the portal's login page."""
        self.contact_name, self.account_options = "", []
        return full_page_load(routes.PORTAL_SESSION_END)


class PortalLoginState(PortalState):
    notice: str = ""

    @allow(ANYONE)
    def load(self):
        self._show_visitor_language()
        self.error = ""
        ready = str(self.router.url.query_parameters.get("ready", "")) == "1"
        self.notice = _("Your password is set. Log in with your email and that password.") if ready else ""
        if self._actor() is not None:
            return rx.redirect(routes.PORTAL)

    @allow(ANYONE)
    async def log_in(self, form: dict):
        try:
            email = str(form.get("email", ""))[:320]
            sid = await run_off_loop(logins.log_in, email, str(form.get("password", ""))[:500], client_ip=client_address(self),
                      device=request_cookie(self, device_cookies.COOKIE))
        except PracticeError as err:
            self.error, self.notice = str(err), ""
            return
        self.error, self.notice = "", ""
        return [remember_device(login_safety.principal_key("contact", email)),
                start_browser_session(session_handoff.PORTAL, sid, routes.PORTAL)]


class PortalLinkState(PortalState):
    """Shared by the activation and reset pages: a one-time link from an email, then a new password."""

    # The token from the link: server-side only, never sent to the browser.
    _token: str = ""
    link_email: str = ""
    link_problem: str = ""
    checked: bool = False

    def _kind(self) -> str:
        return "activation"

    def _route(self) -> str:
        return routes.PORTAL_ACTIVATE

    @allow(ANYONE)
    def load(self):
        self._show_visitor_language()
        self.error = ""
        fresh = str(self.router.url.query_parameters.get("token", "") or "")[:200]
        if fresh:
            self._token = fresh
        self.link_email, self.link_problem = "", ""
        try:
            self.link_email = read(logins.check_token, self._kind(), self._token)
            self._show_language(read(logins.language_of_login, self.link_email))
        except PracticeError as err:
            self.link_problem = str(err)
        self.checked = True
        if fresh:
            # Take the token out of the address bar (and the browser history).
            return rx.redirect(self._route(), replace=True)

    async def _set(self, fn, form: dict):
        password = str(form.get("new_password", ""))[:500]
        if password != str(form.get("confirm_password", ""))[:500]:
            self.error = _("The two passwords differ. Type the same password twice.")
            return None
        try:
            await run_off_loop(fn, self._token, password)  # hashing the password takes most of a second
        except PracticeError as err:
            self.error = str(err)
            return None
        self._token, self.error, self.link_email = "", "", ""
        return rx.redirect(routes.PORTAL_LOGIN + "?ready=1")


class PortalActivateState(PortalLinkState):
    @allow(ANYONE)
    async def set_password(self, form: dict):
        return await self._set(logins.activate, form)


class PortalResetState(PortalLinkState):
    def _kind(self) -> str:
        return "reset"

    def _route(self) -> str:
        return routes.PORTAL_RESET

    @allow(ANYONE)
    async def set_password(self, form: dict):
        return await self._set(logins.reset, form)


class PortalForgotState(PortalState):
    notice: str = ""

    @allow(ANYONE)
    def load(self):
        self._show_visitor_language()
        self.error = self.notice = ""

    @allow(ANYONE)
    def send_link(self, form: dict):
        self.notice = self.error = ""
        with shown_in(self, "error"):
            self.notice = run(logins.forgot_password, str(form.get("email", ""))[:320])


class PortalHomeState(PortalState):
    tasks: list[PortalTaskItem] = []
    jobs: list[PortalJobItem] = []
    approvals: list[PortalApprovalItem] = []
    proposals: list[PortalProposalItem] = []
    looks: list[PortalDocumentItem] = []
    to_sign: list[PortalSigningItem] = []
    signing: list[PortalSigningItem] = []
    organizers: list[OrganizerItem] = []
    loaded: bool = False
    _reasons: dict[str, str] = {}

    @allow(ANYONE)
    async def load(self):
        actor, view = await self._open(pages.home_page)
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self._show(view)

    def _refresh(self, actor) -> None:
        """Read the page again after the contact's own change (approve, reject)."""
        self.error = ""
        view = None
        if actor.current_account_id is not None:
            with shown_in(self, "error"):
                view = read(pages.home_page, actor)
        self._show(view)

    def _show(self, view: pages.HomePage | None) -> None:
        view = view or pages.HomePage([], [], [], [], [], [])
        timezone = self._timezone or None
        self.signing = signing_items(view.requests, timezone)
        self.organizers = [OrganizerItem(id=o.id, name=o.name, status=o.status, status_text=_(STATUS_WORDS[o.status]),
                                         href=routes.portal_organizer_url(o.id)) for o in view.fill]
        self.to_sign = [item for item in self.signing if item.my_turn]
        self.proposals = [PortalProposalItem(id=p.id, name=p.name, total=format_money(p.total_cents),
                                             href=routes.portal_proposal_url(p.id),
                                             sent=_("Sent {date}").format(date=format_date(p.sent_at, timezone)),
                                             to_pay=p.to_pay) for p in view.offers]
        self.looks, self.approvals = _document_items(view.looks, view.asks, view.requests, timezone)
        self.tasks = task_items(view.tasks)
        self.jobs = [PortalJobItem(id=j.id, name=j.name, due=format_date(j.due_date),
                                   overdue=bool(j.due_date and j.due_date < dt.date.today()), open_tasks=j.open_tasks)
                     for j in view.jobs]
        self.loaded = True

    def _decide(self, approval_id, **decision) -> bool:
        """Approve or reject one request, then refresh the page; a refusal is shown after the refresh."""
        req = parse_id(approval_id)
        if req is None:
            return False
        actor = self._require()
        with shown_in(self, "error"):
            try:
                run(approvals.decide, actor, req, **decision)
            finally:
                self._refresh(actor)
            return True
        return False

    @allow(CONTACT)
    def approve(self, approval_id: int):
        if self._decide(approval_id, approve=True):
            return rx.toast.success(_("Approved. Thank you!"))

    @allow(CONTACT)
    def keep_reason(self, approval_id: int, reason: str):
        """Remember the reason typed for one request (sent when its field loses focus)."""
        req = parse_id(approval_id)
        if req is not None and len(self._reasons) < 200:
            self._reasons = {**self._reasons, str(req): str(reason or "")[:2000]}

    @allow(CONTACT)
    def reject(self, approval_id: int):
        """Reject with the reason typed for this request (refused without one)."""
        reason = self._reasons.get(str(parse_id(approval_id)), "")
        if self._decide(approval_id, approve=False, reason=reason):
            return rx.toast.success(_("Rejected. We have been told why."))



def portal_unread(tabs: dict[str, str]) -> dict[str, int | None]:
    """For each tab (client token -> portal session id): the messages from the firm its contact has not read on the
    account it is looking at (what its Messages page lists), or None once that login has ended; in one read
    transaction, one statement per login and one for all the counts."""
    with read_session() as session:
        actors = {sid: logins.actor_for_portal_session(session, sid) for sid in set(tabs.values())}
        counts = chat_threads.unread_on_current_accounts(session, [a for a in actors.values() if a is not None])
    return {token: None if actors[sid] is None else counts[actors[sid].contact_id] for token, sid in tabs.items()}


class PortalBadgeState(PortalState):
    """The unread count beside "Messages" in the portal's menu, live like the staff's badges (its own small state,
    so that the poller's updates send one integer, not a page)."""

    messages_unread: int = 0


def _show_unread(state: PortalBadgeState, count: int) -> None:
    state.messages_unread = max(int(count), 0)


PORTAL_BADGES = TabPoller(PortalBadgeState, portal_unread, _show_unread)


class PortalTasksState(PortalState):
    tasks: list[PortalTaskItem] = []
    loaded: bool = False

    @allow(ANYONE)
    async def load(self):
        actor, tasks = await self._open(pages.tasks_page)
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.tasks, self.loaded = task_items(tasks or []), True

    def _refresh(self, actor) -> None:
        if actor.current_account_id is None:
            self.tasks, self.loaded = [], True
            return
        self.error, self.tasks = "", []
        with shown_in(self, "error"):
            self.tasks = task_items(read(pages.tasks_page, actor))
        self.loaded = True

    @allow(CONTACT)
    def toggle(self, task_id: int, done: bool):
        task = parse_id(task_id)
        if task is None:
            return
        actor = self._require()
        fn = client_tasks.complete_client_task if bool(done) else client_tasks.reopen_client_task
        with shown_in(self, "error"):
            try:
                run(fn, actor, task)
            finally:
                self._refresh(actor)
            if bool(done):
                return rx.toast.success(_("Done. Thank you!"))


class PortalProfileState(PortalState):
    email: str = ""
    notice: str = ""
    form_key: int = 0

    @allow(ANYONE)
    async def load(self):
        actor, _data = await self._open()
        if actor is None:
            return rx.redirect(routes.PORTAL_LOGIN)
        self.notice, self.email = "", self._email

    @allow(CONTACT)
    def choose_language(self, code: str):
        """The contact reads the portal (and gets its emails) in `code` from now on."""
        self._show_language(run(logins.set_contact_language, self._require(), str(code)[:8]))
        return rx.redirect(routes.PORTAL_PROFILE)

    @allow(CONTACT)
    async def change_password(self, form: dict):
        new = str(form.get("new_password", ""))[:500]
        if new != str(form.get("confirm_password", ""))[:500]:
            self.error, self.notice = _("The two new passwords differ. Type the same password twice."), ""
            return
        self.error = self.notice = ""
        with shown_in(self, "error"):
            await run_off_loop(logins.change_password, self._require(), self._session_id(),
                               current=str(form.get("current_password", ""))[:500], new=new)
            self.notice = _("Your password is changed. Your other devices are logged out.")
            self.form_key += 1
