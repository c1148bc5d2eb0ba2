"""French names of organizer and proposal templates, and of the organizers and proposals sent from them (what a
client who reads French sees; empty: the name)

Revision ID: a7d3f1c9e5b2
Revises: d5f7a9c1e3b4
Create Date: 2026-12-05 04:55:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'a7d3f1c9e5b2'
down_revision: Union[str, None] = 'd5f7a9c1e3b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("organizertemplate", "organizer", "proposaltemplate", "proposal")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                       server_default=""))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_fr")
