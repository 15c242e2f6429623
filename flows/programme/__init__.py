"""The audit programme for the year: a YAML plan, launched on time by a scheduled flow.

May import models/, notifications/ and the other flows/ packages; never agencies/ or flows/cli/.
"""
