"""audit rows keep the thing's name and the account they concern; each event once

Revision ID: b7d41e0c2a95
Revises: b3c1d2e4f5a6
Create Date: 2026-12-03 11:45:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'b7d41e0c2a95'
down_revision: Union[str, None] = 'b3c1d2e4f5a6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Actions that used to write a second row about the same event (one on the document or template, one on the
# account, so that the account's history listed it): (kept row's entity, its action, dropped row's entity, its
# action); the dropped row is the one written right after the kept one.
PAIRS = [
    ("document", "upload", "account", "upload"),
    ("document", "delete", "account", "delete_document"),
    ("document", "approval_request", "account", "approval_request"),
    ("document", "approval_approved", "account", "approval_approved"),
    ("document", "approval_rejected", "account", "approval_rejected"),
    ("folder_template", "apply", "account", "apply_folder_template"),
    ("account", "signature_request_send", "document", "signature_request_send"),
]


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy); the server default fills the rows already there.
    op.add_column('auditlog', sa.Column('entity_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                        server_default=''))
    op.add_column('auditlog', sa.Column('account_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_auditlog_account_id'), 'auditlog', ['account_id'], unique=False)
    # Each event once: drop the second row of each pair written by one call (same person, next id).
    for kept_entity, kept_action, dropped_entity, dropped_action in PAIRS:
        op.execute(sa.text(
            "DELETE FROM auditlog WHERE entity = :de AND action = :da AND EXISTS (SELECT 1 FROM auditlog k "
            "WHERE k.id = auditlog.id - 1 AND k.entity = :ke AND k.action = :ka "
            "AND k.actor_label = auditlog.actor_label)").bindparams(de=dropped_entity, da=dropped_action,
                                                                    ke=kept_entity, ka=kept_action))
    # The account each row concerns: the account itself, the one its detail named, or its job's, task's,
    # document's or folder's.
    op.execute("UPDATE auditlog SET account_id = entity_id WHERE entity = 'account'")
    named = ("CAST(detail AS json) ->> 'account_id'" if op.get_bind().dialect.name == "postgresql"
             else "json_extract(detail, '$.account_id')")
    op.execute(f"UPDATE auditlog SET account_id = CAST({named} AS INTEGER) "
               f"WHERE account_id IS NULL AND {named} IS NOT NULL")
    for entity, table in (("job", "job"), ("task", "task"), ("document", "document"), ("folder", "folder")):
        op.execute(f"UPDATE auditlog SET account_id = (SELECT t.account_id FROM {table} t "
                   f"WHERE t.id = auditlog.entity_id) WHERE account_id IS NULL AND entity = '{entity}'")


def downgrade() -> None:
    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditlog_account_id'))
        batch_op.drop_column('account_id')
        batch_op.drop_column('entity_label')
