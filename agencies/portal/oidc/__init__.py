"""Signing in with an organisation's OpenID Connect provider (authorization code, PKCE)."""
