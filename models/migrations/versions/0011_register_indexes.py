"""register indexes: (category, active) and (flag, case_id) cover the launch's selection

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 04:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_active')
        batch_op.drop_index('ix_case_record_category')
        batch_op.create_index('ix_case_record_category_active', ['category', 'active'], unique=False)
    with op.batch_alter_table('case_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_case_flag_flag')
        batch_op.create_index('ix_case_flag_flag_case', ['flag', 'case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_case_flag_flag_case')
        batch_op.create_index('ix_case_flag_flag', ['flag'], unique=False)
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_category_active')
        batch_op.create_index('ix_case_record_category', ['category'], unique=False)
        batch_op.create_index('ix_case_record_active', ['active'], unique=False)
