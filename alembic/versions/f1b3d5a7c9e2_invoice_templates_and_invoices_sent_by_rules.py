"""invoice templates (`send invoice "T" to account`), and on invoices the job a rule sent one for, its action key and
template, and when it was first fully paid

Revision ID: f1b3d5a7c9e2
Revises: a4c6e8f0b2d4
Create Date: 2026-12-05 05:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'f1b3d5a7c9e2'
down_revision: Union[str, None] = 'a4c6e8f0b2d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'invoicetemplate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('terms', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('due_days', sa.Integer(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('template_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_job_id'), ['job_id'], unique=False)
        batch_op.create_unique_constraint('uq_invoice_key', ['key'])
        batch_op.create_foreign_key('fk_invoice_job_id_job', 'job', ['job_id'], ['id'])
        batch_op.create_foreign_key('fk_invoice_template_id_invoicetemplate', 'invoicetemplate', ['template_id'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invoice_template_id_invoicetemplate', type_='foreignkey')
        batch_op.drop_constraint('fk_invoice_job_id_job', type_='foreignkey')
        batch_op.drop_constraint('uq_invoice_key', type_='unique')
        batch_op.drop_index(batch_op.f('ix_invoice_job_id'))
        batch_op.drop_column('paid_at')
        batch_op.drop_column('template_id')
        batch_op.drop_column('key')
        batch_op.drop_column('job_id')
    op.drop_table('invoicetemplate')
