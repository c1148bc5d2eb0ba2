"""organizers sent to accounts: the client's answers to a template, their status and timestamps

Revision ID: f3a8c2d1e4b7
Revises: a7c3e9f1b2d4
Create Date: 2026-12-04 03:50:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'f3a8c2d1e4b7'
down_revision: Union[str, None] = 'a7c3e9f1b2d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'organizer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('status', sa.Enum('sent', 'in_progress', 'submitted', 'reopened', name='organizerstatus'),
                  nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('previous_id', sa.Integer(), nullable=True),
        sa.Column('sent_by_member_id', sa.Integer(), nullable=True),
        sa.Column('sent_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('submitted_at', UTCDateTime(), nullable=True),
        sa.Column('submitted_by_contact_id', sa.Integer(), nullable=True),
        sa.Column('reopened_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['job_id'], ['job.id']),
        sa.ForeignKeyConstraint(['previous_id'], ['organizer.id']),
        sa.ForeignKeyConstraint(['sent_by_member_id'], ['teammember.id']),
        sa.ForeignKeyConstraint(['submitted_by_contact_id'], ['contact.id']),
        sa.ForeignKeyConstraint(['template_id'], ['organizertemplate.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('organizer') as batch_op:
        batch_op.create_index('ix_organizer_account_template', ['account_id', 'template_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizer_job_id'), ['job_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organizer') as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizer_job_id'))
        batch_op.drop_index('ix_organizer_account_template')
    op.drop_table('organizer')
