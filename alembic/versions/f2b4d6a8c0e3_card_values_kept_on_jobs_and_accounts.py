"""the values of the custom fields a board card shows, kept on its job's and its account's rows (a JSON object per
row, kept by the database on SQLite), so that the cards' statement reads them from the rows it already reads

Revision ID: f2b4d6a8c0e3
Revises: e7a9c1d3f5b8
Create Date: 2026-12-05 19:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import install_board_counts


revision: str = 'f2b4d6a8c0e3'
down_revision: Union[str, None] = 'e7a9c1d3f5b8'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Added in place (job and account are referenced by other tables: never rebuilt); kept by a downgrade on SQLite.
    for table in ('job', 'account'):
        if 'field_values' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}:
            op.add_column(table, sa.Column('field_values', sa.Text(), nullable=True))
    # Filled from the values already there, then kept by triggers (SQLite).
    install_board_counts(op.get_bind())


def downgrade() -> None:
    # On SQLite the columns stay (dropping one would rebuild a referenced table); without their triggers they are
    # left as they are, and made again by the next upgrade.
    if op.get_bind().dialect.name == 'sqlite':
        install_board_counts(op.get_bind(), values=False)
    else:
        op.drop_column('account', 'field_values')
        op.drop_column('job', 'field_values')
