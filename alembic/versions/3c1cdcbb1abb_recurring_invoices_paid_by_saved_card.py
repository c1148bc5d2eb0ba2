"""recurring invoices paid by a client's saved card: the provider's customer and card ids and the client's consent

Revision ID: 3c1cdcbb1abb
Revises: e7a1c3b5d9f2
Create Date: 2026-12-05 12:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from practice.models import UTCDateTime


revision: str = '3c1cdcbb1abb'
down_revision: Union[str, None] = 'e7a1c3b5d9f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TEXTS = ("card_customer_id", "card_method_id", "card_label", "card_consent_by", "card_consent_text")


def upgrade() -> None:
    for name in TEXTS:
        op.add_column('recurringinvoice', sa.Column(name, sa.String(), nullable=False, server_default=''))
    op.add_column('recurringinvoice', sa.Column('card_consent_contact_id', sa.Integer(), nullable=True))
    op.add_column('recurringinvoice', sa.Column('card_consent_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recurringinvoice', schema=None) as batch_op:
        for name in ('card_consent_at', 'card_consent_contact_id', *reversed(TEXTS)):
            batch_op.drop_column(name)
