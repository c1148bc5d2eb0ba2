"""signers choose the email code one by one

Revision ID: 8c1b3eabaf71
Revises: 98766853094f
Create Date: 2026-11-27 01:10:48.558380
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = '8c1b3eabaf71'
down_revision: Union[str, None] = '98766853094f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy); the server default fills the rows already there (NOT NULL needs one).
    op.add_column('signer', sa.Column('require_email_code', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Existing requests asked every signer for the code or none: each signer keeps its request's choice.
    op.execute("UPDATE signer SET require_email_code = (SELECT signaturerequest.require_email_code "
               "FROM signaturerequest WHERE signaturerequest.id = signer.request_id)")


def downgrade() -> None:
    with op.batch_alter_table('signer', schema=None) as batch_op:
        batch_op.drop_column('require_email_code')
