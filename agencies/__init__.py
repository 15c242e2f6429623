"""Delivery: the registry file, shared route dependencies (deps.py), the portal/ and the api/,
and app.py, which composes the two.

May import flows/ (outside flows/cli/), notifications/ and models/. The portal and the API
share only deps.py (and what lies outside both), never each other's modules.
"""
