"""A provider's ID token is checked: nonce, audience, expiry, signature; new keys are fetched."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlmodel import Session, col, select

from models.audit_log import AuditEvent
from tests.agencies.portal.oidc.conftest import SSO
from tests.agencies.portal.oidc.forge import Forge, new_key


def _refusals(sso: SSO) -> list[Any]:
    with Session(sso.engine) as session:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "portal.sign_in_refused")
        )
        return [row.details["reason"] for row in rows if row.details]


def test_a_well_formed_token_from_the_forging_provider_signs_the_lead_in(
    sso: SSO, forge: Forge
) -> None:
    answer = sso.sign_in("ignored", provider="forged")
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"nonce": "another-nonce"}, "invalid_claim_nonce"),
        ({"aud": "another-client"}, "invalid_claim_aud"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}, "expired"),
        ({"iss": "https://elsewhere.example.org"}, "invalid_claim_iss"),
    ],
    ids=["wrong-nonce", "wrong-audience", "expired", "wrong-issuer"],
)
def test_a_token_with_a_wrong_claim_is_refused(
    sso: SSO, forge: Forge, changes: dict[str, Any], reason: str
) -> None:
    forge.changes = changes
    answer = sso.sign_in("ignored", provider="forged")
    assert answer.status_code == 403 and "We could not sign you in" in answer.text
    assert _refusals(sso) == [reason]
    assert sso.client.get("/tasks", follow_redirects=False).headers["location"] == "/"


def test_a_token_signed_by_another_key_set_under_the_same_key_id_is_refused(
    sso: SSO, forge: Forge
) -> None:
    forge.published = [forge.signing_key]
    forge.signing_key = new_key(forge.signing_key.kid or "forge-1")  # a second key set
    answer = sso.sign_in("ignored", provider="forged")
    assert answer.status_code == 403
    assert _refusals(sso) == ["signature"]


def test_a_new_signing_key_is_fetched_from_the_key_set_when_a_token_names_it(
    sso: SSO, forge: Forge
) -> None:
    assert sso.sign_in("ignored", provider="forged").status_code == 303
    old, new = forge.signing_key, new_key("forge-2")
    forge.published, forge.signing_key = [old, new], new
    sso.client.cookies.clear()
    assert sso.sign_in("ignored", provider="forged").status_code == 303
    forge.signing_key = new_key("forge-3")  # never published
    sso.client.cookies.clear()
    assert sso.sign_in("ignored", provider="forged").status_code == 403
    assert _refusals(sso) == ["unknown_key"]


def test_an_answer_naming_another_issuer_is_refused_before_the_code_is_used(
    sso: SSO, forge: Forge
) -> None:
    forge.answer_issuer = "https://elsewhere.example.org"
    answer = sso.sign_in("ignored", provider="forged")
    assert answer.status_code == 403
    assert _refusals(sso) == ["response_issuer"]
    assert len(forge.requests) == 1  # the code was never exchanged


def test_a_sign_in_cancelled_at_the_provider_is_refused_with_its_error_code_only(
    sso: SSO, forge: Forge
) -> None:
    forge.answer_error = "access_denied"
    answer = sso.sign_in("ignored", provider="forged")
    assert answer.status_code == 403 and "We could not sign you in" in answer.text
    forge.answer_error = "<script>free text</script>"
    sso.sign_in("ignored", provider="forged")
    assert _refusals(sso) == ["provider_access_denied", "provider_error"]
