"""Domain models, settings and database access for jointaudit."""
