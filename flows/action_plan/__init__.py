"""The joint action plan: drafting from findings, editing, approval, owners' updates, chasing.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
