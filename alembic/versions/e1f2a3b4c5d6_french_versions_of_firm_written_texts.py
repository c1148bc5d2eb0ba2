"""French versions of firm-written texts: email, document and proposal templates, the consent disclosure

Revision ID: e1f2a3b4c5d6
Revises: aacffe303557
Create Date: 2026-12-03 22:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e1f2a3b4c5d6'
down_revision: Union[str, None] = 'aacffe303557'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = [("emailtemplate", "subject_fr"), ("emailtemplate", "body_fr"), ("signingsettings", "disclosure_text_fr"),
           ("documenttemplate", "body_fr"), ("proposaltemplate", "introduction_fr"), ("proposaltemplate", "terms_fr")]


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                       server_default=""))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
