"""the board's counts kept by the database: per stage, per account and stage, per member and stage

Revision ID: c4e8a1f07b2d
Revises: b7d41e0c2a95
Create Date: 2026-12-03 15:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import install_board_counts


revision: str = 'c4e8a1f07b2d'
down_revision: Union[str, None] = 'b7d41e0c2a95'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TRIGGERS = ("job_counted", "job_uncounted", "job_recounted", "assignee_sees", "assignee_unsees", "assignee_changed",
            "team_sees", "team_unsees", "team_changed", "viewer_added", "viewer_flipped")


def _pair(name: str, first: str, second: str) -> None:
    op.create_table(name, sa.Column(first, sa.Integer(), nullable=False), sa.Column(second, sa.Integer(), nullable=False),
                    sa.Column('reasons' if name == 'accountviewer' else 'n', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint(first, second))


def upgrade() -> None:
    op.create_table('stagecount', sa.Column('stage_id', sa.Integer(), nullable=False),
                    sa.Column('n', sa.Integer(), nullable=False), sa.PrimaryKeyConstraint('stage_id'))
    _pair('accountstagecount', 'account_id', 'stage_id')
    _pair('accountviewer', 'account_id', 'member_id')
    _pair('memberstagecount', 'member_id', 'stage_id')
    op.create_index('ix_accountviewer_member', 'accountviewer', ['member_id', 'account_id', 'reasons'])
    # Counted from the data already there, then kept by triggers on every later write.
    install_board_counts(op.get_bind(), fields=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for name in ('memberstagecount', 'accountviewer', 'accountstagecount', 'stagecount'):
        op.drop_table(name)
