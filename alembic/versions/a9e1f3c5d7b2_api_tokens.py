"""personal access tokens for the REST API

Revision ID: a9e1f3c5d7b2
Revises: c4d6e8f0a2b3
Create Date: 2026-12-04 12:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'a9e1f3c5d7b2'
down_revision: Union[str, None] = 'c4d6e8f0a2b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('apitoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', practice.models.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', practice.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['teammember.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apitoken_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_member_id'))
    op.drop_table('apitoken')
