"""Alembic migrations of the domain database (versions/), run by `jointaudit init`."""
