"""Data and rules: settings, the database, one module per entity family, questionnaire/ (typed
tool definitions, the built-in tools and their catalog) and migrations/ (Alembic).

Imports only models/: everything else builds on it.
"""
