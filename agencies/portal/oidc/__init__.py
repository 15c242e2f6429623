"""Signing in with an organisation's OpenID Connect provider (authorization code, PKCE).

The provider client and its discovery, the ID token checks and the pending sign-in cookie.
May import models/ only; the portal's routes and signing.py build on it.
"""
