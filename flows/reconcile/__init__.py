"""Reconciling the agencies' perspectives: compliance, agreement (agreement/), discrepancies,
moderation, and the reconcile flows.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
