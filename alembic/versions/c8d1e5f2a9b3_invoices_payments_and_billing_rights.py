"""invoices with their lines, the firm's invoice counter, payments and credits, and the two billing rights of team
members (manage invoices and payments; see billing)

Revision ID: c8d1e5f2a9b3
Revises: c4d8e2a6f1b3
Create Date: 2026-12-04 12:50:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'c8d1e5f2a9b3'
down_revision: Union[str, None] = 'c4d8e2a6f1b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATUSES = ('draft', 'sent', 'partly_paid', 'paid', 'void')
METHODS = ('check', 'bank_transfer', 'cash', 'credit')


def upgrade() -> None:
    op.add_column('teammember', sa.Column('can_manage_billing', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.add_column('teammember', sa.Column('can_see_billing', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.create_table(
        'invoice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum(*STATUSES, name='invoicestatus'), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('terms', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('subtotal_cents', sa.Integer(), nullable=False),
        sa.Column('discount_cents', sa.Integer(), nullable=False),
        sa.Column('tax_cents', sa.Integer(), nullable=False),
        sa.Column('total_cents', sa.Integer(), nullable=False),
        sa.Column('paid_cents', sa.Integer(), nullable=False),
        sa.Column('credited_cents', sa.Integer(), nullable=False),
        sa.Column('created_by_member_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('voided_at', UTCDateTime(), nullable=True),
        sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['created_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_invoice_account_status', 'invoice', ['account_id', 'status'], unique=False)
    op.create_index('ix_invoice_status', 'invoice', ['status', 'id'], unique=False)
    op.create_table(
        'invoiceline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('quantity_hundredths', sa.Integer(), nullable=False),
        sa.Column('rate_cents', sa.Integer(), nullable=False),
        sa.Column('discount_bp', sa.Integer(), nullable=False),
        sa.Column('tax_bp', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('discount_cents', sa.Integer(), nullable=False),
        sa.Column('tax_cents', sa.Integer(), nullable=False),
        sa.Column('total_cents', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['service_id'], ['service.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_invoiceline_invoice_id'), 'invoiceline', ['invoice_id'], unique=False)
    op.create_table(
        'invoicecounter',
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['firm_id'], ['firm.id']),
        sa.PrimaryKeyConstraint('firm_id'),
    )
    op.create_table(
        'payment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('method', sa.Enum(*METHODS, name='paymentmethod'), nullable=False),
        sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_member_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['recorded_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_payment_account', 'payment', ['account_id', 'received_on'], unique=False)
    op.create_index(op.f('ix_payment_invoice_id'), 'payment', ['invoice_id'], unique=False)


def downgrade() -> None:
    op.drop_table('payment')
    op.drop_table('invoicecounter')
    op.drop_table('invoiceline')
    op.drop_table('invoice')
    with op.batch_alter_table('teammember') as batch_op:
        batch_op.drop_column('can_see_billing')
        batch_op.drop_column('can_manage_billing')
