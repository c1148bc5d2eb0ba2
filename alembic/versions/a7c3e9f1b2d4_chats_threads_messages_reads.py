"""chats: threads per account, messages (internal notes too), read marks, message templates; client tasks asked in a message

Revision ID: a7c3e9f1b2d4
Revises: e5a7c3f9b1d2
Create Date: 2026-12-04 03:40:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from practice.models import UTCDateTime


revision: str = 'a7c3e9f1b2d4'
down_revision: Union[str, None] = 'e5a7c3f9b1d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'chatthread',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by_member_id', sa.Integer(), nullable=True),
        sa.Column('last_message_at', UTCDateTime(), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['job_id'], ['job.id']),
        sa.ForeignKeyConstraint(['created_by_member_id'], ['teammember.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('chatthread') as batch_op:
        batch_op.create_index('ix_chatthread_account', ['account_id', 'last_message_at'], unique=False)
        batch_op.create_index('ix_chatthread_job_id', ['job_id'], unique=False)
    op.create_table(
        'chatmessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('author_member_id', sa.Integer(), nullable=True),
        sa.Column('author_contact_id', sa.Integer(), nullable=True),
        sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('internal', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('edited_at', UTCDateTime(), nullable=True),
        sa.Column('notice_due_at', UTCDateTime(), nullable=True),
        sa.Column('notice_done_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['thread_id'], ['chatthread.id']),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['author_member_id'], ['teammember.id']),
        sa.ForeignKeyConstraint(['author_contact_id'], ['contact.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('chatmessage') as batch_op:
        batch_op.create_index('ix_chatmessage_thread', ['thread_id', 'id'], unique=False)
        batch_op.create_index('ix_chatmessage_notice', ['notice_due_at'], unique=False)
        batch_op.create_index('ix_chatmessage_account_id', ['account_id'], unique=False)
    op.create_table(
        'chatread',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('last_read_message_id', sa.Integer(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['chatthread.id']),
        sa.ForeignKeyConstraint(['member_id'], ['teammember.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('chatread') as batch_op:
        batch_op.create_index('uq_chatread_member', ['thread_id', 'member_id'], unique=True)
        batch_op.create_index('uq_chatread_contact', ['thread_id', 'contact_id'], unique=True)
    op.create_table(
        'messagetemplate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('subject_fr', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('body_fr', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    with op.batch_alter_table('clienttask') as batch_op:
        batch_op.alter_column('job_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_clienttask_message_id', 'chatmessage', ['message_id'], ['id'])
        batch_op.create_index('ix_clienttask_message_id', ['message_id'], unique=False)
    with op.batch_alter_table('firm') as batch_op:
        batch_op.add_column(sa.Column('chat_notice_delay_minutes', sa.Integer(), server_default='5', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('firm') as batch_op:
        batch_op.drop_column('chat_notice_delay_minutes')
    op.execute("DELETE FROM clienttask WHERE job_id IS NULL")
    with op.batch_alter_table('clienttask') as batch_op:
        batch_op.drop_index('ix_clienttask_message_id')
        batch_op.drop_constraint('fk_clienttask_message_id', type_='foreignkey')
        batch_op.drop_column('due_date')
        batch_op.drop_column('message_id')
        batch_op.alter_column('job_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('messagetemplate')
    for table, indexes in (('chatread', ('uq_chatread_member', 'uq_chatread_contact')),
                           ('chatmessage', ('ix_chatmessage_thread', 'ix_chatmessage_notice',
                                            'ix_chatmessage_account_id')),
                           ('chatthread', ('ix_chatthread_account', 'ix_chatthread_job_id'))):
        with op.batch_alter_table(table) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
        op.drop_table(table)
