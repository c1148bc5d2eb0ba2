"""daily backup settings: the folder, how many to keep, and how the last backup went

Revision ID: b7e3d95a0c41
Revises: d9e2f4a6b8c1
Create Date: 2026-12-03 18:50:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'b7e3d95a0c41'
down_revision: Union[str, None] = 'd9e2f4a6b8c1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'backupsettings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('folder', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('keep', sa.Integer(), nullable=False),
        sa.Column('last_at', UTCDateTime(), nullable=True),
        sa.Column('last_ok', sa.Boolean(), nullable=False),
        sa.Column('last_result', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('backupsettings')
