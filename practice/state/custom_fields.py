"""The firm's own fields: Settings → Custom fields (owners and admins define them), and their values on the account,
job and contact pages (staff fill them on what they may see)."""
from __future__ import annotations

import dataclasses

import reflex as rx

from practice.i18n import _, ngettext
from practice.services.automation import field_types
from practice.services.errors import PracticeError
from practice.services.work import custom_fields
from practice.services.work.custom_values import TYPES
from practice.state.base import (ADMIN, STAFF, AppState, allow, read, remount_if_changed, run, shown_in, write_and_refresh)
from practice.state.work_views import parse_id

ENTITY_WORDS = {"account": "Accounts", "contact": "Contacts", "job": "Jobs"}
# How each type is typed in a browser: (input type, on-screen keyboard).
_INPUTS = {"date": ("date", "text"), "phone": ("tel", "tel"), "number": ("text", "decimal"),
           "money": ("text", "decimal"), "email": ("text", "email"), "url": ("text", "url")}


@dataclasses.dataclass
class FieldItem:
    """One field as Settings → Custom fields lists it."""

    id: int = 0
    entity: str = ""
    key: str = ""
    label: str = ""
    type: str = ""
    type_label: str = ""
    options: str = ""
    first: bool = False
    last: bool = False


@dataclasses.dataclass
class ValueItem:
    """One field with its value on a record's page."""

    field_id: int = 0
    name: str = ""
    label: str = ""
    type: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    value: str = ""
    shown: str = ""
    input_type: str = "text"
    input_mode: str = "text"


def field_items(fields) -> list[FieldItem]:
    out = []
    for entity in ENTITY_WORDS:
        mine = [f for f in fields if f.entity == entity]
        out += [FieldItem(f.id, f.entity, f.key, f.label, f.type, _(TYPES[f.type]), "\n".join(f.options),
                          i == 0, i == len(mine) - 1) for i, f in enumerate(mine)]
    return out


def value_items(values) -> list[ValueItem]:
    return [ValueItem(v.field_id, f"field-{v.field_id}", v.label, v.type, list(v.options), v.value, v.shown,
                      *_INPUTS.get(v.type, ("text", "text"))) for v in values]


class CustomFieldsState(AppState):
    fields: list[FieldItem] = []
    error: str = ""
    add_error: str = ""
    new_type: str = "text"
    add_key: int = 0
    edit_id: int = 0
    edit_label: str = ""
    edit_options: str = ""
    edit_choice: bool = False
    edit_open: bool = False
    edit_error: str = ""
    delete_id: int = 0
    delete_label: str = ""
    delete_error: str = ""

    def _refresh(self) -> None:
        self.fields = field_items(read(custom_fields.list_fields, self._require()))

    @allow(ADMIN)
    def load(self):
        self.error = self.add_error = self.edit_error = self.delete_error = ""
        self.edit_open, self.delete_id = False, 0
        with shown_in(self, "error"):
            self._refresh()

    @allow(ADMIN)
    def set_new_type(self, value: str):
        self.new_type = str(value or "text")[:20]

    @allow(ADMIN)
    def create_field(self, form: dict):
        values = {k: str(form.get(k) or "")[:5000] for k in ("entity", "label", "type", "key", "options")}
        if write_and_refresh(self, custom_fields.define_field, shown="add_error", **values):
            self.add_key += 1
            self.new_type = "text"
            return rx.toast.success(_("“{label}” was added.").format(label=" ".join(values["label"].split())))

    @allow(ADMIN)
    def start_edit(self, field_id: int):
        item = next((f for f in self.fields if f.id == parse_id(field_id)), None)
        if item is not None:
            self.edit_id, self.edit_label, self.edit_options = item.id, item.label, item.options
            self.edit_choice, self.edit_open, self.edit_error = item.type == "choice", True, ""

    @allow(ADMIN)
    def set_edit_open(self, value: bool):
        self.edit_open, self.edit_error = bool(value), ""

    @allow(ADMIN)
    def save_edit(self, form: dict):
        options = str(form.get("options") or "")[:20000] if self.edit_choice else None
        if write_and_refresh(self, custom_fields.update_field, self.edit_id, shown="edit_error",
                             label=str(form.get("label") or "")[:500], options=options):
            self.edit_open = False
            return rx.toast.success(_("Field saved."))

    @allow(ADMIN)
    def move(self, field_id: int, step: int):
        write_and_refresh(self, custom_fields.move_field, parse_id(field_id) or 0, -1 if int(step) < 0 else 1)

    @allow(ADMIN)
    def ask_delete(self, field_id: int):
        item = next((f for f in self.fields if f.id == parse_id(field_id)), None)
        if item is not None:
            self.delete_id, self.delete_label, self.delete_error = item.id, item.label, ""

    @allow(ADMIN)
    def set_delete_open(self, value: bool):
        if not value:
            self.delete_id, self.delete_error = 0, ""

    @allow(ADMIN)
    def confirm_delete(self):
        self.delete_error = ""
        with shown_in(self, "delete_error"):
            message = run(custom_fields.delete_field, self._require(), self.delete_id)
            self.delete_id = 0
            self._refresh()
            return rx.toast.success(message)


class FieldTypeState(AppState):
    """Settings → Custom fields → "Change type": the new type, a preview of the values it does not take (kept as
    text) or the rule it would break, then the change."""

    field_id: int = 0
    label: str = ""
    new_type: str = "text"
    options: str = ""
    checked: bool = False  # a preview of exactly this type and these choices is shown
    misfits: list[str] = []
    summary: str = ""
    refusal: str = ""
    error: str = ""

    @allow(ADMIN)
    def start(self, field_id: int, label: str, kind: str, options: str):
        self.field_id, self.label = parse_id(field_id) or 0, str(label)[:200]
        self.new_type, self.options = str(kind)[:20], str(options)[:20000]
        self.checked, self.misfits, self.summary, self.refusal, self.error = False, [], "", "", ""

    @allow(ADMIN)
    def set_open(self, value: bool):
        if not value:
            self.field_id = 0

    @allow(ADMIN)
    def set_type(self, value: str):
        self.new_type, self.checked = str(value)[:20], False

    @allow(ADMIN)
    def check(self, form: dict):
        self.options = str((form or {}).get("options") or "")[:20000]
        self.error = ""
        with shown_in(self, "error"):
            self._show(read(field_types.preview_type_change, self._require(), self.field_id, self.new_type,
                            self.options))

    def _show(self, change) -> None:
        self.misfits = [f"{record}: {value}" for record, value in change.misfits]
        self.summary = ngettext("{n} value does not fit the new type: it is kept as it is, shown as text.",
                                "{n} values do not fit the new type: they are kept as they are, shown as text.",
                                change.misfit_count).format(n=change.misfit_count) if change.misfit_count else \
            _("Every value fits the new type.")
        self.refusal, self.checked = change.refusal, True

    @allow(ADMIN)
    def apply(self):
        with shown_in(self, "error"):
            run(field_types.change_type, self._require(), self.field_id, self.new_type, self.options)
            self.field_id = 0
            return [CustomFieldsState.load, rx.toast.success(_("The type of “{label}” was changed.")
                                                              .format(label=self.label))]


class CustomValues(rx.State, mixin=True):
    """The custom fields' values of one record, editable (a mixin: the page's record, and a contact's in its editor)."""

    entity: str = ""
    item: int = 0
    rows: list[ValueItem] = []
    error: str = ""
    form_key: int = 0
    _form_key_shows: str = ""

    def _refresh(self) -> None:
        self.rows = value_items(read(custom_fields.values_for, self._require(), self.entity, self.item))

    def _load(self, entity: str, raw_id) -> None:
        self.entity, self.item, self.error, self.rows = entity, parse_id(raw_id) or 0, "", []
        if self.item:
            try:
                self._refresh()
            except PracticeError:
                self.rows = []  # the page itself says why the record can't be shown
        remount_if_changed(self, "form_key", (self.entity, self.item, self.rows))

    @allow(STAFF)
    def save(self, form: dict):
        by_name = {r.name: r.field_id for r in self.rows}
        values = {by_name[k]: str(v if v is not None else "")[:5000] for k, v in form.items() if k in by_name}
        self.error = ""
        with shown_in(self, "error"):
            changed = run(custom_fields.set_values, self._require(), self.entity, self.item, values)
            self._refresh()
            self.form_key += 1
            return rx.toast.success(_("Saved.") if changed else _("Nothing changed."))


class CustomValuesState(CustomValues, AppState):
    """The values of the account or job the page shows (its route says which)."""

    @allow(STAFF)
    def load_job(self):
        self._load("job", getattr(self, "job_id", ""))

    @allow(STAFF)
    def load_account(self):
        self._load("account", getattr(self, "account_id", ""))


class ContactValuesState(CustomValues, AppState):
    """The values of the contact open in the contact editor (Contacts list, account page)."""

    @allow(STAFF)
    def load_contact(self, contact_id: int):
        self._load("contact", contact_id)
