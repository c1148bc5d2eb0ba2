"""The CSV import page: upload, preview with per-line errors, column mapping, import with progress."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice.services.work import csv_file, csv_import, csv_plan
from practice.services.errors import PracticeError
from practice.state.base import STAFF, AppState, allow, read, run
from practice.i18n import _, ngettext

IGNORE = "ignore"  # the select's value for "this column is not imported" (Radix items cannot be "")
MAX_ERRORS_SHOWN = 200
MAX_CELL = 80
REFUSAL_ID, RESULT_ID = "import-refusal", "import-result"


@dataclasses.dataclass
class ColumnItem:
    index: int = 0
    name: str = ""
    field: str = IGNORE


@dataclasses.dataclass
class LineError:
    line: int = 0
    message: str = ""


@dataclasses.dataclass
class AnswerOption:
    value: str = ""
    label: str = ""


@dataclasses.dataclass
class FlagItem:
    """A question about one row (a shared name or email) and the answer chosen so far ("" for none)."""

    key: str = ""
    dom_id: str = ""
    line: int = 0
    question: str = ""
    options: list[AnswerOption] = dataclasses.field(default_factory=list)
    chosen: str = ""


@dataclasses.dataclass
class TranslationItem:
    column: str = ""
    value: str = ""
    becomes: str = ""
    lines: str = ""


class ImportState(AppState):
    file_name: str = ""
    columns: list[ColumnItem] = []
    preview_rows: list[list[str]] = []
    row_count: int = 0
    good_rows: int = 0
    unknown_columns: list[str] = []
    encoding_note: str = ""
    summary: str = ""
    line_errors: list[LineError] = []
    more_errors: int = 0
    flags: list[FlagItem] = []
    more_flags: int = 0
    answers: dict[str, str] = {}
    translations: list[TranslationItem] = []
    custom_choices: list[AnswerOption] = []  # the firm's custom fields a column can fill
    skipped_note: str = ""
    import_error: str = ""  # a refused import, shown under the button
    skip_bad_rows: bool = False
    importing: bool = False
    progress: int = 0
    result: str = ""
    error: str = ""
    # The uploaded file stays on the server: only the preview above reaches the browser.
    _data: bytes = b""
    _mapping: dict[str, int] = {}
    _mapping_chosen: bool = False  # False: use the mapping detected from the column names

    @rx.var
    def rows_to_import(self) -> int:
        return self.good_rows

    def _clear(self) -> None:
        self.file_name = self.summary = self.encoding_note = self.result = self.error = ""
        self.skipped_note = self.import_error = ""
        self.columns, self.preview_rows, self.unknown_columns, self.line_errors = [], [], [], []
        self.flags, self.translations, self.answers, self.custom_choices = [], [], {}, []
        self.row_count = self.good_rows = self.more_errors = self.more_flags = self.progress = 0
        self.skip_bad_rows = self.importing = False
        self._data, self._mapping, self._mapping_chosen = b"", {}, False

    async def _review(self) -> None:
        """Check the kept file against the current mapping and refresh everything the page shows."""
        actor = self._require()
        # A big file takes a moment to check: off the event loop, so other people's clicks are not held up.
        try:
            review = await asyncio.to_thread(read, csv_plan.review, actor, self._data,
                                             self._mapping if self._mapping_chosen else None, dict(self.answers))
        except PracticeError as err:
            self.error = str(err)
            return
        self._show_review(review)

    def _show_review(self, review) -> None:
        pv = review.preview
        self._mapping = dict(pv.mapping)
        self.custom_choices = [AnswerOption(key, f.title) for key, f in review.custom.items()]
        by_index = {index: key for key, index in pv.mapping.items()}
        self.columns = [ColumnItem(index=i, name=name or f"Column {i + 1}", field=by_index.get(i, IGNORE))
                        for i, name in enumerate(pv.columns)]
        width = len(pv.columns)
        # Each preview row starts with its line in the file, then one cell per column.
        self.preview_rows = [[str(line)] + [c[:MAX_CELL] for c in (row + [""] * width)[:width]]
                             for line, row in zip(pv.first_lines, pv.first_rows)]
        self.row_count, self.good_rows = pv.row_count, review.good_rows
        self.unknown_columns = [c for i, c in enumerate(pv.columns) if c and i not in by_index]
        self.encoding_note = pv.encoding_note
        self.summary = review.summary
        self._show_rows(review)
        self.error = self.import_error = ""

    def _show_rows(self, review) -> None:
        """The rows' errors, questions and values read differently than typed."""
        self.line_errors = [LineError(line=e.line, message=e.message) for e in review.errors[:MAX_ERRORS_SHOWN]]
        self.more_errors = max(0, len(review.errors) - MAX_ERRORS_SHOWN)
        self.flags = [flag_item(f, self.answers.get(f.key, "")) for f in review.flags[:MAX_ERRORS_SHOWN]]
        self.more_flags = max(0, len(review.flags) - MAX_ERRORS_SHOWN)
        self.translations = [TranslationItem(t.column, t.value, t.becomes, lines_text(t.lines))
                             for t in review.translations[:MAX_ERRORS_SHOWN]]
        self.skipped_note = review.skipped_note

    @allow(STAFF)
    def load(self):
        self._clear()

    @allow(STAFF)
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Keep the uploaded file on the server and show its preview."""
        self._clear()
        if not files:
            self.error = _('Choose a CSV file to import.')
            return
        upload = files[0]
        # Read one byte past the limit so the service can refuse an oversized file with its sentence.
        data = await upload.read(csv_file.MAX_BYTES + 1)
        self._data = data
        self.file_name = str(upload.name or "upload.csv")[:200]
        await self._review()
        if self.error:
            self._data, self.file_name = b"", ""

    @allow(STAFF)
    def file_rejected(self, rejected: list[dict] | None = None):
        self.error = (_('That file cannot be imported: choose one .csv file of at most {size} MB.').format(size=csv_file.MAX_BYTES // 1024 // 1024))

    @allow(STAFF)
    async def set_column_field(self, index: int, key: str):
        """Choose which field a column fills (or none); a field moves off any other column."""
        if not self._data or self.importing or self.result:
            return
        try:
            index = int(index)
        except (TypeError, ValueError):
            return
        key = str(key)
        if key != IGNORE and key not in csv_file.FIELDS and key not in {c.value for c in self.custom_choices}:
            return
        mapping = {k: i for k, i in self._mapping.items() if i != index and k != key}
        if key != IGNORE:
            mapping[key] = index
        self._mapping, self._mapping_chosen = mapping, True
        await self._review()

    @allow(STAFF)
    async def set_answer(self, key: str, value: str):
        """Answer one flagged row's question (the service ignores answers it did not ask for)."""
        if not self._data or self.importing or self.result:
            return
        self.answers = {**self.answers, str(key)[:40]: str(value)[:20]}
        await self._review()

    @allow(STAFF)
    async def answer_all(self, value: str):
        """Give this answer to every question that offers it (e.g. "skip" every repeated email)."""
        if not self._data or self.importing or self.result:
            return
        actor = self._require()
        plan = await asyncio.to_thread(read, csv_plan.review, actor, self._data,
                                       self._mapping if self._mapping_chosen else None, dict(self.answers))
        chosen = {f.key: str(value) for f in plan.flags if str(value) in {v for v, _ in f.options}}
        self.answers = {**self.answers, **chosen}
        await self._review()

    @allow(STAFF)
    def set_skip_bad_rows(self, value: bool):
        if not self.importing:
            self.skip_bad_rows, self.import_error = bool(value), ""

    @allow(STAFF)
    def start_over(self):
        if not self.importing:
            self._clear()

    @allow(STAFF)
    async def run_import(self):
        """Import in a worker thread, sending the progress to the page as it goes."""
        if self.importing or not self._data or self.result:
            return
        actor = self._require()
        self.importing, self.progress, self.error, self.import_error = True, 0, "", ""
        yield
        progress = ImportProgress(self.rows_to_import)
        task = asyncio.ensure_future(asyncio.to_thread(
            run, csv_import.import_rows, actor, self._data, dict(self._mapping), answers=dict(self.answers),
            skip_bad_rows=self.skip_bad_rows, progress=progress.report, file_name=self.file_name))
        while not task.done():
            await asyncio.wait({task}, timeout=0.2)
            self.progress = progress.percent()
            yield
        self.importing = False
        yield self._show_result(task)

    def _show_result(self, task: asyncio.Future):
        """What the finished import did, or why it did nothing (under the button, scrolled into view)."""
        try:
            self.result = import_summary(task.result())
        except PracticeError as err:
            self.import_error, self.progress = str(err), 0
            return rx.scroll_to(REFUSAL_ID)
        self.progress = 100
        return rx.scroll_to(RESULT_ID)


class ImportProgress:
    """How far a running import is: the service reports from its worker thread, the page reads the percentage."""

    def __init__(self, total: int):
        self.done, self.total = 0, max(1, total)

    def report(self, done: int, total: int) -> None:
        self.done, self.total = done, max(1, total)

    def percent(self) -> int:
        return min(100, self.done * 100 // self.total)


def import_summary(result) -> str:
    """What an import did, in sentences: what was created, what was already there, which lines were skipped."""
    accounts, contacts = result.created_accounts, result.created_contacts
    parts = [_("Imported {accounts} and {contacts}.").format(
        accounts=ngettext("{n} new account", "{n} new accounts", accounts).format(n=accounts),
        contacts=ngettext("{n} contact", "{n} contacts", contacts).format(n=contacts))]
    counted = (
        (result.updated_accounts, lambda n: ngettext("Added contacts or tags to {n} existing account.",
                                                     "Added contacts or tags to {n} existing accounts.", n)),
        (result.unchanged_contacts, lambda n: ngettext("{n} contact already there was not added again.",
                                                       "{n} contacts already there were not added again.", n)),
        (result.linked_contacts, lambda n: ngettext("Linked {n} existing contact.", "Linked {n} existing contacts.", n)),
        (result.custom_values, lambda n: ngettext("Filled {n} custom field value.", "Filled {n} custom field values.",
                                                  n)),
        (result.kept_values, lambda n: ngettext(
            "Kept {n} value that existing accounts already had (the file had another).",
            "Kept {n} values that existing accounts already had (the file had another).", n)),
        (result.updated_contacts, lambda n: ngettext("Filled empty fields of {n} existing contact.",
                                                     "Filled empty fields of {n} existing contacts.", n)),
        (result.kept_contact_values, lambda n: ngettext(
            "Kept {n} value that existing contacts already had (the file had another).",
            "Kept {n} values that existing contacts already had (the file had another).", n)))
    parts += [sentence(n).format(n=n) for n, sentence in counted if n]
    if result.created_tags:
        parts.append(_("Created tags: {tags}.").format(tags=", ".join(result.created_tags)))
    if result.skipped:
        lines = sorted({e.line for e in result.skipped})
        parts.append(ngettext("Skipped {n} row with errors (line {lines}).", "Skipped {n} rows with errors (lines "
                              "{lines}).", len(lines)).format(n=len(lines), lines=lines_text(lines)))
    if result.chosen_skips:
        n = len(result.chosen_skips)
        parts.append(ngettext("Skipped {n} row as you chose (line {lines}).", "Skipped {n} rows as you chose (lines "
                              "{lines}).", n).format(n=n, lines=lines_text(result.chosen_skips)))
    return " ".join(parts)


def flag_item(flag, chosen: str) -> FlagItem:
    """A service's question as the page shows it."""
    return FlagItem(key=flag.key, dom_id="flag-" + flag.key.replace(":", "-"), line=flag.line, question=flag.question,
                    options=[AnswerOption(value, label) for value, label in flag.options],
                    chosen=chosen if chosen in {v for v, _ in flag.options} else "")


def lines_text(lines: list[int]) -> str:
    """"2, 5, 9" (the first twenty, then "…")."""
    return ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
