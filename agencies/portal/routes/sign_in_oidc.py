"""Signing in with an organisation's account: off to the provider, and back with an ID token."""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agencies.deps import Now, SessionDep, not_found
from agencies.portal.oidc.client import ProviderClient
from agencies.portal.oidc.id_token import identity_of, verified_claims
from agencies.portal.oidc.pending import forget, new_pending, recall, remember
from agencies.portal.oidc.registry import clients
from agencies.portal.pages import render
from agencies.portal.signing import person_for_address, start_signed_in
from models.audit_log import record_event
from models.errors import SignInRefusedError, TransientError
from models.settings import email_domain
from notifications.tokens import safe_landing

router = APIRouter(prefix="/sign-in/provider")
logger = logging.getLogger(__name__)


def _client_or_404(request: Request, key: str) -> ProviderClient:
    found = clients(request).get(key)
    if found is None:
        raise not_found()
    return found


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or bool(request.app.state.https)


@router.get("/{key}", response_model=None)
def start(request: Request, key: str, at: Now) -> Response:
    """Send the browser to the provider; `fresh=1` asks it for a sign-in within the window."""
    client = _client_or_404(request, key)
    landing = safe_landing(request.query_params.get("landing"))
    fresh = request.query_params.get("fresh") == "1"
    max_age = request.app.state.settings.fresh_sign_in_minutes * 60 if fresh else None
    pending = new_pending(key, landing=landing, max_age=max_age)
    try:
        url = client.authorization_url(
            state=pending.state,
            nonce=pending.nonce,
            verifier=pending.verifier,
            now=at,
            max_age=max_age,
        )
    except TransientError:
        logger.warning("the %s provider's discovery document could not be read", key)
        return render(request, "views/provider_unavailable.html", status_code=503, client=client)
    response = RedirectResponse(url, status_code=303)
    remember(response, pending, secret_key=request.app.state.secret_key, secure=_secure(request))
    return response


@router.get("/{key}/callback", response_model=None)
def callback(request: Request, key: str, session: SessionDep, at: Now) -> Response:
    """Check the provider's answer and sign the person in, or refuse in one way for all."""
    client = _client_or_404(request, key)
    params = request.query_params
    pending = recall(
        request,
        provider=key,
        state=params.get("state", ""),
        secret_key=request.app.state.secret_key,
    )
    person_id: int | None = None
    domain: str | None = None
    try:
        if pending is None:
            raise SignInRefusedError("state")
        if params.get("error") or not params.get("code"):
            raise SignInRefusedError(_provider_error(params.get("error")))
        answered_by = params.get("iss")  # RFC 9207, where the provider sends it
        if answered_by is not None and answered_by != client.discovery(at).issuer:
            raise SignInRefusedError("response_issuer")
        raw = client.exchange(code=params["code"], verifier=pending.verifier, now=at)
        claims = verified_claims(
            raw,
            keys_for=lambda kid: client.keys_for(kid, now=at),
            provider=client.provider,
            issuer=client.discovery(at).issuer,
            nonce=pending.nonce,
            now=at,
        )
        identity = identity_of(claims, provider=client.provider, now=at, max_age=pending.max_age)
        domain = email_domain(identity.email)
        person = person_for_address(session=session, email=identity.email)
        if person is None or person.id is None:
            raise SignInRefusedError("not_in_registry")
        person_id = person.id
        home = start_signed_in(
            request,
            session=session,
            person_id=person.id,
            at=at,
            signed_in_with=f"oidc:{key}",
            authenticated_at=identity.authenticated_at,
        )
    except (SignInRefusedError, TransientError) as error:
        session.rollback()
        reason = error.reason if isinstance(error, SignInRefusedError) else "provider_unreachable"
        return _refused(request, session, key, reason, at, person_id=person_id, domain=domain)
    response = RedirectResponse(pending.landing or home, status_code=303)
    forget(response, secure=_secure(request))
    return response


def _provider_error(code: str | None) -> str:
    """The provider's error code, when it is one of OAuth's (never free text into the log)."""
    known = {"access_denied", "login_required", "interaction_required", "server_error"}
    return f"provider_{code}" if code in known else "provider_error"


def _refused(
    request: Request,
    session: Session,
    key: str,
    reason: str,
    at: datetime,
    *,
    person_id: int | None,
    domain: str | None,
) -> HTMLResponse:
    """The one page for every refusal; the reason goes to the audit log only."""
    record_event(
        session=session,
        actor=f"oidc:{key}",
        action="portal.sign_in_refused",
        entity_type="person" if person_id is not None else "sign_in",
        entity_id=person_id,
        now=at,
        details={"reason": reason, "domain": domain},
    )
    session.commit()
    response = render(request, "views/sign_in_refused.html", status_code=403)
    forget(response, secure=_secure(request))
    return response
