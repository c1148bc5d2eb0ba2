"""webhooks sent by the rules' `send webhook "URL"`: a subscription per address made for the rules, and deliveries
kept unique by their webhook-id alone (a rule's delivery is one per action, not one per event)

Revision ID: d3a5c7e9f1b2
Revises: b4d6f8a0c2e1
Create Date: 2026-12-04 22:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'd3a5c7e9f1b2'
down_revision: Union[str, None] = 'b4d6f8a0c2e1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_rules', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.drop_constraint('uq_webhook_delivery_event', type_='unique')


def downgrade() -> None:
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_webhook_delivery_event', ['subscription_id', 'event_id'])
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.drop_column('from_rules')
