"""accounts, contacts, jobs, tasks and documents keep when they were last changed (the REST API's updated_since)

Revision ID: e3c9a5b7d1f4
Revises: b7d9f1a3c5e2
Create Date: 2026-12-05 02:25:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import practice.models


revision: str = 'e3c9a5b7d1f4'
down_revision: Union[str, None] = 'b7d9f1a3c5e2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Each table, and the moment its existing rows take as their last change (they were not followed before).
TABLES = (("account", "created_at"), ("contact", "created_at"), ("job", "created_at"), ("task", "created_at"),
          ("document", "uploaded_at"))


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (no table rebuild, which would break the triggers on job); the default only fills
    # the column for the UPDATE that follows.
    for table, since in TABLES:
        op.add_column(table, sa.Column('updated_at', practice.models.UTCDateTime(), nullable=False,
                                       server_default='1970-01-01 00:00:00.000000'))
        op.execute(f"UPDATE {table} SET updated_at = {since}")
        op.create_index(op.f(f'ix_{table}_updated_at'), table, ['updated_at'], unique=False)


def downgrade() -> None:
    for table, _since in TABLES:
        op.drop_index(op.f(f'ix_{table}_updated_at'), table_name=table)
        op.drop_column(table, 'updated_at')
