"""API calls of the last minute kept in the database, so the rate limits hold across web processes

Revision ID: d2b8f4a6c0e3
Revises: c9e1f3a5b7d2
Create Date: 2026-12-05 02:05:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'd2b8f4a6c0e3'
down_revision: Union[str, None] = 'c9e1f3a5b7d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('apicall',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('apicall', schema=None) as batch_op:
        batch_op.create_index('ix_apicall_key_at', ['key', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_apicall_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('apicall', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apicall_at'))
        batch_op.drop_index('ix_apicall_key_at')
    op.drop_table('apicall')
