"""Alembic environment: runs against the engine jointaudit hands over (or the configured one)."""

from alembic import context

from models.db import get_engine
from models.tables import metadata

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
