"""online card payments: the firm's payment provider settings, the card method, and the provider's id of each online
payment (unique: a webhook delivered again records nothing)

Revision ID: e2b4c6d8f0a1
Revises: a4d6f8b0c2e3
Create Date: 2026-12-05 08:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'e2b4c6d8f0a1'
down_revision: Union[str, None] = 'a4d6f8b0c2e3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL keeps the methods as an enum type; SQLite as text.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE paymentmethod ADD VALUE IF NOT EXISTS 'card'")
    op.create_table(
        'paymentsettings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('secret_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('publishable_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('webhook_secret', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('checked_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_payment_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_provider_payment_id'), ['provider_payment_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_provider_payment_id'))
        batch_op.drop_column('provider_payment_id')
    op.drop_table('paymentsettings')
