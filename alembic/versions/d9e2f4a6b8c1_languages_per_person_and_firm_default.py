"""languages: each team member and contact may choose theirs; the firm's default for those who chose none

Revision ID: d9e2f4a6b8c1
Revises: d2f6a9c1e3b7
Create Date: 2026-12-03 18:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'd9e2f4a6b8c1'
down_revision: Union[str, None] = 'd2f6a9c1e3b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='en'))
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    for table in ('contact', 'teammember', 'firm'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
