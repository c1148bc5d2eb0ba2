"""custom fields on accounts, contacts and jobs: their definitions and values

Revision ID: e5a7c3f9b1d2
Revises: c4f1a7e9d2b6
Create Date: 2026-12-03 21:50:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'e5a7c3f9b1d2'
down_revision: Union[str, None] = 'c4f1a7e9d2b6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'customfield',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('entity', 'key', name='uq_customfield_entity_key'),
    )
    op.create_table(
        'customvalue',
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['field_id'], ['customfield.id']),
        sa.PrimaryKeyConstraint('field_id', 'item_id'),
    )
    with op.batch_alter_table('customvalue') as batch_op:
        batch_op.create_index('ix_customvalue_item', ['item_id', 'field_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customvalue') as batch_op:
        batch_op.drop_index('ix_customvalue_item')
    op.drop_table('customvalue')
    op.drop_table('customfield')
