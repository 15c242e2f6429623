"""Workflows (Prefect flows) and the `jointaudit` command line."""
