"""OAuth2 for Lingo24: `POST /oauth2/access` (form or query: authorization code, refresh
token, client credentials; HTTP Basic too) and bearer tokens on every other call."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dragoman.core.oauth import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, REFRESH_TOKEN
from dragoman.core.oauth_grants import GrantOutcome, IssuedPair
from dragoman.core.orgs import Organization
from dragoman.errors import InvalidClientError, InvalidTokenError
from dragoman.surfaces.base import CoreDep, basic_credentials
from dragoman.surfaces.lingo24 import openapi_doc
from dragoman.surfaces.lingo24.errors import Lingo24Route
from dragoman.surfaces.ratelimit import admit

log = logging.getLogger(__name__)
router = APIRouter(route_class=Lingo24Route, tags=["Lingo24 OAuth2"])
GRANTS = (AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS)
# Declares the scheme in the OpenAPI document; the header is read below as it came.
BEARER = HTTPBearer(
    scheme_name="lingo24Bearer",
    description="An access token from POST /oauth2/access.",
    auto_error=False,
)


async def current_org(
    request: Request,
    core: CoreDep,
    declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Organization:
    """The organization of the request's bearer token, within its rate limit."""
    del declared  # the header is read as it came (any scheme casing, no stripping)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidTokenError("Not authenticated: send Authorization: Bearer <access token>")
    return admit(core, await core.authenticate_token(token.strip()))


OrgDep = Annotated[Organization, Depends(current_org)]


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = "Basic"
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _tokens(issued: IssuedPair) -> JSONResponse:
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@router.post(
    "/oauth2/access",
    openapi_extra=openapi_doc.TOKEN_DOC,
    responses=openapi_doc.TOKEN_ANSWERS,
)
async def access(request: Request, core: CoreDep) -> JSONResponse:
    """Tokens for a grant: `grant_type` authorization_code (`code`, `redirect_uri`),
    refresh_token (`refresh_token`; it rotates) or client_credentials; the client's id and
    secret as fields or HTTP Basic. Fields may come as a form or in the query string."""
    fields = {k: v for k, v in request.query_params.items()}
    try:
        form = await request.form()
        fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    except Exception:  # not a form: the query string alone
        log.debug("POST /oauth2/access without a form body")
    grant = fields.get("grant_type", "")
    if grant not in GRANTS:
        return _oauth_error(
            400, "unsupported_grant_type", f"grant_type must be one of {', '.join(GRANTS)}"
        )
    client_id, secret = fields.get("client_id", ""), fields.get("client_secret", "")
    basic = basic_credentials(request.headers.get("authorization", ""))
    if basic is not None:
        client_id, secret = basic
    if not client_id or not secret:
        return _oauth_error(401, "invalid_client", "client_id and client_secret are required")
    grants = core.grants
    try:
        if grant == CLIENT_CREDENTIALS:
            return _tokens(await grants.client_credentials(client_id, secret))
        if grant == AUTHORIZATION_CODE:
            code = fields.get("code", "")
            if not code:
                return _oauth_error(400, "invalid_request", "code is required")
            outcome = await grants.exchange_code(
                client_id, secret, code, fields.get("redirect_uri") or None
            )
        else:
            token = fields.get("refresh_token", "")
            if not token:
                return _oauth_error(400, "invalid_request", "refresh_token is required")
            outcome = await grants.refresh(client_id, secret, token)
    except InvalidClientError as exc:
        return _oauth_error(401, "invalid_client", exc.message)
    return _answer(outcome)


def _answer(outcome: GrantOutcome) -> JSONResponse:
    if outcome.issued is None:
        return _oauth_error(400, "invalid_grant", outcome.error or "the grant is not valid")
    return _tokens(outcome.issued)
