"""organizer templates sections and questions

Revision ID: aacffe303557
Revises: b7e3d95a0c41
Create Date: 2026-12-03 21:31:38.842074
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import practice.models


revision: str = 'aacffe303557'
down_revision: Union[str, None] = 'b7e3d95a0c41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('organizertemplate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', practice.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('organizersection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['organizertemplate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organizersection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizersection_template_id'), ['template_id'], unique=False)

    op.create_table('organizerquestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('help', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'long_text', 'number', 'money', 'date', 'yes_no', 'one_of', 'several_of', 'file', 'group', name='questionkind'), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('show_if', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('field_target', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tags_add', sa.JSON(), nullable=False),
    sa.Column('tags_remove', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['organizerquestion.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['organizersection.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['organizertemplate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'key', name='uq_organizerquestion_key')
    )
    with op.batch_alter_table('organizerquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizerquestion_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizerquestion_section_id'), ['section_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizerquestion_template_id'), ['template_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('organizerquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizerquestion_template_id'))
        batch_op.drop_index(batch_op.f('ix_organizerquestion_section_id'))
        batch_op.drop_index(batch_op.f('ix_organizerquestion_parent_id'))

    op.drop_table('organizerquestion')
    with op.batch_alter_table('organizersection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizersection_template_id'))

    op.drop_table('organizersection')
    op.drop_table('organizertemplate')
