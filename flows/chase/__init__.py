"""Chasing overdue responses: a pure policy, a database sweep and the Prefect flow."""
