"""custom fields as columns and filters: which fields each team member shows on the accounts list and the board,
and an index for filtering by a field's value

Revision ID: b7c2d4e6f8a1
Revises: f3a8c2d1e4b7
Create Date: 2026-12-04 03:55:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'b7c2d4e6f8a1'
down_revision: Union[str, None] = 'f3a8c2d1e4b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'viewcolumns',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('view', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('field_ids', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('member_id', 'view'),
    )
    with op.batch_alter_table('customvalue') as batch_op:
        batch_op.create_index('ix_customvalue_field_value', ['field_id', 'value', 'item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customvalue') as batch_op:
        batch_op.drop_index('ix_customvalue_field_value')
    op.drop_table('viewcolumns')
