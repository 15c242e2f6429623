"""report front sheet: the board report's front-sheet fields and commentary, versioned

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['audit_round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'field', 'version')
    )
    with op.batch_alter_table('report_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_text_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_text_round_id'))
    op.drop_table('report_text')
