"""credits and refunds: an account's credit notes, refunds of recorded payments, a discount on the whole invoice

Revision ID: e7a1c3b5d9f2
Revises: a7c9e1b3d5f8
Create Date: 2026-12-05 12:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'e7a1c3b5d9f2'
down_revision: Union[str, None] = 'a7c9e1b3d5f8'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'creditnote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('applied_cents', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('created_by_member_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['created_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('creditnote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_creditnote_account_id'), ['account_id'], unique=False)
    op.create_table(
        'refund',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('refunded_on', sa.Date(), nullable=False),
        sa.Column('provider_refund_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('recorded_by_member_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['recorded_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_refund_id'),
    )
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_invoice_id'), ['invoice_id'], unique=False)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_note_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_payment_credit_note_id_creditnote', 'creditnote', ['credit_note_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_payment_credit_note_id'), ['credit_note_id'], unique=False)
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        for name in ('whole_discount_bp', 'whole_discount_fixed_cents', 'whole_discount_cents'):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('invoiceline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whole_discount_cents', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('invoiceline', schema=None) as batch_op:
        batch_op.drop_column('whole_discount_cents')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        for name in ('whole_discount_cents', 'whole_discount_fixed_cents', 'whole_discount_bp'):
            batch_op.drop_column(name)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_credit_note_id'))
        batch_op.drop_constraint('fk_payment_credit_note_id_creditnote', type_='foreignkey')
        batch_op.drop_column('credit_note_id')
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_refund_payment_id'))
    op.drop_table('refund')
    with op.batch_alter_table('creditnote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_creditnote_account_id'))
    op.drop_table('creditnote')
