"""Small building blocks shared by the account, job and task pages."""
import reflex as rx

from practice.state.work_views import STATUS_LABELS

STATUS_COLORS = {"planned": "gray", "in_progress": "blue", "waiting_for_client": "amber", "completed": "green",
                 "cancelled": "red"}


def field(label: str, control: rx.Component) -> rx.Component:
    """A labelled form control (the label wraps the control, so clicking it focuses the control)."""
    return rx.el.label(rx.text(label, size="2", weight="medium"), control,
                       style={"display": "flex", "flexDirection": "column", "gap": "4px", "flex": "1",
                              "minWidth": "140px", "width": "100%"})


def section(title: str, *children: rx.Component, id: str = "") -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, width="100%", spacing="2"),
                   width="100%", id=id)


def history_list(items) -> rx.Component:
    """Audit entries, newest first: what happened, who did it, when."""
    return rx.cond(
        items.length() > 0,
        rx.vstack(rx.foreach(items, lambda h: rx.vstack(
            rx.text(h.summary, size="2"),
            rx.text(h.who, " · ", h.at, size="1", color_scheme="gray"),
            spacing="0", width="100%", padding_y="0.25em", border_bottom=f"1px solid {rx.color('gray', 4)}")),
            width="100%", spacing="0", class_name="history"),
        rx.text("Nothing recorded yet.", color_scheme="gray", size="2"),
    )


def status_badge(status, label) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"))


def status_select(value, on_change, id_=None) -> rx.Component:
    """A compact select of task statuses; `on_change` receives the new status value."""
    return rx.select.root(
        rx.select.trigger(aria_label="Task status", id=id_, variant="soft", min_width="9em"),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in STATUS_LABELS.items()]),
        value=value, on_change=on_change, size="1",
    )
