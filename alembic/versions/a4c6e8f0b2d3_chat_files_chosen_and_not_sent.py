"""chat files chosen and not sent yet, so the sweep can delete the bytes of those never sent

Revision ID: a4c6e8f0b2d3
Revises: e8f0a2c4b6d1
Create Date: 2026-12-04 22:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'a4c6e8f0b2d3'
down_revision: Union[str, None] = 'e8f0a2c4b6d1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('chatstagedfile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stored_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('staged_at', practice.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chatstagedfile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chatstagedfile_stored_key'), ['stored_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_chatstagedfile_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chatstagedfile_staged_at'), ['staged_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chatstagedfile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chatstagedfile_staged_at'))
        batch_op.drop_index(batch_op.f('ix_chatstagedfile_thread_id'))
        batch_op.drop_index(batch_op.f('ix_chatstagedfile_stored_key'))
    op.drop_table('chatstagedfile')
