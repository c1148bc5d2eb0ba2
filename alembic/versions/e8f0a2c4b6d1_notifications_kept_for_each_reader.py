"""notifications kept for each reader's language

Revision ID: e8f0a2c4b6d1
Revises: c7e9a1b3d5f2
Create Date: 2026-12-04 22:25:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'e8f0a2c4b6d1'
down_revision: Union[str, None] = 'c7e9a1b3d5f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_words', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('text_words')
