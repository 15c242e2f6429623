"""The configured providers of a portal, and which of them serve an address."""

from __future__ import annotations

from fastapi import Request

from agencies.portal.oidc.client import ProviderClient
from models.settings import Settings


def provider_clients(settings: Settings) -> dict[str, ProviderClient]:
    """One client per configured provider, by key."""
    return {
        provider.key: ProviderClient(
            provider, base_url=settings.portal_base_url, timeout=settings.http_timeout_seconds
        )
        for provider in settings.oidc_providers
    }


def clients(request: Request) -> dict[str, ProviderClient]:
    """The portal's provider clients."""
    found: dict[str, ProviderClient] = request.app.state.oidc
    return found


def serving(request: Request, email: str) -> list[ProviderClient]:
    """The providers that serve this address (the ones a domain lists first)."""
    everyone = list(clients(request).values())
    listed = [c for c in everyone if c.provider.domains and c.provider.serves(email)]
    return listed or [c for c in everyone if not c.provider.domains]
