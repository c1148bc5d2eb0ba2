"""pay at signing: a proposal template can require payment of the first invoice when the client signs (copied onto
each sent proposal), and a signed proposal keeps the invoice it waits for

Revision ID: d3f5b7a9c1e4
Revises: 3c1cdcbb1abb
Create Date: 2026-12-05 12:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'd3f5b7a9c1e4'
down_revision: Union[str, None] = '3c1cdcbb1abb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMNs (on SQLite the reference written inline), as for the document locks: rebuilding the tables in
    # batch mode drops `proposaltemplate` and `proposal`, which template lines, proposal lines and events refer to,
    # and the upgrade of a firm that has any failed ("FOREIGN KEY constraint failed").
    op.add_column('proposaltemplate', sa.Column('require_payment', sa.Boolean(), nullable=False,
                                                server_default=sa.false()))
    op.add_column('proposal', sa.Column('require_payment', sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":
        op.add_column('proposal', sa.Column('invoice_id', sa.Integer(), sa.ForeignKey('invoice.id'), nullable=True),
                      inline_references=True)
    else:
        op.add_column('proposal', sa.Column('invoice_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_proposal_invoice_id_invoice', 'proposal', 'invoice', ['invoice_id'], ['id'])
    op.create_index(op.f('ix_proposal_invoice_id'), 'proposal', ['invoice_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_proposal_invoice_id'), table_name='proposal')
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('proposal', schema=None) as batch_op:
            batch_op.drop_column('invoice_id')
            batch_op.drop_column('require_payment')
    else:
        op.drop_constraint('fk_proposal_invoice_id_invoice', 'proposal', type_='foreignkey')
        op.drop_column('proposal', 'invoice_id')
        op.drop_column('proposal', 'require_payment')
    with op.batch_alter_table('proposaltemplate', schema=None) as batch_op:
        batch_op.drop_column('require_payment')
