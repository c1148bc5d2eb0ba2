"""Team: everyone sees who is on the team; the owner adds members and changes roles and access rights."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import N_, _
from practice.models import Role
from practice.services.access import team
from practice.services.billing import time
from practice.services.formatting import money_input
from practice.state.base import OWNER, STAFF, AppState, allow, read, run, run_off_loop, shown_in
from practice.state.work_views import is_checked


# The toast after a role change, one whole sentence per role.
ROLE_NOW = {"owner": N_("{name} is now owner."), "admin": N_("{name} is now admin."),
            "employee": N_("{name} is now employee.")}


@dataclasses.dataclass
class MemberItem:
    id: int = 0
    name: str = ""
    email: str = ""
    role: str = ""
    view_all: bool = False
    manage_billing: bool = False
    see_billing: bool = False
    track_time: bool = False
    edit_others_time: bool = False
    hourly_rate: str = ""
    is_me: bool = False


def _role(value) -> str:
    # Unknown text goes to the service as is: it answers with the sentence that lists the roles.
    return str(value or "").strip().lower()[:20]


def _rights(form: dict) -> dict:
    """The access rights ticked in the add or change-role form."""
    return {"can_view_all_accounts": is_checked(form.get("view_all")),
            "can_manage_billing": is_checked(form.get("manage_billing")),
            "can_see_billing": is_checked(form.get("see_billing")),
            "can_track_time": is_checked(form.get("track_time")),
            "can_edit_others_time": is_checked(form.get("edit_others_time"))}


class TeamState(AppState):
    members: list[MemberItem] = []
    owners: int = 0
    error: str = ""
    add_open: bool = False
    add_error: str = ""
    # The change-role dialog: whose role, and what it is now.
    edit_open: bool = False
    edit_id: int = 0
    edit_name: str = ""
    edit_role: str = ""
    edit_view_all: bool = False
    edit_manage_billing: bool = False
    edit_see_billing: bool = False
    edit_track_time: bool = False
    edit_edit_others_time: bool = False
    edit_hourly_rate: str = ""
    edit_error: str = ""

    def _refresh(self):
        actor = self._require()
        with shown_in(self, "error"):
            self.members = [MemberItem(id=m.id, name=m.name, email=m.email, role=Role(m.role).value,
                                       view_all=m.can_view_all_accounts, manage_billing=m.can_manage_billing,
                                       see_billing=m.can_see_billing, track_time=m.can_track_time,
                                       edit_others_time=m.can_edit_others_time,
                                       hourly_rate=money_input(m.hourly_rate_cents) if m.hourly_rate_cents else "",
                                       is_me=m.id == actor.member_id)
                            for m in read(team.list_members, actor)]
            self.owners = sum(1 for m in self.members if m.role == Role.owner.value)

    @allow(STAFF)
    def load(self):
        self.error = ""
        self.add_open = self.edit_open = False
        self._refresh()

    @allow(OWNER)
    def set_add_open(self, value: bool):
        self.add_open = bool(value)
        self.add_error = ""

    @allow(OWNER)
    async def add_member(self, form: dict):
        with shown_in(self, "add_error"):
            member = await run_off_loop(team.add_member, self._require(), name=str(form.get("name", ""))[:200],
                                        email=str(form.get("email", ""))[:320],
                                        password=str(form.get("password", ""))[:1000],
                                        role=_role(form.get("role", "employee")),
                                        **_rights(form))
            self.add_open = False
            self._refresh()
            return rx.toast.success(_("Added {name} to the team.").format(name=member.name))

    @allow(OWNER)
    def start_edit(self, member_id: int):
        try:
            member_id = int(member_id)
        except (TypeError, ValueError):
            return
        member = next((m for m in self.members if m.id == member_id), None)
        if member is None:
            self.error = _("That team member no longer exists. Reload the page.")
            return
        self.edit_id, self.edit_name, self.edit_role = member.id, member.name, member.role
        self.edit_view_all, self.edit_manage_billing, self.edit_see_billing = (
            member.view_all, member.manage_billing, member.see_billing)
        self.edit_track_time, self.edit_edit_others_time, self.edit_hourly_rate = (
            member.track_time, member.edit_others_time, member.hourly_rate)
        self.edit_error = ""
        self.edit_open = True

    @allow(OWNER)
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)
        self.edit_error = ""

    @allow(OWNER)
    def save_role(self, form: dict):
        with shown_in(self, "edit_error"):
            member = run(time.set_role_and_rate, self._require(), self.edit_id, _role(form.get("role")),
                         hourly_rate=str(form.get("hourly_rate", ""))[:40], **_rights(form))
            return self._role_saved(member)

    def _role_saved(self, member):
        self.edit_open = False
        self._refresh()
        if member.id == self._require().member_id:
            # The owner changed their own role: the menu and buttons follow at once.
            self.member_role = Role(member.role).value
        return rx.toast.success(_(ROLE_NOW[Role(member.role).value]).format(name=member.name))
