"""Alembic migrations of the domain database (versions/), run by `jointaudit init`.

Imports only models/ (the engine and the tables' metadata), like the rest of models/.
"""
