"""French versions of organizer questions: section titles, question labels, help texts and choice labels, and the
language a client submitted an organizer in

Revision ID: c9e1f3a5b7d2
Revises: c1a9e3f5b7d2
Create Date: 2026-12-05 01:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c9e1f3a5b7d2'
down_revision: Union[str, None] = 'c1a9e3f5b7d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TEXTS = [("organizersection", "title_fr"), ("organizerquestion", "label_fr"), ("organizerquestion", "help_fr"),
         ("organizer", "language")]


def upgrade() -> None:
    for table, column in TEXTS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                       server_default=""))
    with op.batch_alter_table("organizerquestion") as batch:
        batch.add_column(sa.Column("options_fr", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("organizerquestion") as batch:
        batch.drop_column("options_fr")
    for table, column in reversed(TEXTS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
