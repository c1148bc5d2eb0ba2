"""webhooks: subscriptions, their deliveries, and the firm's webhook settings

Revision ID: b8f2c4d6e1a3
Revises: c8d1e5f2a9b3
Create Date: 2026-12-04 13:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'b8f2c4d6e1a3'
down_revision: Union[str, None] = 'c8d1e5f2a9b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('webhooksettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('allow_private_addresses', sa.Boolean(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('webhooksubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('disabled_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('after_event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', practice.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['teammember.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhooksubscription_owner_id'), ['owner_id'], unique=False)
    op.create_table('webhookdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'delivered', 'failed', name='deliverystatus'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('lease_until', practice.models.UTCDateTime(), nullable=True),
    sa.Column('last_code', sa.Integer(), nullable=True),
    sa.Column('last_answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', practice.models.UTCDateTime(), nullable=False),
    sa.Column('delivered_at', practice.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhooksubscription.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key'),
    sa.UniqueConstraint('subscription_id', 'event_id', name='uq_webhook_delivery_event')
    )
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhookdelivery_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_subscription_id'), ['subscription_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_subscription_id'))
        batch_op.drop_index('ix_webhookdelivery_due')
    op.drop_table('webhookdelivery')
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhooksubscription_owner_id'))
    op.drop_table('webhooksubscription')
    op.drop_table('webhooksettings')
    sa.Enum(name='deliverystatus').drop(op.get_bind(), checkfirst=True)
