"""a tax on the whole invoice: its rate and amount on invoices, each line's share, and the rate on invoice templates
and recurring series

Revision ID: b4d6f8a0c2e5
Revises: d3f5b7a9c1e4
Create Date: 2026-12-05 15:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'b4d6f8a0c2e5'
down_revision: Union[str, None] = 'd3f5b7a9c1e4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = (('invoice', 'whole_tax_bp'), ('invoice', 'whole_tax_cents'), ('invoiceline', 'whole_tax_cents'),
           ('invoicetemplate', 'whole_tax_bp'), ('recurringinvoice', 'whole_tax_bp'))


def upgrade() -> None:
    # Plain ADD COLUMNs: rebuilding these tables in batch mode would drop `invoice`, which lines, payments, refunds,
    # proposals and documents refer to, and fail the upgrade of any firm with an invoice.
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
