"""The board: one pipeline's stages as columns of job cards; moves by drag and drop or menu.

What a drop sends is what it changed. Each column slot lists only its cards' ids (`ids_0`,
`ids_1`, ...), the counts are one small list, and the cards' data sit in CARD_BOXES dicts keyed by
job id (`cardbox_<id % CARD_BOXES>`), written only when a card's data changed or a card is new to
the screen. A drop rewrites two id lists and the counts (well under 2 KiB with 500 cards shown);
a card keeps its data object, so the page's memoised card (components/board_card.py) does not
render again unless its own data changed.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar
import datetime as dt

import reflex as rx

from practice import routes
from practice.i18n import _, ngettext
from practice.services.access import team
from practice.services.work import board, jobs, pipelines, tags
from practice.services.work.board import PAGE, Card, Column
from practice.services.errors import InvalidInput, PracticeError
from practice.services.formatting import format_date
from practice.state.account_picker import AccountPicker
from practice.state.base import STAFF, AppState, allow, read, run, shown_in
from practice.state.field_views import FieldView
from practice.state.views import Option, TagChip, chips
from practice.state.work_views import parse_id

# Column slots the page renders; a pipeline with more stages shows its first MAX_COLUMNS and says so.
MAX_COLUMNS = 24
# Dicts the cards' data are spread over (by job id): a new card resends one of them, ~1/64 of the screen.
CARD_BOXES = 64
ALL = "all"  # the filter dropdowns' "no filter" value (a Radix select item cannot have "" as its value)


@dataclasses.dataclass
class CardView:
    id: int = 0
    name: str = ""
    href: str = ""
    account: str = ""
    account_href: str = ""
    assignees: str = ""
    due: str = ""
    overdue: bool = False
    tags: list[TagChip] = dataclasses.field(default_factory=list)
    fields: list[str] = dataclasses.field(default_factory=list)  # "Label: value" of the custom-field columns
    # How many client-facing items the job waits on its client for, and the sentence listing them (the badge's
    # tooltip and its aria-label).
    waiting: int = 0
    waiting_label: str = ""


@dataclasses.dataclass
class ColumnHead:
    """A column's stage (its count is in `counts`: a move changes counts, never the heads)."""

    id: int = 0
    name: str = ""


def card_view(card: Card, today: dt.date) -> CardView:
    due = _("Due {date}").format(date=format_date(card.due_date, today=today)) if card.due_date else ""
    return CardView(id=card.id, name=card.name, href=routes.job_url(card.id), account=card.account,
                    account_href=routes.account_url(card.account_id), assignees=", ".join(card.assignees), due=due,
                    overdue=bool(card.due_date and card.due_date < today), tags=chips(card.tags),
                    fields=[f"{label}: {value}" for label, value in card.fields], waiting=card.waiting_total,
                    waiting_label=_("Waiting on the client: {items}").format(items=card.waiting_words())
                    if card.waiting else "")


def _int_or_none(value) -> int | None:
    """A filter or form value as an id; "all", "" and junk mean none."""
    return parse_id(value) if str(value) not in ("", ALL) else None


def _slot_var(slot: int) -> str:
    return f"ids_{slot}"


def _box_var(job_id: int) -> str:
    return f"cardbox_{job_id % CARD_BOXES}"


class BoardState(FieldView, AccountPicker, AppState):
    # The account picker: refusals shown in new_job_error; an empty search lists the first accounts.
    PICKER_ERROR_FIELD: ClassVar[str] = "new_job_error"
    PICKER_LISTS_ON_EMPTY: ClassVar[bool] = True
    VIEW = "board"

    pipeline_options: list[Option] = []
    pipeline_id: str = ""
    heads: list[ColumnHead] = []
    counts: list[int] = []
    hidden_stages: int = 0
    assignee_filter: str = ALL
    tag_filter: str = ALL
    member_options: list[Option] = []
    tag_options: list[Option] = []
    selected: list[int] = []
    error: str = ""
    # The "New job" dialog.
    new_job_open: bool = False
    new_job_error: str = ""
    new_account_id: str = ""
    new_account_name: str = ""

    # --- reading -------------------------------------------------------------------------------

    def _filters(self) -> dict:
        return {"assignee_id": _int_or_none(self.assignee_filter), "tag_id": _int_or_none(self.tag_filter)}

    def _reload_view(self) -> None:
        self._load_board()

    def _ids(self, slot: int) -> list[int]:
        return getattr(self, _slot_var(slot))

    def _cards_in(self, slot: int) -> list[CardView]:
        """The cards a column shows, in order (for tests and handlers; the page reads ids and boxes)."""
        return [getattr(self, _box_var(i))[str(i)] for i in self._ids(slot)]

    def _slot_of(self, stage_id: int) -> int | None:
        return next((i for i, h in enumerate(self.heads) if h.id == stage_id), None)

    def _stage_of_card(self, job_id: int) -> int | None:
        """The stage this screen shows the job in (None: not on screen)."""
        for slot, head in enumerate(self.heads):
            if job_id in self._ids(slot):
                return head.id
        return None

    def _keep(self, view: CardView) -> None:
        """The card's data in its box, written (and sent) only when it is new or changed."""
        box, key = getattr(self, _box_var(view.id)), str(view.id)
        if box.get(key) != view:
            box[key] = view

    def _show(self, slot: int, column: Column, today: dt.date) -> None:
        """One column as the database has it; only what differs from the screen is written (and sent)."""
        head = ColumnHead(id=column.id, name=column.name)
        if self.heads[slot] != head:
            self.heads[slot] = head
        if self.counts[slot] != column.count:
            self.counts[slot] = column.count
        for card in column.cards:
            self._keep(card_view(card, today))
        ids = [c.id for c in column.cards]
        if self._ids(slot) != ids:
            setattr(self, _slot_var(slot), ids)

    def _load_board(self) -> None:
        """Every column from scratch (page load, pipeline or filter change)."""
        actor = self._require()
        self.selected = []
        try:
            columns = read(board.load_board, actor, parse_id(self.pipeline_id) or 0, **self._filters(),
                           **self._view_kwargs())
        except PracticeError as err:
            self.error, columns = str(err), []
        self.hidden_stages = max(0, len(columns) - MAX_COLUMNS)
        columns = columns[:MAX_COLUMNS]
        self._refill_boxes(columns)
        self.heads = [ColumnHead(id=c.id, name=c.name) for c in columns]
        self.counts = [c.count for c in columns]
        for slot in range(MAX_COLUMNS):
            ids = [c.id for c in columns[slot].cards] if slot < len(columns) else []
            if self._ids(slot) != ids:
                setattr(self, _slot_var(slot), ids)

    def _refill_boxes(self, columns: list[Column]) -> None:
        """Card boxes holding exactly these columns' cards (cards no longer on screen go)."""
        today = dt.date.today()
        boxes: list[dict[str, CardView]] = [{} for _ in range(CARD_BOXES)]
        for column in columns:
            for card in column.cards:
                boxes[card.id % CARD_BOXES][str(card.id)] = card_view(card, today)
        for k, box in enumerate(boxes):
            setattr(self, f"cardbox_{k}", box)

    def _reload_columns(self, limits: dict[int | None, int]) -> None:
        """Only the given columns (after a move), each showing as many cards as `limits` says (stage id -> n)."""
        slots = {sid: self._slot_of(sid) for sid in limits if sid is not None}
        slots = {sid: slot for sid, slot in slots.items() if slot is not None}
        if not slots:
            return
        try:
            columns = read(board.load_columns, self._require(), int(self.pipeline_id), list(slots),
                           limits={sid: limits[sid] for sid in slots}, **self._filters(), **self._view_kwargs())
        except PracticeError:  # the pipeline itself went away: start over
            self._load_board()
            return
        today = dt.date.today()
        for column in columns:
            self._show(slots[column.id], column, today)
        if self.selected:  # a card that left the screen cannot stay selected
            on_screen = {i for slot in range(len(self.heads)) for i in self._ids(slot)}
            self.selected = [i for i in self.selected if i in on_screen]

    def _as_shown(self, *stage_ids, grow: int | None = None) -> dict[int | None, int]:
        """Limits that keep each column showing as many cards as now (at least a page); `grow` one more."""
        limits = {}
        for sid in stage_ids:
            slot = self._slot_of(sid) if sid is not None else None
            shown = len(self._ids(slot)) if slot is not None else 0
            limits[sid] = max(PAGE, shown + (1 if sid == grow else 0))
        return limits

    @allow(STAFF)
    def load(self):
        """on_load: the pipeline from the URL (?pipeline=id), else the first one; filters stay as chosen."""
        actor = self._require()
        self.error = ""
        self.new_job_open = False
        self.pipeline_options = [Option(value=str(p.id), label=p.name) for p in read(pipelines.list_pipelines)]
        self.member_options = [Option(value=str(m.id), label=m.name) for m in read(team.list_members, actor)]
        self.tag_options = [Option(value=str(t.id), label=t.name) for t in read(tags.list_tags)]
        self._load_fields()
        wanted = str(self.router.url.query_parameters.get("pipeline", ""))
        known = [o.value for o in self.pipeline_options]
        if not known:
            self.pipeline_id, self.heads, self.counts = "", [], []
            return
        if wanted and wanted not in known:
            self.error = _("That pipeline does not exist any more; showing the first one.")
        self.pipeline_id = wanted if wanted in known else known[0]
        self._load_board()

    @allow(STAFF)
    def choose_pipeline(self, pipeline_id: str):
        """The pipeline picker: go to that pipeline's board URL (its on_load loads it)."""
        try:
            return rx.redirect(routes.board_url(int(pipeline_id)))
        except (TypeError, ValueError):
            return None

    @allow(STAFF)
    def set_assignee_filter(self, value: str):
        self.assignee_filter = str(_int_or_none(value) or ALL)
        self._load_board()

    @allow(STAFF)
    def set_tag_filter(self, value: str):
        self.tag_filter = str(_int_or_none(value) or ALL)
        self._load_board()

    @allow(STAFF)
    def show_more(self, stage_id: int):
        """The next cards of one column."""
        try:
            stage_id = int(stage_id)
        except (TypeError, ValueError):
            return None
        slot = self._slot_of(stage_id)
        if slot is None or not self.pipeline_id:
            return None
        ids = self._ids(slot)
        more = read(board.load_more, self._require(), int(self.pipeline_id), stage_id, len(ids), **self._filters(),
                    **self._view_kwargs())
        today = dt.date.today()
        # A card moved in meanwhile can shift the window by one: never show a card twice.
        added = [c for c in more if c.id not in set(ids)]
        for card in added:
            self._keep(card_view(card, today))
        setattr(self, _slot_var(slot), ids + [c.id for c in added])
        return None

    # --- moving --------------------------------------------------------------------------------

    @allow(STAFF)
    def move_card(self, job_id: str, stage_id: int):
        """One card to a stage (a drop on a column, or the card's "Move to" menu)."""
        job_id, stage_id = parse_id(job_id), parse_id(stage_id)
        if job_id is None or stage_id is None:
            return None  # a drop of something that is not a card (a file, some text)
        from_stage = self._stage_of_card(job_id)
        if from_stage == stage_id:
            return None
        try:
            run(jobs.move_job, self._require(), job_id, stage_id, from_stage_id=from_stage)
        except PracticeError:
            # Show the card where it really is now, then the refusal.
            self._reload_columns(self._as_shown(from_stage, stage_id, self._stage_now(job_id)))
            raise
        self._reload_columns(self._after_move(from_stage, stage_id))
        return None

    def _after_move(self, from_stage: int | None, stage_id: int) -> dict[int | None, int]:
        """The card's new column shows one card more (the one dropped), its old one a card fewer: no card
        comes in from below, so a drop sends two id lists and the counts, no card data."""
        limits = self._as_shown(stage_id, grow=stage_id)
        if from_stage is not None and (slot := self._slot_of(from_stage)) is not None:
            limits[from_stage] = max(0, len(self._ids(slot)) - 1)
        return limits

    def _stage_now(self, job_id: int) -> int | None:
        """The stage a job is in according to the database (None when it is gone or hidden)."""
        try:
            return read(jobs.get_job, self._require(), job_id).stage_id
        except PracticeError:
            return None

    @allow(STAFF)
    def toggle_selected(self, job_id: int, checked: bool):
        try:
            job_id = int(job_id)
        except (TypeError, ValueError):
            return
        if checked is True and job_id not in self.selected:
            self.selected.append(job_id)
        elif checked is not True and job_id in self.selected:
            self.selected.remove(job_id)

    @allow(STAFF)
    def clear_selection(self):
        self.selected = []

    @allow(STAFF)
    def move_selected(self, stage_id: int):
        """Every selected card to one stage, all or nothing."""
        try:
            stage_id = int(stage_id)
        except (TypeError, ValueError):
            return None
        ids = [int(i) for i in self.selected]
        if not ids:
            return None
        try:
            moved = run(jobs.move_jobs, self._require(), ids, stage_id)
        finally:
            self._reload_columns(self._as_shown(*({self._stage_of_card(i) for i in ids} | {stage_id})))
        self.selected = []
        name = next((h.name for h in self.heads if h.id == stage_id), "")
        return rx.toast.success(ngettext('Moved {n} job to "{stage}".', 'Moved {n} jobs to "{stage}".', moved).format(
            n=moved, stage=name))

    # --- the "New job" dialog ------------------------------------------------------------------

    @allow(STAFF)
    def set_new_job_open(self, value: bool):
        self.new_job_open = value is True
        self.new_job_error = ""
        if self.new_job_open:
            self.account_query = self.new_account_id = self.new_account_name = ""
            self._search_accounts()

    @allow(STAFF)
    def choose_account(self, account_id: str):
        match = self._picked(account_id, keep_search=True)
        if match:
            self.new_account_id, self.new_account_name = match.value, match.label

    @allow(STAFF)
    def create_job(self, form: dict):
        """Create a job in this pipeline from the dialog; its column reloads to show it."""
        form = form if isinstance(form, dict) else {}
        if not self.pipeline_id:
            self.new_job_error = _("Choose a pipeline first.")
            return None
        account_id = _int_or_none(self.new_account_id)
        if account_id is None:
            self.new_job_error = _("Choose the account the job is for.")
            return None
        with shown_in(self, "new_job_error"):
            job = run(jobs.create_job, self._require(), **_new_job_fields(form, account_id, int(self.pipeline_id),
                                                                          self.heads[0].id if self.heads else None))
            self.new_job_open = False
            self._reload_columns(self._as_shown(job.stage_id, grow=job.stage_id))
            return rx.toast.success(_('Created "{job}" for {account}.').format(job=job.name,
                                                                               account=self.new_account_name))
        return None


def _new_job_fields(form: dict, account_id: int, pipeline_id: int, first_stage_id: int | None) -> dict:
    """The new-job dialog's values as `jobs.create_job` takes them; a bad date raises its sentence."""
    due_text = str(form.get("due_date") or "").strip()
    try:
        due = dt.date.fromisoformat(due_text) if due_text else None
    except ValueError:
        raise InvalidInput(_('"{text}" is not a date; pick one from the calendar.').format(text=due_text[:40])) from None
    assignee = _int_or_none(form.get("assignee"))
    return {"account_id": account_id, "pipeline_id": pipeline_id, "name": str(form.get("name") or "")[:200],
            "stage_id": _int_or_none(form.get("stage")) or first_stage_id,
            "assignee_ids": [assignee] if assignee else [], "due_date": due}


# One id list per column slot (a move rewrites two of them) and the boxes of card data.
for _slot in range(MAX_COLUMNS):
    BoardState.add_var(_slot_var(_slot), list[int], [])
for _box in range(CARD_BOXES):
    BoardState.add_var(f"cardbox_{_box}", dict[str, CardView], {})
