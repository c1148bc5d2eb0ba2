"""the board's index per filtered field value (a job field's or its cards' accounts' list choice or yes/no): the jobs
holding each value in each stage in the board's order, kept by the database, which now keeps the field counts from it
(for account fields too)

Revision ID: e7a9c1d3f5b8
Revises: b4d6f8a0c2e5
Create Date: 2026-12-05 16:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import install_board_counts


revision: str = 'e7a9c1d3f5b8'
down_revision: Union[str, None] = 'b4d6f8a0c2e5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table('boardfieldentry'):  # kept by a downgrade on SQLite (below)
        install_board_counts(op.get_bind(), values=False)
        return
    op.create_table(
        'boardfieldentry',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('job_id', 'field_id'),
    )
    op.create_index('ix_boardfieldentry_board', 'boardfieldentry',
                    ['field_id', 'value', 'stage_id', 'due_date', 'job_id', 'account_id'])
    # Filled from the jobs and values already there with the counts, then kept by triggers (SQLite; the old triggers
    # that counted the job fields' values are dropped first).
    install_board_counts(op.get_bind(), values=False)


def downgrade() -> None:
    # On SQLite the index and its triggers stay: they keep the job fields' counts the revision before reads (the
    # triggers that kept them before are gone). PostgreSQL has no triggers and never read the table.
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_index('ix_boardfieldentry_board', table_name='boardfieldentry')
        op.drop_table('boardfieldentry')
