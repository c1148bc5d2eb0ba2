"""time entries (timers and typed time, billed on invoices), the time rights and hourly rate of team members, and
the firm's idle limit for timers

Revision ID: d5f7a9c1e3b4
Revises: f1b3d5a7c9e2
Create Date: 2026-12-05 04:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'd5f7a9c1e3b4'
down_revision: Union[str, None] = 'f1b3d5a7c9e2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RUNNING = "started_at IS NOT NULL AND ended_at IS NULL"


def upgrade() -> None:
    op.add_column('firm', sa.Column('timer_idle_limit_minutes', sa.Integer(), nullable=False, server_default='240'))
    op.add_column('teammember', sa.Column('can_track_time', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('teammember', sa.Column('can_edit_others_time', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.add_column('teammember', sa.Column('hourly_rate_cents', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'timeentry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('work_date', sa.Date(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('billable', sa.Boolean(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('rate_cents', sa.Integer(), nullable=True),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('invoice_line_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['invoice_line_id'], ['invoiceline.id']),
        sa.ForeignKeyConstraint(['job_id'], ['job.id']),
        sa.ForeignKeyConstraint(['member_id'], ['teammember.id']),
        sa.ForeignKeyConstraint(['service_id'], ['service.id']),
        sa.ForeignKeyConstraint(['task_id'], ['task.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    # One running timer per member, whatever the code does: a second one breaks this index.
    op.create_index('uq_timeentry_running', 'timeentry', ['member_id'], unique=True,
                    sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))
    op.create_index('ix_timeentry_account_invoice', 'timeentry', ['account_id', 'invoice_id'], unique=False)
    op.create_index('ix_timeentry_member_day', 'timeentry', ['member_id', 'work_date'], unique=False)
    op.create_index('ix_timeentry_job', 'timeentry', ['job_id'], unique=False)
    op.create_index('ix_timeentry_invoice', 'timeentry', ['invoice_id'], unique=False)
    op.create_index(op.f('ix_timeentry_updated_at'), 'timeentry', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_table('timeentry')
    with op.batch_alter_table('teammember') as batch_op:
        batch_op.drop_column('hourly_rate_cents')
        batch_op.drop_column('can_edit_others_time')
        batch_op.drop_column('can_track_time')
    with op.batch_alter_table('firm') as batch_op:
        batch_op.drop_column('timer_idle_limit_minutes')
