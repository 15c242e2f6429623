"""coordinator keys: an API key belongs to an agency or to a coordinator (a person)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_HOLDER = (
    "(kind = 'agency' AND agency_id IS NOT NULL AND person_id IS NULL) OR "
    "(kind = 'coordinator' AND person_id IS NOT NULL AND agency_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), nullable=False, server_default='agency')
        )
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_api_key_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key('fk_api_key_person_id', 'person', ['person_id'], ['id'])
        batch_op.create_check_constraint('ck_api_key_one_holder', ONE_HOLDER)
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM api_key WHERE kind = 'coordinator'")
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_constraint('ck_api_key_one_holder', type_='check')
        batch_op.drop_constraint('fk_api_key_person_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_key_person_id'))
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('person_id')
        batch_op.drop_column('kind')
