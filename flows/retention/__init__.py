"""Retention: closing and archiving rounds, purging after the retention period, key rotation.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
