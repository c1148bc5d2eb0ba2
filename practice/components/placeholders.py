"""Placeholder chips for the template editors: clicking one inserts its text at the cursor of the template
field the person was editing (or at the end of the first field, when none was), all in the browser."""
from __future__ import annotations

import json

import reflex as rx

from practice.components.i18n import as_written, t
from practice.state.field_views import FieldPlaceholdersState

# Sets the field's value the way typing does (React's own setter, then an input event), so a controlled
# field's on_change sees it and an uncontrolled one submits it.
_INSERT = """(() => {
  const ids = %(ids)s, text = %(text)s;
  const remembered = ids.includes(window.__placeholderField) ? window.__placeholderField : null;
  const el = document.getElementById(remembered || ids[0]);
  if (!el || el.readOnly || el.disabled) return;
  const value = el.value || "";
  const start = remembered && el.selectionStart != null ? el.selectionStart : value.length;
  const end = remembered && el.selectionEnd != null ? el.selectionEnd : value.length;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set;
  setter.call(el, value.slice(0, start) + text + value.slice(end));
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.focus();
  el.setSelectionRange(start + text.length, start + text.length);
  window.__placeholderField = el.id;
})()"""


def remember_field(field_id: str):
    """The on_focus of a template field: chips insert into the field focused last."""
    return rx.call_script(f"window.__placeholderField = {json.dumps(field_id)}")


def insert_placeholder(text: str, field_ids: list[str]):
    """The event that inserts `text` into the field of `field_ids` focused last (else at the end of the first)."""
    return rx.call_script(_INSERT % {"ids": json.dumps(field_ids), "text": json.dumps(text)})


def placeholder_chips(items: list[tuple[str, str]], field_ids: list[str], id_prefix: str) -> rx.Component:
    """A grid of chips (the placeholder, what it means); each inserts its placeholder on click."""
    return rx.grid(
        *[rx.fragment(
            rx.button(code, type="button", size="1", variant="soft", on_click=insert_placeholder(code, field_ids),
                      id=f"{id_prefix}-chip-{i}", class_name="placeholder-chip", font_family="monospace",
                      white_space="normal", height="auto", min_height="1.6em", text_align="left",
                      title=t("Insert {code}", code=code)),
            rx.text(meaning, size="1", color_scheme="gray"))
          for i, (code, meaning) in enumerate(items)],
        columns="minmax(0, auto) minmax(0, 1fr)", spacing_x="3", spacing_y="1", align_items="center", width="100%",
    )


def field_placeholder_chips(field_ids: list[str], id_prefix: str) -> rx.Component:
    """The firm's custom fields as chips like `placeholder_chips`' (the page loads `FieldPlaceholdersState`);
    nothing when the firm has none."""
    def chip(item):
        script = (_INSERT % {"ids": json.dumps(field_ids), "text": "__TEXT__"}).split("__TEXT__")
        return rx.fragment(
            rx.button(item.code, type="button", size="1", variant="soft", class_name="placeholder-chip field-chip",
                      on_click=rx.call_script(rx.Var.create(script[0]) + item.code.to_string() + script[1]),
                      font_family="monospace", white_space="normal", height="auto", min_height="1.6em",
                      text_align="left", custom_attrs={"data-placeholder": item.code}),
            rx.text(item.label, size="1", color_scheme="gray", custom_attrs=as_written()))
    return rx.cond(FieldPlaceholdersState.items.length() > 0, rx.grid(
        rx.foreach(FieldPlaceholdersState.items, chip),
        columns="minmax(0, auto) minmax(0, 1fr)", spacing_x="3", spacing_y="1", align_items="center", width="100%",
        id=f"{id_prefix}-field-chips"))
