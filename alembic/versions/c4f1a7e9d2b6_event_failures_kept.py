"""events set aside: the last failure in a sentence, and who dismissed one and when

Revision ID: c4f1a7e9d2b6
Revises: e1f2a3b4c5d6
Create Date: 2026-12-03 21:50:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'c4f1a7e9d2b6'
down_revision: Union[str, None] = 'e1f2a3b4c5d6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('dismissed_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('dismissed_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.drop_column('dismissed_by')
        batch.drop_column('dismissed_at')
        batch.drop_column('last_error')
