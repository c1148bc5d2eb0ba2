"""the answers' PDF the worker files in the account's documents when an organizer is submitted

Revision ID: a4c6e8f0b2d4
Revises: e3c9a5b7d1f4
Create Date: 2026-12-05 04:55:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a4c6e8f0b2d4'
down_revision: Union[str, None] = 'e3c9a5b7d1f4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('organizer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_organizer_answers_document_id_document', 'document',
                                    ['answers_document_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('organizer', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organizer_answers_document_id_document', type_='foreignkey')
        batch_op.drop_column('answers_document_id')
