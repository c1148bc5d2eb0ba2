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
    with op.batch_alter_table('proposaltemplate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_payment', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_payment', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('invoice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposal_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_foreign_key('fk_proposal_invoice_id_invoice', 'invoice', ['invoice_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_proposal_invoice_id_invoice', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposal_invoice_id'))
        batch_op.drop_column('invoice_id')
        batch_op.drop_column('require_payment')
    with op.batch_alter_table('proposaltemplate', schema=None) as batch_op:
        batch_op.drop_column('require_payment')
