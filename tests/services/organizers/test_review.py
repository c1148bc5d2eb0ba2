"""A submitted organizer, the firm's side: its answers' PDF filed in the account's documents on submission (once per
submission), staff mark it reviewed, export its answers as CSV, file the PDF again; the client asks to reopen it and
the firm reopens it."""
from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import AuditLog, Document, Event, Notification, Organizer
from practice.services.automation import engine
from practice.services.documents import storage
from practice.services.errors import Conflict, NotFound, PermissionDenied
from practice.services.organizers import review, sent
from practice.services.organizers import filling
from tests.services.organizers.test_sending import FIRM, a_firm, answer, fill_and_submit, send

pytestmark = pytest.mark.firm(build=a_firm)


def test_staff_mark_a_submitted_organizer_reviewed_once_with_an_audit_row(firm):
    oid = send(firm)
    with write_session() as s, pytest.raises(Conflict, match="not submitted"):
        review.mark_reviewed(s, firm["owner"], oid, firm_catalog=FIRM)
    fill_and_submit(firm, oid)
    for _ in range(2):
        with write_session() as s:
            review.mark_reviewed(s, firm["bob"], oid, firm_catalog=FIRM)
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert organizer.reviewed_at is not None and organizer.reviewed_by_label == "Bob Stone"
        rows = s.exec(select(AuditLog).where(AuditLog.action == "organizer_review")).all()
        assert [r.summary for r in rows] == ['Marked organizer "1040 Organizer" reviewed']
    # Carla is not on the account's team: she may not touch it.
    with write_session() as s, pytest.raises(PermissionDenied):
        review.mark_reviewed(s, firm["carla"], oid, firm_catalog=FIRM)


def test_the_answers_export_as_csv_one_row_per_question_the_client_saw(firm):
    oid = send(firm)
    fill_and_submit(firm, oid)
    with write_session() as s:
        name, text = review.answers_csv(s, firm["bob"], oid, firm_catalog=FIRM)
    assert name == "1040 Organizer - answers.csv"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "Question", "Answer"]
    assert ["About you", "Filing status", "MFJ"] in rows
    assert ["About you", "Spouse's name", "Sam Hartley"] in rows
    assert ["Family", "  Entry 1", "Name: Ava; Birth date: "] in rows
    with write_session() as s, pytest.raises(PermissionDenied):
        review.answers_csv(s, firm["carla"], oid, firm_catalog=FIRM)


def _answers_pdfs(account_id: int) -> list[Document]:
    with read_session() as s:
        return list(s.exec(select(Document).where(Document.account_id == account_id,
                                                  Document.name.like("1040 Organizer - answers %.pdf"))
                           .order_by(Document.id)))


def _pdf_text(doc: Document) -> str:
    return "".join(p.extract_text() for p in PdfReader(storage.open_stored(doc.stored_key)).pages)


def test_submitting_files_the_answers_pdf_in_the_accounts_documents_for_the_firm_only(firm):
    oid = send(firm, job_id=firm["job"])
    fill_and_submit(firm, oid)  # the worker handles `organizer_submitted` as the submission commits
    [doc] = _answers_pdfs(firm["account"])
    assert (doc.job_id, doc.shared, doc.uploaded_by_member_id) == (firm["job"], False, None)
    assert doc.name.endswith(".pdf")
    text = _pdf_text(doc)
    for words in ("1040 Organizer", "Hartley Household", "Filing status", "MFJ", "Sam Hartley", "Each dependent"):
        assert words in text
    with read_session() as s:
        assert s.get(Organizer, oid).answers_document_id == doc.id
        rows = s.exec(select(AuditLog).where(AuditLog.action == "organizer_pdf")).all()
        assert [r.summary for r in rows] == [f'Filed the submitted answers of organizer "1040 Organizer" as "{doc.name}"']


def test_a_replayed_event_files_nothing_twice_and_a_resubmission_files_a_new_pdf(firm):
    oid = send(firm)
    fill_and_submit(firm, oid)
    with read_session() as s:
        [ev] = s.exec(select(Event).where(Event.kind == review.SUBMITTED)).all()
    for handle in (lambda s, e: review.file_on_submission(s, e, firm_catalog=FIRM), engine.handle_event):
        with write_session() as s:
            handle(s, s.get(Event, ev.id))
    assert len(_answers_pdfs(firm["account"])) == 1
    # Reopened before the worker got to it: nothing is filed for a submission that is no longer current.
    with write_session() as s:
        sent.reopen(s, firm["owner"], oid)
    with write_session() as s:
        assert review.file_on_submission(s, s.get(Event, ev.id), firm_catalog=FIRM) is None
    answer(firm, oid, "spouse_name", "Samuel Hartley")
    with write_session() as s:
        filling.submit(s, firm["june"], oid, firm_catalog=FIRM)
    first, second = _answers_pdfs(firm["account"])
    assert "Samuel Hartley" in _pdf_text(second) and "Samuel Hartley" not in _pdf_text(first)
    with read_session() as s:
        assert s.get(Organizer, oid).answers_document_id == second.id


def test_staff_may_file_the_answers_pdf_again_a_submitted_one_only(firm):
    oid = send(firm, job_id=firm["job"])
    with write_session() as s, pytest.raises(Conflict, match="not submitted"):
        review.file_answers_pdf(s, firm["bob"], oid, firm_catalog=FIRM)
    fill_and_submit(firm, oid)
    with write_session() as s:
        doc_id = review.file_answers_pdf(s, firm["bob"], oid, firm_catalog=FIRM).id
    with read_session() as s:
        doc = s.get(Document, doc_id)
        assert (doc.account_id, doc.job_id, doc.shared, doc.uploaded_by_label) == (
            firm["account"], firm["job"], False, "Bob Stone")
    assert len(_answers_pdfs(firm["account"])) == 2
    with write_session() as s, pytest.raises(PermissionDenied):
        review.file_answers_pdf(s, firm["carla"], oid, firm_catalog=FIRM)


def test_the_client_asks_to_reopen_the_team_is_told_and_reopening_clears_the_request(firm):
    oid = send(firm)
    with write_session() as s, pytest.raises(Conflict, match="change your answers yourself"):
        review.ask_to_reopen(s, firm["june"], oid)
    fill_and_submit(firm, oid)
    with write_session() as s, pytest.raises(NotFound):
        review.ask_to_reopen(s, firm["omar"], oid)  # another account's client
    with write_session() as s:
        review.ask_to_reopen(s, firm["june"], oid, "I forgot   my second W-2")
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert organizer.reopen_requested_at is not None and organizer.reopen_reason == "I forgot my second W-2"
        notes = s.exec(select(Notification).where(Notification.kind == "client_activity")).all()
        assert any('asked to reopen organizer "1040 Organizer": I forgot my second W-2' in n.text for n in notes)
    with write_session() as s:
        review.mark_reviewed(s, firm["owner"], oid, firm_catalog=FIRM)
        sent.reopen(s, firm["owner"], oid)
    with read_session() as s:
        organizer = s.get(Organizer, oid)
        assert (organizer.status, organizer.reopen_requested_at, organizer.reviewed_at) == ("reopened", None, None)


def test_next_years_answers_mark_what_changed_since_last_year(firm):
    first = send(firm)
    fill_and_submit(firm, first)
    second = send(firm)  # pre-filled with last year's answers
    answer(firm, second, "spouse_name", "Samuel Hartley")
    answer(firm, second, "wages", "61000")
    with write_session() as s:
        filling.add_entry(s, firm["june"], second, "dependents", firm_catalog=FIRM)
    answer(firm, second, "dependents", "Leo", entry=1, child="dep_name")
    with write_session() as s:
        filling.submit(s, firm["june"], second, firm_catalog=FIRM)
    with read_session() as s:
        lines = sent.answer_lines(s, firm["bob"], second, firm_catalog=FIRM)
        first_lines = sent.answer_lines(s, firm["bob"], first, firm_catalog=FIRM)
    changed = {x.label: (x.answer, x.last_year) for x in lines if x.changed}
    assert changed == {"Spouse's name": ("Samuel Hartley", "Sam Hartley"), "Each dependent": ("2", "1"),
                       "Wages": ("$61,000.00", "no answer")}
    assert not any(x.changed for x in first_lines)  # the first year has nothing to compare with


def test_each_answer_is_marked_reviewed_with_who_and_when_and_a_changed_answer_loses_its_mark(firm):
    oid = send(firm)
    with write_session() as s, pytest.raises(Conflict, match="not submitted"):
        review.mark_answer(s, firm["bob"], oid, "filing_status", firm_catalog=FIRM)
    fill_and_submit(firm, oid)
    with write_session() as s:
        first = review.mark_answer(s, firm["bob"], oid, "filing_status", firm_catalog=FIRM)
        again = review.mark_answer(s, firm["bob"], oid, "filing_status", firm_catalog=FIRM)  # one mark, one row
        review.mark_answer(s, firm["bob"], oid, "spouse_name", firm_catalog=FIRM)
    assert (first.reviewed, again.reviewed) == (1, 1) and first.total >= 4
    with read_session() as s:
        view = review.review_lines(s, firm["bob"], oid, firm_catalog=FIRM)
        assert s.get(Organizer, oid).reviewed_at is None  # not every answer yet
        summaries = [r.summary for r in s.exec(select(AuditLog).where(AuditLog.action == "organizer_review"))]
    marked = {x.key: x.reviewed for x in view.lines if x.reviewed}
    assert set(marked) == {"filing_status", "spouse_name"} and view.reviewed == 2
    assert marked["filing_status"].startswith("Reviewed by Bob Stone, ")
    assert summaries == ['Marked the answer to "Filing status" reviewed on organizer "1040 Organizer"',
                         'Marked the answer to "Spouse\'s name" reviewed on organizer "1040 Organizer"']
    # Carla is not on the account's team; a question the client was not asked has no answer to mark.
    with write_session() as s, pytest.raises(PermissionDenied):
        review.mark_answer(s, firm["carla"], oid, "filing_status", firm_catalog=FIRM)
    with write_session() as s, pytest.raises(NotFound):
        review.mark_answer(s, firm["bob"], oid, "no_such_question", firm_catalog=FIRM)

    # Reopened, the client changes the spouse's name and submits again: that answer's mark is gone, the other stays.
    with write_session() as s:
        sent.reopen(s, firm["owner"], oid)
    answer(firm, oid, "spouse_name", "Samuel Hartley")
    answer(firm, oid, "spouse_name", "Sam Hartley")  # changed back before submitting: it is the answer Bob read
    answer(firm, oid, "filing_status", "Single")
    answer(firm, oid, "filing_status", "MFJ")
    answer(firm, oid, "spouse_name", "Samuel Hartley")
    with write_session() as s:
        filling.submit(s, firm["june"], oid, firm_catalog=FIRM)
    with read_session() as s:
        view = review.review_lines(s, firm["bob"], oid, firm_catalog=FIRM)
    assert {x.key for x in view.lines if x.reviewed} == {"filing_status"} and view.reviewed == 1

    # A mark comes off; "Mark all reviewed" marks every answer and the organizer counts as reviewed.
    with write_session() as s:
        assert review.mark_answer(s, firm["bob"], oid, "filing_status", False, firm_catalog=FIRM).reviewed == 0
        review.mark_reviewed(s, firm["bob"], oid, firm_catalog=FIRM)
    with read_session() as s:
        view = review.review_lines(s, firm["bob"], oid, firm_catalog=FIRM)
        assert s.get(Organizer, oid).reviewed_by_label == "Bob Stone"
    assert view.reviewed == view.total and all(x.reviewed for x in view.lines if x.key)
