"""The CSV import page: upload, preview with per-line errors, column mapping, import with progress."""
from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from practice.services.work import csv_file, csv_import, csv_plan
from practice.services.work.csv_file import count_of
from practice.services.errors import PracticeError
from practice.state.base import STAFF, AppState, allow, read, run

IGNORE = "ignore"  # the select's value for "this column is not imported" (Radix items cannot be "")
MAX_ERRORS_SHOWN = 200
MAX_CELL = 80


@dataclasses.dataclass
class ColumnItem:
    index: int = 0
    name: str = ""
    field: str = IGNORE


@dataclasses.dataclass
class LineError:
    line: int = 0
    message: str = ""


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
        return self.good_rows if self.skip_bad_rows else self.row_count

    def _clear(self) -> None:
        self.file_name = self.summary = self.encoding_note = self.result = self.error = ""
        self.columns, self.preview_rows, self.unknown_columns, self.line_errors = [], [], [], []
        self.row_count = self.good_rows = self.more_errors = self.progress = 0
        self.skip_bad_rows = self.importing = False
        self._data, self._mapping, self._mapping_chosen = b"", {}, False

    async def _review(self) -> None:
        """Check the kept file against the current mapping and refresh everything the page shows."""
        actor = self._require()
        # A big file takes a moment to check: off the event loop, so other people's clicks are not held up.
        try:
            review = await asyncio.to_thread(read, csv_plan.review, actor, self._data,
                                             self._mapping if self._mapping_chosen else None)
        except PracticeError as err:
            self.error = str(err)
            return
        self._show_review(review)

    def _show_review(self, review) -> None:
        pv = review.preview
        self._mapping = dict(pv.mapping)
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
        self.line_errors = [LineError(line=e.line, message=e.message) for e in review.errors[:MAX_ERRORS_SHOWN]]
        self.more_errors = max(0, len(review.errors) - MAX_ERRORS_SHOWN)
        self.error = ""

    @allow(STAFF)
    def load(self):
        self._clear()

    @allow(STAFF)
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Keep the uploaded file on the server and show its preview."""
        self._clear()
        if not files:
            self.error = "Choose a CSV file to import."
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
        self.error = (f"That file cannot be imported: choose one .csv file of at most "
                      f"{csv_file.MAX_BYTES // 1024 // 1024} MB.")

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
        if key != IGNORE and key not in csv_file.FIELDS:
            return
        mapping = {k: i for k, i in self._mapping.items() if i != index and k != key}
        if key != IGNORE:
            mapping[key] = index
        self._mapping, self._mapping_chosen = mapping, True
        await self._review()

    @allow(STAFF)
    def set_skip_bad_rows(self, value: bool):
        if not self.importing:
            self.skip_bad_rows = bool(value)

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
        self.importing, self.progress, self.error = True, 0, ""
        yield
        progress = ImportProgress(self.rows_to_import)
        task = asyncio.ensure_future(asyncio.to_thread(
            run, csv_import.import_rows, actor, self._data, dict(self._mapping), skip_bad_rows=self.skip_bad_rows,
            progress=progress.report, file_name=self.file_name))
        while not task.done():
            await asyncio.wait({task}, timeout=0.2)
            self.progress = progress.percent()
            yield
        self.importing = False
        self._show_result(task)

    def _show_result(self, task: asyncio.Future) -> None:
        """What the finished import did, or why it did nothing."""
        try:
            self.result = import_summary(task.result())
        except PracticeError as err:
            self.error, self.progress = str(err), 0
            return
        self.progress = 100


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
    parts = [f"Imported {count_of(result.created_accounts, 'new account')} and "
             f"{count_of(result.created_contacts, 'contact')}."]
    if result.updated_accounts:
        parts.append(f"Added contacts or tags to {count_of(result.updated_accounts, 'existing account')}.")
    if result.unchanged_contacts:
        parts.append(f"{count_of(result.unchanged_contacts, 'contact')} already there "
                     f"{'was' if result.unchanged_contacts == 1 else 'were'} not added again.")
    if result.created_tags:
        parts.append("Created tags: " + ", ".join(result.created_tags) + ".")
    if result.skipped:
        lines = sorted({e.line for e in result.skipped})
        shown = ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
        parts.append(f"Skipped {count_of(len(lines), 'row')} with errors "
                     f"({'line' if len(lines) == 1 else 'lines'} {shown}).")
    return " ".join(parts)
