"""staff password reset links

Revision ID: 5d0c7a1e2b93
Revises: 8c1b3eabaf71
Create Date: 2026-12-03 11:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = '5d0c7a1e2b93'
down_revision: Union[str, None] = '8c1b3eabaf71'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('stafftoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('used_at', practice.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['teammember.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('stafftoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stafftoken_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stafftoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stafftoken_member_id'))
    op.drop_table('stafftoken')
