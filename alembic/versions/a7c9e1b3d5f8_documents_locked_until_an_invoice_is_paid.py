"""documents locked until an invoice is paid: the client sees them listed and opens them once it is paid

Revision ID: a7c9e1b3d5f8
Revises: c2e4a6b8d0f1
Create Date: 2026-12-05 12:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a7c9e1b3d5f8'
down_revision: Union[str, None] = 'c2e4a6b8d0f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite (its reference written inline): rebuilding the table with batch mode would drop
    # `document`, which the rows of signature requests and invoices refer to.
    if op.get_bind().dialect.name == "sqlite":
        op.add_column('document', sa.Column('locked_by_invoice_id', sa.Integer(), sa.ForeignKey('invoice.id'),
                                            nullable=True), inline_references=True)
    else:
        op.add_column('document', sa.Column('locked_by_invoice_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_document_locked_by_invoice_id_invoice', 'document', 'invoice',
                              ['locked_by_invoice_id'], ['id'])
    op.create_index(op.f('ix_document_locked_by_invoice_id'), 'document', ['locked_by_invoice_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_document_locked_by_invoice_id'), table_name='document')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('document', schema=None) as batch_op:
            batch_op.drop_column('locked_by_invoice_id')
    else:
        op.drop_constraint('fk_document_locked_by_invoice_id_invoice', 'document', type_='foreignkey')
        op.drop_column('document', 'locked_by_invoice_id')
