"""concerns: what the auditor wrote (encrypted), immediate risk, the front door's decision and
reference, grants to one concern, the front door's phone, and sign-in links' landing pages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('immediate_risk', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('ciphertext', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('referral_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_concern_decided_by_person', 'person', ['decided_by'], ['id'])
    op.create_table('concern_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('concern_id', 'person_id')
    )
    with op.batch_alter_table('concern_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_grant_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_grant_person_id'), ['person_id'], unique=False)
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('front_door_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('landing', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sign_in_token', schema=None) as batch_op:
        batch_op.drop_column('landing')
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_column('front_door_phone')
    with op.batch_alter_table('concern_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_grant_person_id'))
        batch_op.drop_index(batch_op.f('ix_concern_grant_concern_id'))
    op.drop_table('concern_grant')
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_constraint('fk_concern_decided_by_person', type_='foreignkey')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('referral_reference')
        batch_op.drop_column('ciphertext')
        batch_op.drop_column('key_id')
        batch_op.drop_column('immediate_risk')
