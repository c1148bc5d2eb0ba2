"""each answer of a submitted organizer marked reviewed by staff (who, when, and the answer as it was then)

Revision ID: b6d8f0a2c4e6
Revises: a7d3f1c9e5b2
Create Date: 2026-12-05 05:05:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'b6d8f0a2c4e6'
down_revision: Union[str, None] = 'a7d3f1c9e5b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('organizeranswerreview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('reviewed_by_member_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reviewed_at', practice.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizer.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_member_id'], ['teammember.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organizer_id', 'question_key', name='uq_organizeranswerreview_key')
    )
    with op.batch_alter_table('organizeranswerreview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizeranswerreview_organizer_id'), ['organizer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organizeranswerreview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizeranswerreview_organizer_id'))
    op.drop_table('organizeranswerreview')
