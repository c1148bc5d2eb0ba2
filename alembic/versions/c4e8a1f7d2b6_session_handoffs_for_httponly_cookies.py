"""session handoffs: the one-time token the page trades for its HttpOnly session cookie

Revision ID: c4e8a1f7d2b6
Revises: c4e8a1f07b2d
Create Date: 2026-12-03 15:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'c4e8a1f7d2b6'
down_revision: Union[str, None] = 'c4e8a1f07b2d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('sessionhandoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('session_row_id', sa.Integer(), nullable=False),
    sa.Column('next_path', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('used_at', practice.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('sessionhandoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessionhandoff_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sessionhandoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessionhandoff_expires_at'))
    op.drop_table('sessionhandoff')
