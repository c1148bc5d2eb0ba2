"""Custom fields as columns and a filter of a list (the accounts list, the board): a state mixin. The page's state
says which list it is (`VIEW`) and reloads its rows in `_reload_view`; the columns chosen are kept per member by
the service, the filter stays for the tab (like the tag filter)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from practice.services.work import field_views
from practice.state.base import STAFF, AppState, allow, read, run, shown_in


@dataclasses.dataclass
class FieldChoice:
    """One field of the list's entity, as the Columns and Filter menus offer it."""

    id: str = ""
    label: str = ""
    kind: str = ""  # how it filters: is, contains, number, date
    type: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    shown: bool = False


@dataclasses.dataclass
class PlaceholderItem:
    code: str = ""
    label: str = ""


def field_setup(session, actor, view: str) -> tuple[list[FieldChoice], list[str]]:
    """The entity's fields (marked when shown as a column) and the labels of the columns, in their order."""
    columns = field_views.get_columns(session, actor, view)
    chosen = {f.id for f in columns}
    fields = field_views.view_fields(session, actor, view)
    choices = [FieldChoice(id=str(f.id), label=field_views.view_label(f, view), kind=field_views.FILTER_KINDS.get(f.type, "contains"),
                           type=f.type, options=list(f.options), shown=f.id in chosen) for f in fields]
    return choices, [field_views.view_label(f, view) for f in columns]


def view_setup(session, actor, view: str, spec: dict) -> tuple:
    """The list's filter (None without one) and the fields it shows as columns, read in the list's session."""
    flt = field_views.make_filter(session, actor, view, **spec) if spec else None
    return flt, field_views.get_columns(session, actor, view)


class FieldView(rx.State, mixin=True):
    VIEW: ClassVar[str] = "accounts"

    field_choices: list[FieldChoice] = []
    column_labels: list[str] = []
    # The filter being written in its menu, and the one applied (its form's values, and what it reads as).
    filter_field: str = ""
    filter_spec: dict[str, str] = {}
    filter_summary: str = ""
    filter_error: str = ""
    filter_open: bool = False

    def _reload_view(self) -> None:
        """Reload the page's rows (each list says how)."""
        raise NotImplementedError

    def _load_fields(self) -> None:
        self.field_choices, self.column_labels = read(field_setup, self._require(), self.VIEW)

    def _filter_lost(self) -> None:
        """The applied filter no longer holds (its field went): the list shows everything again."""
        self.filter_spec, self.filter_summary = {}, ""

    @rx.var
    def filter_choice(self) -> FieldChoice:
        return next((c for c in self.field_choices if c.id == self.filter_field), FieldChoice())

    @allow(STAFF)
    def show_column(self, field_id: str, shown: bool):
        with shown_in(self, "filter_error"):
            self.filter_error = ""
            run(field_views.set_column, self._require(), self.VIEW, field_id, shown is True)
            self._load_fields()
            self._reload_view()

    @allow(STAFF)
    def set_filter_open(self, value: bool):
        self.filter_open = value is True
        self.filter_error = ""
        if self.filter_open and not self.filter_field and self.field_choices:
            self.filter_field = self.field_choices[0].id

    @allow(STAFF)
    def choose_filter_field(self, value: str):
        self.filter_field = next((c.id for c in self.field_choices if c.id == str(value)), "")
        self.filter_error = ""

    @allow(STAFF)
    def apply_filter(self, form: dict):
        form = form if isinstance(form, dict) else {}
        spec = {"field_id": self.filter_field, **{k: str(form.get(k) or "")[:200] for k in ("value", "low", "high")}}
        self.filter_error = ""
        with shown_in(self, "filter_error"):
            flt = read(field_views.make_filter, self._require(), self.VIEW, **spec)
            self.filter_spec, self.filter_summary = (spec, flt.summary) if flt else ({}, "")
            self.filter_open = False
            self._reload_view()

    @allow(STAFF)
    def clear_filter(self):
        self._filter_lost()
        self.filter_open = False
        self._reload_view()


class FieldPlaceholdersState(AppState):
    """The firm's custom fields as placeholder chips in the template editors (email, document and proposal
    templates): loaded with the page, next to the editor's fixed chips."""

    items: list[PlaceholderItem] = []

    @allow(STAFF)
    def load(self):
        self.items = [PlaceholderItem(code=c, label=label) for c, label in
                      read(field_views.placeholders, self._require())]
