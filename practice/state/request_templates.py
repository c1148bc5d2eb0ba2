"""The request templates page (owner and admins): the list, and one template's form (name, title, message, items
with a kind, a name and a note) to add, change or delete; rules send them by name."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _
from practice.services.client_requests import sending
from practice.services.errors import PracticeError
from practice.state.base import ADMIN, AppState, allow, read, write_and_refresh
from practice.state.client_requests import DraftItem


@dataclasses.dataclass
class TemplateRow:
    id: int = 0
    name: str = ""
    title: str = ""
    count: int = 0


class RequestTemplatesState(AppState):
    rt_rows: list[TemplateRow] = []
    rt_error: str = ""
    rt_editing: int = -1  # -1: no form; 0: a new template; else the template's id
    rt_form_key: int = 0
    rt_name: str = ""
    rt_title: str = ""
    rt_message: str = ""
    rt_draft: list[DraftItem] = []

    def _refresh(self) -> None:
        try:
            rows = read(sending.list_templates, self._require())
        except PracticeError as err:
            self.rt_error, self.rt_rows = str(err), []
            return
        self.rt_rows = [TemplateRow(r.id, r.name, r.title, len(r.items)) for r in rows]

    @allow(ADMIN)
    def load(self):
        self.rt_error, self.rt_editing = "", -1
        self._refresh()

    @allow(ADMIN)
    def edit(self, template_id: int):
        template_id = int(template_id)
        found = next((r for r in read(sending.list_templates, self._require()) if r.id == template_id), None)
        self.rt_editing, self.rt_error = (template_id if found else 0), ""
        self.rt_name, self.rt_title, self.rt_message = (found.name, found.title, found.message) if found \
            else ("", "", "")
        self.rt_draft = [DraftItem(i["kind"], i["label"], i.get("note", "")) for i in found.items] if found \
            else [DraftItem()]
        self.rt_form_key += 1

    @allow(ADMIN)
    def cancel(self):
        self.rt_editing, self.rt_error = -1, ""

    @allow(ADMIN)
    def add_item(self):
        if len(self.rt_draft) < sending.MAX_ITEMS:
            self.rt_draft = [*self.rt_draft, DraftItem()]

    @allow(ADMIN)
    def remove_item(self, index: int):
        index = int(index)
        self.rt_draft = [d for n, d in enumerate(self.rt_draft) if n != index]

    @allow(ADMIN)
    def set_item(self, index: int, part: str, value: str):
        index, part = int(index), str(part)
        if part not in ("kind", "label", "note") or not 0 <= index < len(self.rt_draft):
            return
        draft = list(self.rt_draft)
        draft[index] = dataclasses.replace(draft[index], **{part: str(value or "")[:1000]})
        self.rt_draft = draft

    @allow(ADMIN)
    def save(self, form: dict):
        items = [dataclasses.asdict(d) for d in self.rt_draft]
        if write_and_refresh(self, sending.save_template, template_id=self.rt_editing or None,
                             name=str(form.get("name", "") or "")[:300], title=str(form.get("title", "") or "")[:300],
                             message=str(form.get("message", "") or "")[:6000], items=items, shown="rt_error"):
            self.rt_editing = -1
            return rx.toast.success(_("Template saved."))

    @allow(ADMIN)
    def delete(self, template_id: int):
        if write_and_refresh(self, sending.delete_template, int(template_id), shown="rt_error"):
            self.rt_editing = -1
            return rx.toast.success(_("Template deleted. Requests sent from it keep their items."))
