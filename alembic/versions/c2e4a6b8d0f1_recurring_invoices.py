"""recurring invoice series: an account's invoice every month, quarter or year, each period issued once

Revision ID: c2e4a6b8d0f1
Revises: d5b7e9f1a3c6
Create Date: 2026-12-05 08:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'c2e4a6b8d0f1'
down_revision: Union[str, None] = 'd5b7e9f1a3c6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'recurringinvoice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('terms', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('due_days', sa.Integer(), nullable=False),
        sa.Column('interval', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('send_automatically', sa.Boolean(), nullable=False),
        sa.Column('paused', sa.Boolean(), nullable=False),
        sa.Column('next_period', sa.Date(), nullable=True),
        sa.Column('created_by_member_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['created_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('recurringinvoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurringinvoice_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurringinvoice_next_period'), ['next_period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recurringinvoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurringinvoice_next_period'))
        batch_op.drop_index(batch_op.f('ix_recurringinvoice_account_id'))
    op.drop_table('recurringinvoice')
