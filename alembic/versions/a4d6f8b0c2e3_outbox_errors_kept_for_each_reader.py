"""the outbox keeps why a mail failed as words, so that each reader reads it in their language

Revision ID: a4d6f8b0c2e3
Revises: b6d8f0a2c4e6
Create Date: 2026-12-05 05:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a4d6f8b0c2e3'
down_revision: Union[str, None] = 'b6d8f0a2c4e6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outgoingmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error_words', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outgoingmail', schema=None) as batch_op:
        batch_op.drop_column('last_error_words')
