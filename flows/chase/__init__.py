"""Chasing: a pure policy (policy.py), the database sweep, one chase of responses and actions
(run.py) and the `chase-overdue` flow.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
