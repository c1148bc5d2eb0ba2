"""audit rows name the REST API token a write came through

Revision ID: c1a9e3f5b7d2
Revises: a4c6e8f0b2d3
Create Date: 2026-12-05 01:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c1a9e3f5b7d2'
down_revision: Union[str, None] = 'a4c6e8f0b2d3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('api_token_label', sqlmodel.sql.sqltypes.AutoString(), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_auditlog_api_token_id'), ['api_token_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('auditlog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditlog_api_token_id'))
        batch_op.drop_column('api_token_label')
        batch_op.drop_column('api_token_id')
