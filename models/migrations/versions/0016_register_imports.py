"""register imports: large uploads handed to the import-case-register deployment

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'register_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('source_name', sa.String(length=500), nullable=False),
        sa.Column('rows_estimated', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('key_id', sa.String(length=32), nullable=False),
        sa.Column('flow_run_id', sa.String(length=36), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('deactivated', sa.Integer(), nullable=False),
        sa.Column('problem_count', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=320), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'register_import_problem',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('line', sa.String(length=20), nullable=False),
        sa.Column('column_name', sa.String(length=200), nullable=False),
        sa.Column('rule', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['register_import.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('import_id', 'position'),
    )
    op.create_index(
        op.f('ix_register_import_problem_import_id'),
        'register_import_problem',
        ['import_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f('ix_register_import_problem_import_id'), table_name='register_import_problem'
    )
    op.drop_table('register_import_problem')
    op.drop_table('register_import')
