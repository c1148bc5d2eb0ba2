"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

import json
import sqlite3

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import practice.models  # noqa: F401 - registers the tables
from practice import db
from practice.migrate import alembic_config, upgrade


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    try:
        upgrade()
    finally:
        db.get_engine().dispose()
    # A model change without a migration shows up here as a difference.
    assert _differences(url) == []
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade()
    upgrade()
    db.get_engine().dispose()


def test_the_comparison_notices_a_missing_migration(tmp_path):
    """Guard the guard: a database without one of the model's indexes is reported."""
    url = f"sqlite:///{tmp_path / 'partial.db'}"
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_job_board")
    engine.dispose()
    diffs = _differences(url)
    assert any(d[0] == "add_index" and d[1].name == "ix_job_board" for d in diffs), diffs


def test_the_audit_migration_keeps_each_event_once_and_finds_each_rows_account(monkeypatch, tmp_path):
    """Rows written before names and accounts were kept: the pairs one call used to write become one row,
    and every row about an account, a document or a job gets that account."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    command.upgrade(alembic_config(), "b3c1d2e4f5a6")
    engine = create_engine(url)
    rows = [  # (id, actor, action, entity, entity_id, detail)
        (1, "Olivia", "create", "account", 7, "{}"),
        (2, "June (client)", "upload", "document", 30, '{"account_id": 7}'),
        (3, "June (client)", "upload", "account", 7, "{}"),
        (4, "Olivia", "signature_request_send", "account", 7, '{"request_id": 2}'),
        (5, "Olivia", "signature_request_send", "document", 30, '{"account_id": 7}'),
        (6, "Olivia", "upload", "account", 7, "{}"),  # no document row before it: not a duplicate
    ]
    with engine.begin() as conn:
        for row in rows:
            conn.exec_driver_sql("INSERT INTO auditlog (id, at, actor_label, action, entity, entity_id, summary, "
                                 "detail) VALUES (?, '2026-11-01 10:00:00', ?, ?, ?, ?, 's', ?)", row)
    engine.dispose()
    command.upgrade(alembic_config(), "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT id, entity, account_id, entity_label FROM auditlog ORDER BY id").all()
    engine.dispose()
    db.get_engine().dispose()
    assert [tuple(r) for r in left] == [(1, "account", 7, ""), (2, "document", 7, ""), (4, "account", 7, ""),
                                        (6, "account", 7, "")]


def test_documents_clients_saw_stay_shared_except_signing_originals(monkeypatch, tmp_path):
    """The sharing migration: every existing document stays as the client saw it, but the unsigned original of
    a signature request becomes internal (its signed copy stays shared)."""
    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.reset_engine()
    command.upgrade(alembic_config(), "5d0c7a1e2b93")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO account (id, name, type, notes, archived, created_at) "
                     "VALUES (1, 'Hartley', 'individual', '', 0, '2026-01-01 00:00:00')")
        for doc_id, name in ((1, "8879.pdf"), (2, "8879 - signed.pdf"), (3, "W-2.pdf")):
            conn.execute("INSERT INTO document (id, account_id, name, stored_key, size, content_type, status, refusal, "
                         "uploaded_by_label, uploaded_at) VALUES (?, 1, ?, 'k', 1, 'application/pdf', 'ok', '', 'Olivia', "
                         "'2026-01-01 00:00:00')", (doc_id, name))
        conn.execute("INSERT INTO signaturerequest (account_id, title, message, document_id, signed_document_id, "
                     "template_name, in_order, require_email_code, status, original_sha256, stamped_sha256, "
                     "final_sha256, requested_by_label, created_at) VALUES (1, '8879', '', 1, 2, '', 0, 0, "
                     "'completed', '', '', '', 'Olivia', '2026-01-01 00:00:00')")
    upgrade()
    db.get_engine().dispose()
    with sqlite3.connect(path) as conn:
        shared = dict(conn.execute("SELECT name, shared FROM document").fetchall())
        folders_default = [r[1] for r in conn.execute("PRAGMA table_info(folder)") if r[1] == "shared"]
    assert shared == {"8879.pdf": 0, "8879 - signed.pdf": 1, "W-2.pdf": 1}
    assert folders_default == ["shared"]


def test_upgrade_on_postgresql_matches_the_models(postgres, monkeypatch):
    """The same migrations build the same schema on PostgreSQL (make test-postgres)."""
    postgres.sql("CREATE DATABASE migrated_from_empty")
    url = postgres.url("migrated_from_empty")
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    try:
        upgrade()
        upgrade()  # twice is harmless there too
    finally:
        db.get_engine().dispose()
    assert _differences(db.make_engine(url).url.render_as_string(hide_password=False)) == []


def test_pay_at_signing_upgrades_a_firm_that_has_proposal_templates_with_lines(monkeypatch, tmp_path):
    """The pay-at-signing migration adds its columns in place: rebuilding `proposaltemplate` (batch mode) dropped a
    table that template lines refer to, and the upgrade of any firm with a template failed on a foreign key."""
    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.reset_engine()
    command.upgrade(alembic_config(), "3c1cdcbb1abb")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO proposaltemplate (id, name, introduction, terms, updated_at) "
                     "VALUES (1, 'Engagement', 'Hello', 'Terms', '2026-01-01 00:00:00')")
        conn.execute("INSERT INTO proposaltemplateline (template_id, name, description, quantity, price_cents, optional, "
                     "position) VALUES (1, 'Tax return', '', 1, 48000, 0, 0)")
    upgrade()
    db.get_engine().dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name, require_payment FROM proposaltemplate").fetchall() == [("Engagement", 0)]
        assert conn.execute("SELECT count(*) FROM proposaltemplateline").fetchone() == (1,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_whole_invoice_tax_upgrades_a_firm_that_has_an_invoice(monkeypatch, tmp_path):
    """The whole-invoice tax adds its columns in place: an invoice, its line, a template and a series keep their
    rows and amounts, with no tax on the whole invoice, and the foreign keys hold."""
    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.reset_engine()
    command.upgrade(alembic_config(), "d3f5b7a9c1e4")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO account (id, name, type, notes, archived, created_at, updated_at) "
                     "VALUES (1, 'Hartley', 'household', '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        conn.execute("INSERT INTO invoice (id, account_id, number, status, notes, terms, subtotal_cents, discount_cents, "
                     "tax_cents, total_cents, whole_discount_bp, whole_discount_fixed_cents, whole_discount_cents, "
                     "paid_cents, credited_cents, created_at, void_reason) VALUES (1, 1, 1, 'sent', '', '', 10000, 0, "
                     "825, 10825, 0, 0, 0, 0, 0, '2026-01-01 00:00:00', '')")
        conn.execute("INSERT INTO invoiceline (invoice_id, name, description, quantity_hundredths, rate_cents, "
                     "discount_bp, tax_bp, amount_cents, discount_cents, tax_cents, total_cents, position, "
                     "whole_discount_cents) VALUES (1, 'Tax return', '', 100, 10000, 0, 825, 10000, 0, 825, 10825, 1, 0)")
        conn.execute("INSERT INTO invoicetemplate (id, name, lines, notes, terms, due_days, updated_at) "
                     "VALUES (1, 'Monthly', '[]', '', '', 30, '2026-01-01 00:00:00')")
    upgrade()
    db.get_engine().dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT total_cents, tax_cents, whole_tax_bp, whole_tax_cents FROM invoice").fetchall() == [
            (10825, 825, 0, 0)]
        assert conn.execute("SELECT total_cents, whole_tax_cents FROM invoiceline").fetchall() == [(10825, 0)]
        assert conn.execute("SELECT name, whole_tax_bp FROM invoicetemplate").fetchall() == [("Monthly", 0)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_board_field_index_is_filled_from_a_firms_jobs_and_values(monkeypatch, tmp_path):
    """The board's index per field value is made from the jobs and values already there (a job field's and an
    account field's, archived jobs left out), the counts with it (now for account fields too), the triggers that
    counted job fields before are replaced, and later writes are kept."""
    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.reset_engine()
    command.upgrade(alembic_config(), "b4d6f8a0c2e5")
    now = "'2026-01-01 00:00:00'"
    with sqlite3.connect(path) as conn:
        conn.executescript(f"""
            INSERT INTO account (id, name, type, notes, archived, created_at) VALUES
                (1, 'Hale', 'Individual', '', 0, {now}), (2, 'Park', 'Individual', '', 0, {now});
            INSERT INTO pipeline (id, name, created_at) VALUES (1, '1040', {now});
            INSERT INTO stage (id, pipeline_id, name, position) VALUES (1, 1, 'Prep', 0), (2, 1, 'Review', 1);
            INSERT INTO job (id, account_id, pipeline_id, stage_id, name, priority, due_date, archived, created_at,
                             entered_stage_at, version) VALUES
                (1, 1, 1, 1, 'A', 'medium', '2027-04-15', 0, {now}, {now}, 1),
                (2, 1, 1, 2, 'B', 'medium', NULL, 0, {now}, {now}, 1),
                (3, 2, 1, 2, 'C', 'medium', NULL, 1, {now}, {now}, 1);
            INSERT INTO customfield (id, entity, key, label, type, options, position, created_at) VALUES
                (1, 'job', 'return_type', 'Return type', 'choice', '["1040", "1065"]', 0, {now}),
                (2, 'account', 'filing_status', 'Filing status', 'choice', '["Single", "MFJ"]', 0, {now}),
                (3, 'job', 'note', 'Note', 'text', '[]', 1, {now});
            INSERT INTO customvalue (field_id, item_id, value) VALUES
                (1, 1, '1040'), (1, 3, '1040'), (2, 1, 'MFJ'), (2, 2, 'MFJ'), (3, 2, 'call');
            -- a firm upgraded before: the triggers that counted job fields' values
            CREATE TRIGGER value_counted AFTER INSERT ON customvalue BEGIN SELECT RAISE(ABORT, 'old trigger'); END;
        """)
    upgrade()
    db.get_engine().dispose()
    with sqlite3.connect(path) as conn:
        entries = "SELECT field_id, value, stage_id, due_date, job_id, account_id FROM boardfieldentry ORDER BY 1, 5"
        assert conn.execute(entries).fetchall() == [
            (1, "1040", 1, "2027-04-15", 1, 1), (2, "MFJ", 1, "2027-04-15", 1, 1), (2, "MFJ", 2, None, 2, 1)]
        assert conn.execute("SELECT field_id, value, stage_id, n FROM fieldstagecount ORDER BY 1, 3").fetchall() == [
            (1, "1040", 1, 1), (2, "MFJ", 1, 1), (2, "MFJ", 2, 1)]
        conn.execute("INSERT INTO customvalue (field_id, item_id, value) VALUES (1, 2, '1065')")
        conn.execute("UPDATE job SET archived = 0 WHERE id = 3")
        assert conn.execute(entries).fetchall()[1:] == [
            (1, "1065", 2, None, 2, 1), (1, "1040", 2, None, 3, 2), (2, "MFJ", 1, "2027-04-15", 1, 1),
            (2, "MFJ", 2, None, 2, 1), (2, "MFJ", 2, None, 3, 2)]
        assert conn.execute("SELECT n FROM fieldstagecount WHERE field_id = 2 AND stage_id = 2").fetchone() == (2,)


def test_the_cards_values_are_kept_from_a_firms_values(monkeypatch, tmp_path):
    """A firm with jobs, accounts and values upgrades: each job and account keeps its own fields' values (a contact's
    value under the same id left out; a row without values keeps none), and later writes are kept."""
    path = tmp_path / "before.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.reset_engine()
    command.upgrade(alembic_config(), "e7a9c1d3f5b8")
    now = "'2026-01-01 00:00:00'"
    with sqlite3.connect(path) as conn:
        conn.executescript(f"""
            INSERT INTO account (id, name, type, notes, archived, created_at) VALUES
                (1, 'Hale', 'Individual', '', 0, {now}), (2, 'Park', 'Individual', '', 0, {now});
            INSERT INTO pipeline (id, name, created_at) VALUES (1, '1040', {now});
            INSERT INTO stage (id, pipeline_id, name, position) VALUES (1, 1, 'Prep', 0);
            INSERT INTO job (id, account_id, pipeline_id, stage_id, name, priority, due_date, archived, created_at,
                             entered_stage_at, version) VALUES
                (1, 1, 1, 1, 'A', 'medium', NULL, 0, {now}, {now}, 1),
                (2, 2, 1, 1, 'B', 'medium', NULL, 1, {now}, {now}, 1);
            INSERT INTO customfield (id, entity, key, label, type, options, position, created_at) VALUES
                (1, 'job', 'return_type', 'Return type', 'choice', '["1040", "1065"]', 0, {now}),
                (2, 'account', 'filing_status', 'Filing status', 'choice', '["Single", "MFJ"]', 0, {now}),
                (3, 'job', 'fee', 'Fee', 'money', '[]', 1, {now}),
                (4, 'contact', 'nick', 'Nickname', 'text', '[]', 0, {now});
            INSERT INTO customvalue (field_id, item_id, value) VALUES
                (1, 1, '1040'), (3, 1, '1250.5'), (1, 2, '1065'), (2, 1, 'MFJ'), (4, 2, 'Bo');
        """)
    upgrade()
    db.get_engine().dispose()
    with sqlite3.connect(path) as conn:
        def kept(table):
            return {i: v and json.loads(v) for i, v in conn.execute(f"SELECT id, field_values FROM {table} ORDER BY id")}
        assert kept("job") == {1: {"1": "1040", "3": "1250.5"}, 2: {"1": "1065"}}
        assert kept("account") == {1: {"2": "MFJ"}, 2: None}
        conn.execute("UPDATE customvalue SET value = '1065' WHERE field_id = 1 AND item_id = 1")
        conn.execute("DELETE FROM customvalue WHERE field_id = 3")
        conn.execute("INSERT INTO customvalue (field_id, item_id, value) VALUES (2, 2, 'Single')")
        assert kept("job") == {1: {"1": "1065"}, 2: {"1": "1065"}}
        assert kept("account") == {1: {"2": "MFJ"}, 2: {"2": "Single"}}
