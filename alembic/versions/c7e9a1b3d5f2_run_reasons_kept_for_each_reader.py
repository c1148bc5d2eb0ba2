"""run reasons kept for each reader's language

Revision ID: c7e9a1b3d5f2
Revises: d3a5c7e9f1b2
Create Date: 2026-12-04 22:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c7e9a1b3d5f2'
down_revision: Union[str, None] = 'd3a5c7e9f1b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('rulerun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_words', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rulerun', schema=None) as batch_op:
        batch_op.drop_column('reason_words')
