"""outgoing mail: the Message-ID every attempt carries, and who sent it by hand

Revision ID: d2f6a9c1e3b7
Revises: c4e8a1f7d2b6
Create Date: 2026-12-03 18:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'd2f6a9c1e3b7'
down_revision: Union[str, None] = 'c4e8a1f7d2b6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outgoingmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('sender_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outgoingmail', schema=None) as batch_op:
        batch_op.drop_column('sender_id')
        batch_op.drop_column('message_id')
