"""shared or internal documents and folders, and the documents' trash

Revision ID: b3c1d2e4f5a6
Revises: 5d0c7a1e2b93
Create Date: 2026-12-03 11:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'b3c1d2e4f5a6'
down_revision: Union[str, None] = '5d0c7a1e2b93'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMNs; the server defaults fill the rows already there: what clients saw stays shared.
    op.add_column('folder', sa.Column('shared', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('foldertemplateitem', sa.Column('shared', sa.Boolean(), nullable=False,
                                                  server_default=sa.true()))
    op.add_column('document', sa.Column('shared', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('document', sa.Column('deleted_by_label', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                        server_default=''))
    # The unsigned original of a signature request was never meant for the portal: it becomes internal
    # (the signed copy stays shared).
    op.execute("UPDATE document SET shared = false WHERE id IN (SELECT document_id FROM signaturerequest)")


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('deleted_by_label')
        batch_op.drop_column('shared')
    with op.batch_alter_table('foldertemplateitem', schema=None) as batch_op:
        batch_op.drop_column('shared')
    with op.batch_alter_table('folder', schema=None) as batch_op:
        batch_op.drop_column('shared')
