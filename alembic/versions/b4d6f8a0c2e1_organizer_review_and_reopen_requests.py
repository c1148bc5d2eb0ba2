"""organizers: staff mark a submitted one reviewed; a client asks to reopen one

Revision ID: b4d6f8a0c2e1
Revises: b8f2c4d6e1a3
Create Date: 2026-12-04 13:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import UTCDateTime


revision: str = 'b4d6f8a0c2e1'
down_revision: Union[str, None] = 'b8f2c4d6e1a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('organizer') as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_label', sa.String(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reopen_requested_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.String(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('organizer') as batch_op:
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopen_requested_at')
        batch_op.drop_column('reviewed_by_label')
        batch_op.drop_column('reviewed_at')
