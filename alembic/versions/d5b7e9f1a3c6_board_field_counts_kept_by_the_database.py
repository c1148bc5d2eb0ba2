"""the board's counts per job field value (a list's choice, yes/no) kept by the database: per stage, per account and
stage, per member and stage

Revision ID: d5b7e9f1a3c6
Revises: c8e0a2b4d6f1
Create Date: 2026-12-05 09:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import install_board_counts


revision: str = 'd5b7e9f1a3c6'
down_revision: Union[str, None] = 'c8e0a2b4d6f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TRIGGERS = ("job_fields_counted", "job_fields_uncounted", "job_fields_recounted", "value_counted", "value_uncounted",
            "value_recounted", "field_uncounted", "field_recounted", "viewer_fields_added", "viewer_fields_flipped")
TABLES = {"fieldstagecount": (), "accountfieldstagecount": ("account_id",), "memberfieldstagecount": ("member_id",)}


def upgrade() -> None:
    for name, first in TABLES.items():
        keys = [*first, 'field_id', 'value', 'stage_id']
        op.create_table(name, *(sa.Column(k, sa.String() if k == 'value' else sa.Integer(), nullable=False)
                                for k in keys),
                        sa.Column('n', sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(*keys))
    # Counted from the data already there, then kept by triggers on every later write (SQLite): since the board's
    # field index (migration e7a9c1d3f5b8), whose triggers keep these counts, that migration counts them.
    install_board_counts(op.get_bind(), fields=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for name in TABLES:
        op.drop_table(name)
