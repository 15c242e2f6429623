"""Rounds: eligibility, selection, launch (and its flow), re-audit, state, changes while a round
runs, membership, the messages they queue, round views and access grants.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
