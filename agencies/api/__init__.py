"""The JSON API for agency systems under /api/v1, authenticated by per-agency API keys.

May import agencies/deps.py, flows/, notifications/ and models/; never agencies/portal/.
"""
