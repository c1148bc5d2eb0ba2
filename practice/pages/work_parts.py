"""Small building blocks shared by the account, job and task pages."""
import reflex as rx

from practice.components.corrections import delete_dialog, edit_dialog
from practice.components.custom_fields import custom_values_section
from practice.components.forms import native_select, static_select
from practice.components.i18n import as_written, t
from practice.i18n import LANGUAGES
from practice.state.custom_fields import ContactValuesState
from practice.state.work_views import NONE, STATUS_LABELS

STATUS_COLORS = {"planned": "gray", "in_progress": "blue", "waiting_for_client": "amber", "completed": "green",
                 "cancelled": "red"}


def field(label, control: rx.Component) -> rx.Component:
    """A labelled form control (the label wraps the control, so clicking it focuses the control)."""
    return rx.el.label(rx.text(label, size="2", weight="medium"), control,
                       style={"display": "flex", "flexDirection": "column", "gap": "4px", "flex": "1",
                              "minWidth": "140px", "width": "100%"})


def section(title, *children: rx.Component, id: str = "") -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, width="100%", spacing="2"),
                   width="100%", id=id)


def history_list(items) -> rx.Component:
    """Audit entries, newest first: what happened, who did it, when."""
    return rx.cond(
        items.length() > 0,
        rx.vstack(rx.foreach(items, lambda h: rx.vstack(
            # Audit records are stored once, in English (docs/architecture.md, "Languages").
            rx.text(h.summary, size="2", custom_attrs=as_written()),
            rx.text(rx.el.span(h.who, custom_attrs=as_written()), " · ", rx.el.span(h.at, title=h.exact), size="1",
                    color_scheme="gray"),
            spacing="0", width="100%", padding_y="0.25em", border_bottom=f"1px solid {rx.color('gray', 4)}")),
            width="100%", spacing="0", class_name="history"),
        rx.text(t("Nothing recorded yet."), color_scheme="gray", size="2"),
    )


def status_badge(status, label) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"))


def status_select(value, on_change, id_=None) -> rx.Component:
    """A compact select of task statuses; `on_change` receives the new status value."""
    return rx.select.root(
        rx.select.trigger(aria_label=t("Task status"), id=id_, variant="soft", min_width="9em"),
        rx.select.content(*[rx.select.item(t(label), value=key) for key, label in STATUS_LABELS.items()]),
        value=value, on_change=on_change, size="1",
    )


def task_actions(state, task) -> rx.Component:
    """A task row's Edit and Delete buttons (the state has `edit_task` and `ask_delete_task`)."""
    tid = task.id.to_string()
    return rx.hstack(
        rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", aria_label=t("Edit {name}", name=task.title),
                       on_click=state.edit_task(task.id), id="edit-task-" + tid),
        rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                       aria_label=t("Delete {name}", name=task.title), on_click=state.ask_delete_task(task.id), id="delete-task-" + tid),
        spacing="1",
    )


def task_edit_dialogs(state) -> rx.Component:
    """The task editor (title, assignee, due date, description) and the task delete confirmation of `state`."""
    f = state.task_edit
    editor = edit_dialog(
        t("Edit task"),
        field(t("Title"), rx.input(name="title", default_value=f.title, id="edit-task-title", required=True,
                                auto_focus=True, width="100%")),
        rx.hstack(
            field(t("Assignee"), native_select(state.member_options, name="assignee", id="edit-task-assignee",
                                            default_value=f.assignee, first=(NONE, t("Nobody")))),
            field(t("Due date"), rx.input(name="due_date", type="date", default_value=f.due_date, id="edit-task-due",
                                       width="100%")),
            width="100%", wrap="wrap"),
        field(t("Description"), rx.text_area(name="description", default_value=f.description,
                                          id="edit-task-description", rows="3", width="100%")),
        open=f.id > 0, on_open_change=state.set_task_edit_open, on_submit=state.save_task,
        error=state.task_edit_error, key="task-" + f.id.to_string(), submit_id="save-task-edit", submit=t("Save task"),
        dialog_id="edit-task-dialog",
    )
    remover = delete_dialog(t("Delete this task?"), state.task_delete_text, blocked=False,
                            open=state.task_delete_id > 0, on_open_change=state.set_task_delete_open,
                            on_confirm=state.confirm_delete_task, confirm_id="confirm-delete-task",
                            confirm=t("Delete task"))
    return rx.fragment(editor, remover)


def contact_dialogs(state) -> rx.Component:
    """The contact editor (every field) and the contact delete confirmation of `state`."""
    c = state.contact_edit

    def box(label, name: str, id_: str, **props) -> rx.Component:
        return field(label, rx.input(name=name, default_value=getattr(c, name), id=id_, width="100%", **props))

    editor = edit_dialog(
        t("Edit contact"),
        rx.hstack(box(t("First name"), "first_name", "edit-contact-first", auto_focus=True),
                  box(t("Last name"), "last_name", "edit-contact-last"), width="100%", wrap="wrap"),
        rx.hstack(box(t("Email"), "email", "edit-contact-email", type="email"),
                  box(t("Phone"), "phone", "edit-contact-phone", type="tel"), width="100%", wrap="wrap"),
        field(t("Other emails, one per line"), rx.text_area(name="other_emails", default_value=c.other_emails,
                                                        id="edit-contact-other-emails", rows="2", width="100%")),
        field(t("Other phones, one per line"), rx.text_area(name="other_phones", default_value=c.other_phones,
                                                        id="edit-contact-other-phones", rows="2", width="100%")),
        box(t("Street"), "street", "edit-contact-street"),
        rx.hstack(box(t("City"), "city", "edit-contact-city"), box(t("State / region"), "region", "edit-contact-region"),
                  width="100%", wrap="wrap"),
        rx.hstack(box(t("Postal code"), "postal_code", "edit-contact-postal"),
                  box(t("Country"), "country", "edit-contact-country"), width="100%", wrap="wrap"),
        field(t("Language of the portal, emails and documents"),
              static_select([("", t("The firm's default")), *LANGUAGES.items()], name="language",
                            id="edit-contact-language", default_value=c.language)),
        open=state.contact_edit_open, on_open_change=state.set_contact_edit_open, on_submit=state.save_contact,
        error=state.contact_edit_error, key="contact-" + c.id.to_string() + "-" + state.contact_form_key.to_string(),
        submit_id="save-contact-edit", submit=t("Save contact"), dialog_id="edit-contact-dialog",
        after=rx.box(custom_values_section(ContactValuesState, hint=False), margin_top="1em"),
    )
    remover = delete_dialog(t("Delete this contact?"), state.contact_delete_text, blocked=state.contact_delete_blocked,
                            open=state.contact_delete_id > 0, on_open_change=state.set_contact_delete_open,
                            on_confirm=state.confirm_delete_contact, confirm_id="confirm-delete-contact",
                            confirm=t("Delete contact"))
    return rx.fragment(editor, remover)
