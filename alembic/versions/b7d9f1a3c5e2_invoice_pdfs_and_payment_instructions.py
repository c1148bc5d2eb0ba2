"""invoice PDFs filed in the account's documents (and their VOID copies), the firm's payment instructions

Revision ID: b7d9f1a3c5e2
Revises: d2b8f4a6c0e3
Create Date: 2026-12-05 01:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'b7d9f1a3c5e2'
down_revision: Union[str, None] = 'd2b8f4a6c0e3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_instructions', sqlmodel.sql.sqltypes.AutoString(), server_default='',
                                      nullable=False))
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_invoice_pdf_document_id_document', 'document', ['pdf_document_id'], ['id'])
        batch_op.create_foreign_key('fk_invoice_void_document_id_document', 'document', ['void_document_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invoice_void_document_id_document', type_='foreignkey')
        batch_op.drop_constraint('fk_invoice_pdf_document_id_document', type_='foreignkey')
        batch_op.drop_column('void_document_id')
        batch_op.drop_column('pdf_document_id')
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_column('payment_instructions')
