"""chat attachments: files sent with a message, kept as the account's documents

Revision ID: c4d8e2a6f1b3
Revises: a9e1f3c5d7b2
Create Date: 2026-12-04 12:45:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c4d8e2a6f1b3'
down_revision: Union[str, None] = 'a9e1f3c5d7b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'chatattachment',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id']),
        sa.ForeignKeyConstraint(['message_id'], ['chatmessage.id']),
        sa.PrimaryKeyConstraint('message_id', 'document_id'),
    )
    with op.batch_alter_table('chatattachment') as batch_op:
        batch_op.create_index(batch_op.f('ix_chatattachment_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chatattachment') as batch_op:
        batch_op.drop_index(batch_op.f('ix_chatattachment_document_id'))
    op.drop_table('chatattachment')
