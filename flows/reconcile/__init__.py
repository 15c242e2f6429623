"""Reconciling the agencies' perspectives: compliance, agreement, discrepancies, moderation."""
