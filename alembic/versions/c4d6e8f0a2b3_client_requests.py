"""client requests: templates, requests sent through a link scoped to one request, their items, verified devices

Revision ID: c4d6e8f0a2b3
Revises: b7c2d4e6f8a1
Create Date: 2026-12-04 12:45:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'c4d6e8f0a2b3'
down_revision: Union[str, None] = 'b7c2d4e6f8a1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'clientrequesttemplate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', S(), nullable=False),
        sa.Column('title', S(), nullable=False),
        sa.Column('message', S(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'clientrequest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('template_id', sa.Integer(), nullable=True),
        sa.Column('title', S(), nullable=False),
        sa.Column('message', S(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('recipient_name', S(), nullable=False),
        sa.Column('recipient_email', S(), nullable=False),
        sa.Column('status', sa.Enum('open', 'completed', 'revoked', name='clientrequeststatus'), nullable=False),
        sa.Column('token_hash', S(), nullable=False),
        sa.Column('link_nonce', S(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_by_member_id', sa.Integer(), nullable=True),
        sa.Column('sent_by_label', S(), nullable=False),
        sa.Column('completed_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_by_label', S(), nullable=False),
        sa.Column('last_opened_at', UTCDateTime(), nullable=True),
        sa.Column('key', S(), nullable=True),
        sa.Column('code_hash', S(), nullable=False),
        sa.Column('code_sent_at', UTCDateTime(), nullable=True),
        sa.Column('code_expires_at', UTCDateTime(), nullable=True),
        sa.Column('code_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['job_id'], ['job.id']),
        sa.ForeignKeyConstraint(['template_id'], ['clientrequesttemplate.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id']),
        sa.ForeignKeyConstraint(['sent_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('clientrequest') as batch_op:
        batch_op.create_index('ix_clientrequest_job', ['job_id', 'created_at'], unique=False)
        batch_op.create_index('ix_clientrequest_account', ['account_id', 'created_at'], unique=False)
    op.create_table(
        'clientrequestitem',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', S(), nullable=False),
        sa.Column('label', S(), nullable=False),
        sa.Column('note', S(), nullable=False),
        sa.Column('answer_text', S(), nullable=False),
        sa.Column('answer_yes', sa.Boolean(), nullable=True),
        sa.Column('document_ids', sa.JSON(), nullable=False),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['clientrequest.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('clientrequestitem') as batch_op:
        batch_op.create_index('ix_clientrequestitem_request', ['request_id', 'position'], unique=False)
    op.create_table(
        'clientrequestdevice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('device_hash', S(), nullable=False),
        sa.Column('verified_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['clientrequest.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('clientrequestdevice') as batch_op:
        batch_op.create_index('uq_clientrequestdevice', ['request_id', 'device_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('clientrequestdevice') as batch_op:
        batch_op.drop_index('uq_clientrequestdevice')
    op.drop_table('clientrequestdevice')
    with op.batch_alter_table('clientrequestitem') as batch_op:
        batch_op.drop_index('ix_clientrequestitem_request')
    op.drop_table('clientrequestitem')
    with op.batch_alter_table('clientrequest') as batch_op:
        batch_op.drop_index('ix_clientrequest_account')
        batch_op.drop_index('ix_clientrequest_job')
    op.drop_table('clientrequest')
    op.drop_table('clientrequesttemplate')
