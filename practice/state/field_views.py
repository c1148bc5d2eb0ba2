"""Custom fields as columns and a filter of a list (the accounts list, the board): a state mixin. The page's state
says which list it is (`VIEW`) and reloads its rows in `_reload_view`; the columns chosen are kept per member by
the service, the filter stays for the tab (like the tag filter)."""
from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from practice.services.errors import PracticeError
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


@dataclasses.dataclass
class ViewSetup:
    """What the Columns and Filter menus offer, and what the list's loads take until the page reads it again."""

    choices: list[FieldChoice]
    labels: list[str]  # of the columns, in their order
    columns: list[field_views.ShownField]
    filter: field_views.FieldFilter | None = None
    filter_lost: bool = False  # the applied filter no longer holds (its field went, or its value is no longer allowed)


def field_setup(session, actor, view: str, spec: dict | None = None) -> ViewSetup:
    """The entity's fields (marked when shown as a column), the columns in their order, and the applied filter
    (`spec`: its form's values) checked again against its field: three small statements (the filter's field is one of
    the fields just read, which the session gives back without asking the database again)."""
    columns = field_views.get_columns(session, actor, view)
    chosen = {f.id for f in columns}
    fields = field_views.view_fields(session, actor, view)
    choices = [FieldChoice(id=str(f.id), label=field_views.view_label(f, view), kind=field_views.FILTER_KINDS.get(f.type, "contains"),
                           type=f.type, options=list(f.options), shown=f.id in chosen) for f in fields]
    setup = ViewSetup(choices, [field_views.view_label(f, view) for f in columns], field_views.shown_fields(columns))
    if spec:
        try:
            setup.filter = field_views.make_filter(session, actor, view, **spec)
        except PracticeError:
            setup.filter_lost = True
    return setup


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
    # What the list's loads take, kept from the page's last reading of its fields (on each visit, and when the member
    # shows or hides a column or applies a filter here): a load reads neither the filter's field nor the columns again.
    # A change made elsewhere (a field renamed, retyped or deleted; the columns changed in another tab) shows at the
    # next visit or reload; meanwhile a deleted field's column shows no values and its filter matches nothing.
    _view_filter: field_views.FieldFilter | None = None
    _view_columns: list[field_views.ShownField] = []

    def _reload_view(self) -> None:
        """Reload the page's rows (each list says how)."""
        raise NotImplementedError

    def _load_fields(self) -> None:
        setup = read(field_setup, self._require(), self.VIEW, dict(self.filter_spec))
        self.field_choices, self.column_labels, self._view_columns = setup.choices, setup.labels, setup.columns
        self._view_filter = setup.filter
        if setup.filter_lost:
            self._filter_lost()

    def _view_kwargs(self) -> dict:
        """The filter and the columns as the list's service takes them (field_filter=, fields=)."""
        return {"field_filter": self._view_filter, "fields": list(self._view_columns)}

    def _filter_lost(self) -> None:
        """The applied filter no longer holds (its field went): the list shows everything again."""
        self.filter_spec, self.filter_summary, self._view_filter = {}, "", None

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
            self._view_filter = flt
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
