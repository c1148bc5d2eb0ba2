"""Automations: the rules editor (checked as you type), example rules, a dry run on a job, and saved versions."""
import reflex as rx

from practice import routes
from practice.components.forms import label
from practice.components.i18n import as_written, t, tn
from practice.components.layout import AUTOMATION_TABS, empty_state, error_callout, page, section_tabs
from practice.i18n import N_
from practice.state import page_access
from practice.state.base import AppState
from practice.state.rules_editor import (SYNC_GUTTER, DiffRow, RuleErrorItem, RulesEditorState, VersionItem,
                                         example_titles)
from practice.state.run_views import ActionItem, DecisionItem, PartItem

R = RulesEditorState
ADMINS_ONLY = page_access.sentence(routes.RULES)
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
# The gutter and the text area share these so each number sits beside its line.
LINE_STYLE = {"font_family": MONO, "font_size": "13px", "line_height": "20px", "padding_top": "8px",
              "padding_bottom": "8px", "margin": "0", "box_sizing": "border-box"}
EDITOR_HEIGHT = "420px"
# The background of each side of a comparison row, by the row's kind.
# The dry run's events, as the menu says them (the keys are preview.TRY_EVENTS').
TRY_LABELS = {"job_entered_stage": N_("The job enters its current stage"),
              "job_left_stage": N_("The job leaves its current stage"), "job_created": N_("The job is created"),
              "tag_added": N_("The job gets a tag"), "tag_removed": N_("The job loses a tag")}
OLD_SIDE = {"removed": ("red", 3), "changed": ("red", 3)}
NEW_SIDE = {"added": ("green", 3), "changed": ("green", 4)}


def admins_only(content: rx.Component) -> rx.Component:
    return rx.cond(R.allowed, content,
                   rx.cond(AppState.member_role != "",
                           rx.cond(AppState.is_admin, rx.spinner(),
                                   empty_state(t(ADMINS_ONLY), rx.link(t("Back to home"), href=routes.HOME))),
                           rx.spinner()))


# --- the editor -------------------------------------------------------------------------------------


def code_editor() -> rx.Component:
    """A text area with a line-number gutter that scrolls with it; Tab still moves focus (keyboard users)."""
    gutter = rx.el.pre(
        R.line_numbers, id="rules-gutter", aria_hidden="true",
        style={**LINE_STYLE, "text_align": "right", "padding_left": "8px", "padding_right": "8px",
               "min_width": "3.2em", "height": EDITOR_HEIGHT, "overflow": "hidden", "user_select": "none",
               "color": rx.color("gray", 9), "background": rx.color("gray", 2),
               "border_right": f"1px solid {rx.color('gray', 5)}"},
    )
    area = rx.debounce_input(
        rx.el.textarea(
            id="rules-text", value=R.draft, on_change=R.set_draft, on_scroll=rx.call_script(SYNC_GUTTER),
            spell_check=False, wrap="off", auto_complete="off", auto_capitalize="off",
            aria_label=t("Rules text"), aria_describedby="rules-status",
            style={**LINE_STYLE, "padding_left": "8px", "padding_right": "8px", "flex": "1", "min_width": "0",
                   "height": EDITOR_HEIGHT, "border": "none", "outline": "none", "resize": "none",
                   "white_space": "pre", "overflow": "auto", "tab_size": "2", "background": rx.color("gray", 1),
                   "color": rx.color("gray", 12)},
        ),
        debounce_timeout=400,
    )
    return rx.hstack(
        gutter, area, spacing="0", width="100%", align="start", overflow="hidden",
        border=f"1px solid {rx.color('gray', 7)}", border_radius="6px",
        _focus_within={"outline": f"2px solid {rx.color('accent', 8)}", "outline_offset": "1px"},
    )


def error_row(e: RuleErrorItem) -> rx.Component:
    return rx.el.li(rx.button(
        rx.vstack(
            rx.text(rx.code(e.where, class_name="error-where"), " ", e.message, size="2", class_name="error-message"),
            rx.cond(e.hint != "", rx.text(t("hint: {hint}", hint=e.hint), size="1", color_scheme="gray", class_name="error-hint")),
            spacing="0", align="start",
        ),
        on_click=R.jump_to(e.line, e.column), variant="ghost", color_scheme="red", height="auto",
        padding_y="0.35em", width="100%", style={"justifyContent": "flex-start", "textAlign": "left"},
        class_name="rules-error", title=t("Go to line {where}", where=e.where),
    ), style={"listStyle": "none"})


def status_line() -> rx.Component:
    return rx.box(
        rx.cond(
            R.error_count > 0,
            rx.vstack(
                rx.text(tn("{n} error: the rules cannot be saved until it is fixed. Click an error to go there.",
                           "{n} errors: the rules cannot be saved until they are fixed. Click an error to go there.",
                           R.error_count),
                        size="2", weight="medium", color_scheme="red"),
                rx.el.ul(rx.foreach(R.errors, error_row), id="rules-errors",
                         style={"margin": "0", "padding": "0", "width": "100%"}),
                spacing="1", width="100%",
            ),
            rx.hstack(rx.icon("circle-check", size=14, color=rx.color("green", 11)),
                      rx.text(t("No errors: these rules can be saved."), size="2", color_scheme="green"),
                      align="center", spacing="1", id="rules-ok"),
        ),
        id="rules-status", role="status", width="100%",
    )


def save_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(label(t("Note (optional)"), "rules-note"),
                      rx.input(id="rules-note", name="note", max_length=200, placeholder=t("What changed and why"),
                               width=["100%", "320px"]),
                      spacing="1"),
            rx.button(rx.icon("save", size=14), t("Save rules"), type="submit", id="save-rules",
                      disabled=R.error_count > 0),
            rx.cond(R.dirty, rx.button(t("Discard changes"), type="button", on_click=R.discard_changes, variant="soft",
                                       color_scheme="gray", id="discard-rules")),
            align="end", wrap="wrap", spacing="3",
        ),
        on_submit=R.save, reset_on_submit=False, key=R.note_key.to_string(),
    )


def save_outcome() -> rx.Component:
    return rx.fragment(
        error_callout(R.save_error),
        rx.cond(R.saved_sentence != "", rx.callout(R.saved_sentence, icon="circle-check", color_scheme="green",
                                                   id="rules-saved", width="100%")),
        rx.cond(R.warnings.length() > 0, rx.callout(
            rx.vstack(rx.foreach(R.warnings, lambda w: rx.text(w, size="2")), spacing="1"),
            icon="info", color_scheme="amber", id="rules-warnings", width="100%")),
    )


def editor_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(
            rx.heading(t("Rules"), size="4"),
            rx.cond(R.version > 0, rx.badge(t("version {n}", n=R.version), color_scheme="gray", id="rules-version"),
                    rx.badge(t("nothing saved yet"), color_scheme="gray", id="rules-version")),
            rx.cond(R.dirty, rx.badge(t("unsaved changes"), color_scheme="amber", id="rules-dirty")),
            align="center", spacing="2", wrap="wrap",
        ),
        rx.text(t("Write one rule after another. They are checked as you type; names in quotes must exist in the "
                  "app (stages, templates, tags, team members)."), size="2", color_scheme="gray"),
        code_editor(),
        error_callout(R.text_error),
        status_line(),
        save_form(),
        save_outcome(),
        spacing="3", width="100%",
    ), width="100%", id="rules-editor")


def help_card() -> rx.Component:
    examples = [rx.vstack(
        rx.hstack(rx.text(title, size="2", weight="medium", custom_attrs=as_written()), rx.spacer(),
                  rx.button(rx.icon("plus", size=12), t("Insert"), size="1", variant="soft",
                            on_click=R.insert_example(index), id=f"insert-example-{index}",
                            aria_label=t("Insert the example {title}", title=title)),
                  width="100%", align="center"),
        rx.el.pre(text, custom_attrs=as_written(), style={"font_family": MONO, "font_size": "12px", "margin": "0", "padding": "0.5em",
                               "white_space": "pre-wrap", "background": rx.color("gray", 2),
                               "border_radius": "6px", "width": "100%"}),
        spacing="1", width="100%") for index, title, text in example_titles()]
    return rx.card(rx.vstack(
        rx.heading(t("How rules read"), size="4"),
        rx.text(t("Each rule: rule \"name\", what starts it (when ... or every ...), an optional if, then the "
                  "actions one per line, and end. Upper or lower case does not matter; # starts a note."),
                size="2"),
        rx.text(t("Examples (insert one, then change the names to your firm's):"), size="2", color_scheme="gray"),
        *examples,
        spacing="3", width="100%",
    ), width="100%", id="rules-help")


# --- try on a job -----------------------------------------------------------------------------------


def part_row(p: PartItem) -> rx.Component:
    return rx.hstack(
        rx.badge(rx.cond(p.result, t("true"), t("false")), color_scheme=rx.cond(p.result, "green", "red"),
                 class_name="part-result"),
        rx.vstack(
            rx.text(p.clause, " ", rx.code(p.text, custom_attrs=as_written()), size="2"),
            rx.cond(p.reads != "", rx.text(t("read: {values}", values=p.reads), size="1", color_scheme="gray",
                                            class_name="part-values")),
            spacing="0", min_width="0",
        ),
        spacing="2", align="start", class_name="try-part", width="100%",
    )


def action_row(a: ActionItem) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("play", size=12, flex_shrink="0"), rx.code(a.text, size="1", custom_attrs=as_written()), align="center", spacing="1"),
        rx.cond(a.is_email,
                # The email as the recipient would read it, in their language.
                rx.el.pre(a.outcome, class_name="try-email", custom_attrs=as_written(),
                          style={"font_family": MONO, "font_size": "12px", "white_space": "pre-wrap", "margin": "0",
                                 "padding": "0.5em", "background": rx.color("gray", 2), "border_radius": "6px",
                                 "width": "100%"}),
                rx.cond(a.outcome != "", rx.text(a.outcome, size="1", color_scheme="gray"))),
        spacing="1", width="100%", class_name="try-action",
    )


def decision_card(d: DecisionItem) -> rx.Component:
    return rx.box(rx.vstack(
        rx.hstack(
            rx.badge(rx.cond(d.fired, t("would fire"), t("would not fire")),
                     color_scheme=rx.cond(d.fired, "green", "gray"), class_name="decision-verdict"),
            rx.text(d.rule, weight="bold", size="2", class_name="decision-rule", custom_attrs=as_written()),
            align="center", spacing="2", wrap="wrap",
        ),
        rx.cond(d.reason != "", rx.text(d.reason, size="2", class_name="decision-reason")),
        rx.cond(d.error != "", rx.text(d.error, size="2", color_scheme="red")),
        rx.foreach(d.parts, part_row),
        rx.cond(d.fired & (d.actions.length() > 0),
                rx.vstack(rx.text(t("It would:"), size="2", weight="medium"), rx.foreach(d.actions, action_row),
                          spacing="1", width="100%")),
        spacing="2", width="100%",
    ), padding="0.75em", border=f"1px solid {rx.color('gray', 5)}", border_radius="8px", width="100%",
        class_name="try-decision", data_rule=d.rule)


def try_card() -> rx.Component:
    event_choices = list(TRY_LABELS.items())
    return rx.card(rx.vstack(
        rx.heading(t("Try on a job"), size="4"),
        rx.text(t("Runs the rules in the editor (saved or not) against a real job, as if something happened to "
                  "it, and shows what they would do. Nothing is changed."), size="2", color_scheme="gray"),
        label(t("Job"), "try-job-search"),
        rx.input(id="try-job-search", placeholder=t("Search by job or account name"), value=R.job_query,
                 on_change=R.search_jobs.debounce(250), width=["100%", "360px"]),
        rx.flex(
            rx.foreach(R.job_matches, lambda o: rx.button(
                o.label, type="button", size="1", on_click=R.choose_job(o.value), class_name="try-job",
                variant=rx.cond(o.value == R.try_job_id, "solid", "soft"),
                custom_attrs={"aria-pressed": o.value == R.try_job_id, **as_written()}, data_job_id=o.value)),
            rx.cond(R.job_matches.length() == 0, rx.text(t("No job matches that search."), size="1", color_scheme="gray")),
            wrap="wrap", spacing="2", width="100%",
        ),
        rx.text(rx.cond(R.try_job_id != "", t("Job: {job} ({pipeline})", job=R.try_job_label, pipeline=R.try_pipeline),
                        t("No job chosen yet.")), size="2", id="try-job-chosen"),
        rx.hstack(
            rx.vstack(label(t("What happens"), "try-event"),
                      rx.el.select(*[rx.el.option(t(text), value=kind) for kind, text in event_choices],
                                   id="try-event", value=R.try_event, on_change=R.set_try_event),
                      spacing="1"),
            rx.cond((R.try_event == "job_entered_stage") | (R.try_event == "job_left_stage"), rx.vstack(
                label(t("Stage"), "try-stage"),
                rx.el.select(rx.el.option(t("Its current stage"), value=""),
                             rx.foreach(R.stage_choices, lambda s: rx.el.option(s, value=s)),
                             id="try-stage", value=R.try_stage, on_change=R.set_try_stage),
                spacing="1")),
            rx.cond((R.try_event == "tag_added") | (R.try_event == "tag_removed"), rx.vstack(
                label(t("Tag"), "try-tag"),
                rx.el.select(rx.el.option(t("Choose a tag"), value=""),
                             rx.foreach(R.tag_choices, lambda t: rx.el.option(t, value=t)),
                             id="try-tag", value=R.try_tag, on_change=R.set_try_tag),
                spacing="1")),
            rx.button(rx.icon("flask-conical", size=14), t("Try it"), on_click=R.try_on_job, id="try-run",
                      disabled=R.try_job_id == ""),
            align="end", wrap="wrap", spacing="3",
        ),
        error_callout(R.try_error),
        rx.cond(R.try_done, rx.vstack(
            rx.cond(R.try_errors.length() > 0,
                    rx.callout(t("The rules in the editor have errors; fix them first (they are listed under the "
                                 "editor)."), icon="triangle-alert", color_scheme="red", width="100%")),
            rx.cond(R.try_event_label != "", rx.text(t("When the job {event}:", event=R.try_event_label), size="2",
                                                     weight="medium")),
            rx.cond((R.decisions.length() == 0) & (R.try_errors.length() == 0),
                    rx.text(t("There are no rules to try yet."), size="2", color_scheme="gray")),
            rx.foreach(R.decisions, decision_card),
            rx.callout(t("Nothing was changed."), icon="shield-check", color_scheme="blue", id="try-nothing-changed",
                       width="100%"),
            spacing="2", width="100%", id="try-result",
        )),
        spacing="2", width="100%",
    ), width="100%", id="rules-try")


# --- versions ---------------------------------------------------------------------------------------


def _side(kind, number, text, colors: dict, mark: str, which: str, display="flex") -> rx.Component:
    """One side of a comparison row: its line number, a -/+ mark when it changed, and the line (wrapped)."""
    changed = rx.match(kind, *[(k, True) for k in colors], False)
    return rx.box(
        rx.el.span(number, style={"width": "2.5em", "text_align": "right", "flex_shrink": "0",
                                  "color": rx.color("gray", 9), "user_select": "none"}),
        rx.el.span(rx.cond(changed, mark, " "), style={"width": "1em", "flex_shrink": "0", "user_select": "none"}),
        rx.el.span(rx.cond(text == "", " ", text), style={"white_space": "pre-wrap", "overflow_wrap": "anywhere",
                                                          "min_width": "0", "flex": "1"}),
        display=display, gap="0.4em", padding_x="0.5em", min_width="0", class_name="diff-" + which,
        background=rx.match(kind, *[(k, rx.color(c, n)) for k, (c, n) in colors.items()], "transparent"),
    )


def _diff_row(r: DiffRow) -> rx.Component:
    return rx.cond(
        (r.kind == "gap") | (r.kind == "note"),
        rx.box(r.old, grid_column="1 / -1", text_align="center", font_style="italic", color=rx.color("gray", 10),
               background=rx.color("gray", 3), padding_x="0.5em", class_name="diff-" + r.kind),
        rx.fragment(
            _side(r.kind, r.old_no, r.old, OLD_SIDE, "−", "old"),
            # On a phone the sides stack: an unchanged line is shown once.
            rx.cond(r.kind == "same",
                    _side(r.kind, r.new_no, r.new, NEW_SIDE, "+", "new", display=rx.breakpoints(initial="none", md="flex")),
                    _side(r.kind, r.new_no, r.new, NEW_SIDE, "+", "new")),
        ),
    )


def diff_view(rows, old_heading, new_heading, id_: str) -> rx.Component:
    """Two texts side by side (old | new), changed lines highlighted, long lines wrapped; on a phone the
    columns stack, each changed line marked − (old) or + (new)."""
    heading = {"font_weight": "bold", "padding": "0.25em 0.5em", "border_bottom": f"1px solid {rx.color('gray', 5)}"}
    return rx.vstack(
        rx.text("− ", old_heading, " · + ", new_heading, size="1", color_scheme="gray",
                display=rx.breakpoints(initial="block", md="none")),
        rx.grid(
            rx.box(old_heading, style=heading, display=rx.breakpoints(initial="none", md="block")),
            rx.box(new_heading, style=heading, display=rx.breakpoints(initial="none", md="block")),
            rx.foreach(rows, _diff_row),
            grid_template_columns=rx.breakpoints(initial="minmax(0, 1fr)", md="minmax(0, 1fr) minmax(0, 1fr)"),
            width="100%", max_height="60vh", overflow_y="auto", id=id_,
            style={"font_family": MONO, "font_size": "12px", "line_height": "18px",
                   "border": f"1px solid {rx.color('gray', 5)}", "border_radius": "6px"},
        ),
        spacing="1", width="100%",
    )


def diff_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(R.diff_title, id="diff-title"),
            diff_view(R.diff, R.diff_old, R.diff_new, "rules-diff"),
            rx.hstack(rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray", id="close-diff")),
                      justify="end", margin_top="1em"),
            max_width="1100px", width="96vw",
        ),
        open=R.diff_open, on_open_change=R.set_diff_open,
    )


def version_row(v: VersionItem) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(t("version {n}", n=v.id), weight="bold", size="2", white_space="nowrap"),
            rx.cond(v.newest, rx.badge(t("in use"), color_scheme="green")),
            rx.text(v.author, " \u00b7 ", v.at, size="1", color_scheme="gray"),
            align="center", spacing="2", wrap="wrap",
        ),
        rx.cond(v.note != "", rx.text(v.note, size="2", class_name="version-note", custom_attrs=as_written())),
        rx.hstack(
            rx.button(t("Show changes"), size="1", variant=rx.cond(R.chosen_version == v.id, "solid", "soft"),
                      on_click=R.show_diff(v.id), id="version-diff-" + v.id.to_string()),
            rx.cond(~v.newest, rx.button(t("Restore"), size="1", variant="soft", color_scheme="amber",
                                         on_click=R.ask_restore(v.id), id="version-restore-" + v.id.to_string())),
            spacing="2", margin_top="0.25em"),
        padding_y="0.5em", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%",
        class_name="rules-version", data_version=v.id,
    )


def versions_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(t("Saved versions"), size="4"),
        rx.cond(
            R.versions.length() > 0,
            rx.vstack(
                rx.vstack(rx.foreach(R.versions, version_row), spacing="0", width="100%", id="rules-versions",
                          max_height="420px", overflow_y="auto"),
                rx.text(t("Times in {zone}. The newest 50 versions are listed.", zone=R.timezone), size="1",
                        color_scheme="gray"),
                spacing="2", width="100%",
            ),
            rx.text(t("No version saved yet. Each save keeps a version you can compare and restore."), size="2",
                    color_scheme="gray"),
        ),
        spacing="2", width="100%",
    ), width="100%", id="rules-versions-card")


def restore_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Restore version {n}?", n=R.restore_version)),
            rx.alert_dialog.description(
                t("Its text is saved as a new version and runs from now on. This is what changes in the saved "
                  "rules (lines marked \u2212 go, lines marked + come back). The editor's unsaved changes are "
                  "replaced."), size="2"),
            rx.box(diff_view(R.restore_diff, R.restore_old, t("Version {n}", n=R.restore_version), "restore-diff"),
                   margin_top="0.75em"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Keep the current rules"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("Restore this version"), color_scheme="amber",
                                                 on_click=R.confirm_restore, id="confirm-restore")),
                justify="end", spacing="3", margin_top="1em", wrap="wrap"),
            max_width="1100px", width="96vw",
        ),
        open=R.restore_open, on_open_change=R.set_restore_open,
    )


def rules_page() -> rx.Component:
    return page(
        t("Automations"),
        section_tabs(AUTOMATION_TABS, routes.RULES, "automations", t("Automations")),
        admins_only(rx.vstack(
            error_callout(R.page_error),
            rx.grid(
                rx.vstack(editor_card(), try_card(), spacing="4", width="100%", min_width="0"),
                rx.vstack(help_card(), versions_card(), spacing="4", width="100%", min_width="0"),
                grid_template_columns=["1fr", "1fr", "1fr", "3fr 2fr"], spacing="4", width="100%",
            ),
            restore_dialog(),
            diff_dialog(),
            spacing="3", width="100%",
        )),
    )


def register(app: rx.App) -> None:
    app.add_page(rules_page, route=routes.RULES, title=t("Automations · practice"),
                 on_load=[AppState.require_login, RulesEditorState.load])
