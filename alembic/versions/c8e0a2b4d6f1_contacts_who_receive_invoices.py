"""a contact of an account can be marked as receiving its invoices: the invoice email goes to those marked (to the
portal's contacts as before when none is)

Revision ID: c8e0a2b4d6f1
Revises: e2b4c6d8f0a1
Create Date: 2026-12-05 08:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c8e0a2b4d6f1'
down_revision: Union[str, None] = 'e2b4c6d8f0a1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('accountcontact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receives_invoices', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('accountcontact', schema=None) as batch_op:
        batch_op.drop_column('receives_invoices')
