"""Answers: the store (draft, submit, amend), who may see which assignment, concerns, identities,
the completeness rules and the answers export.

May import models/ and notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
