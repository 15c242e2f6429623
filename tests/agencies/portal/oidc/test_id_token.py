"""Which address a provider's claims carry, and when they are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from agencies.portal.oidc.id_token import identity_of, key_id
from models.errors import SignInRefusedError
from models.settings import OidcProvider

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
ISSUED = int(NOW.timestamp())


def _provider(**changes: Any) -> OidcProvider:
    values: dict[str, Any] = {
        "key": "council",
        "name": "Northbridge Council",
        "issuer": "https://login.example.org/tenant/v2.0",
        "client_id": "client",
        "client_secret": SecretStr("secret"),
        "domains": ("Northbridge.gov.uk",),
    }
    values.update(changes)
    return OidcProvider(**values)


def test_entra_ids_upn_claim_carries_the_address_when_the_provider_says_so() -> None:
    claims = {
        "sub": "x",
        "upn": "Priya.Shah@northbridge.gov.uk",
        "iat": ISSUED,
        "auth_time": ISSUED,
    }
    found = identity_of(claims, provider=_provider(email_claim="upn"), now=NOW)
    assert found.email == "priya.shah@northbridge.gov.uk" and found.authenticated_at == NOW


def test_an_address_outside_the_providers_domains_is_refused() -> None:
    claims = {"sub": "x", "email": "someone@elsewhere.example.org"}
    with pytest.raises(SignInRefusedError) as refused:
        identity_of(claims, provider=_provider(), now=NOW)
    assert refused.value.reason == "domain"


def test_claims_without_an_address_are_refused() -> None:
    with pytest.raises(SignInRefusedError) as refused:
        identity_of({"sub": "x", "email": "not an address"}, provider=_provider(), now=NOW)
    assert refused.value.reason == "no_email"


def test_an_explicitly_unverified_address_is_refused_even_in_another_claim() -> None:
    claims = {"sub": "x", "preferred_username": "a@northbridge.gov.uk", "email_verified": False}
    with pytest.raises(SignInRefusedError) as refused:
        identity_of(claims, provider=_provider(email_claim="preferred_username"), now=NOW)
    assert refused.value.reason == "email_unverified"


def test_a_fresh_sign_in_needs_the_provider_to_have_asked_within_max_age() -> None:
    provider = _provider()
    recent = {"email": "a@northbridge.gov.uk", "iat": ISSUED, "auth_time": ISSUED - 30}
    found = identity_of(recent, provider=provider, now=NOW, max_age=900)
    assert found.authenticated_at == NOW - timedelta(seconds=30)
    old = {**recent, "auth_time": ISSUED - 3600}
    with pytest.raises(SignInRefusedError) as refused:
        identity_of(old, provider=provider, now=NOW, max_age=900)
    assert refused.value.reason == "not_fresh"
    with pytest.raises(SignInRefusedError):
        identity_of({"email": "a@northbridge.gov.uk"}, provider=provider, now=NOW, max_age=900)


def test_a_token_signed_with_none_or_the_client_secret_is_refused_before_any_key_is_read() -> None:
    for header in ("eyJhbGciOiJub25lIn0", "eyJhbGciOiJIUzI1NiJ9"):  # {"alg":"none"}, HS256
        with pytest.raises(SignInRefusedError) as refused:
            key_id(f"{header}.eyJzdWIiOiJ4In0.c2ln")
        assert refused.value.reason == "algorithm"


def test_a_sign_in_whose_provider_does_not_say_when_the_person_proved_it_is_never_fresh() -> None:
    claims = {"sub": "x", "email": "a@northbridge.gov.uk", "iat": ISSUED}
    assert identity_of(claims, provider=_provider(), now=NOW).authenticated_at is None


def test_a_provider_serves_only_its_listed_domains_written_with_or_without_an_at_sign() -> None:
    provider = _provider(domains=("@NHS.net", " northbridge.gov.uk "))
    assert provider.domains == ("nhs.net", "northbridge.gov.uk")
    assert provider.serves("someone@nhs.net") and not provider.serves("someone@nhs.net.evil.org")
    with pytest.raises(ValueError, match="domains"):
        _provider(domains=())
