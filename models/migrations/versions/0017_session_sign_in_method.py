"""sessions record how and when the person signed in (an emailed link or a provider)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_in_with', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('authenticated_at', models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.drop_column('authenticated_at')
        batch_op.drop_column('signed_in_with')
