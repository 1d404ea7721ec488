"""OAuth2 client credentials for LanguageWire: `POST /oauth2/token` issues bearer tokens, and
every document route takes one (`Authorization: Bearer ...`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dragoman.core.oauth import CLIENT_CREDENTIALS
from dragoman.core.orgs import Organization
from dragoman.errors import InvalidClientError, InvalidTokenError
from dragoman.surfaces.base import CoreDep, basic_credentials
from dragoman.surfaces.languagewire.errors import LanguageWireRoute
from dragoman.surfaces.ratelimit import admit

BEARER = HTTPBearer(
    scheme_name="languagewireBearer",
    description="An access token from POST /oauth2/token (client credentials).",
    auto_error=False,
)
router = APIRouter(route_class=LanguageWireRoute, tags=["OAuth2"])

_TOKEN_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": [CLIENT_CREDENTIALS]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                }
            }
        },
    }
}
_TOKEN_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": '`{access_token, token_type: "Bearer", expires_in}`.'},
    400: {"description": "`{error, error_description, detail}`: unsupported grant type."},
    401: {"description": "`{error: invalid_client, ...}`: unknown client or wrong secret."},
}


async def current_org(
    core: CoreDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
) -> Organization:
    """The organization of the request's bearer token, within its rate limit (polling counts)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidTokenError("Not authenticated: send Authorization: Bearer <access token>")
    org = await core.authenticate_token(credentials.credentials)
    return admit(core, org)


OrgDep = Annotated[Organization, Depends(current_org)]


def _oauth_error(status: int, error: str, description: str, **headers: str) -> JSONResponse:
    """RFC 6749's error body, with FastAPI's `detail` beside it."""
    return JSONResponse(
        {"error": error, "error_description": description, "detail": description},
        status_code=status,
        headers={"Cache-Control": "no-store", **headers},
    )


@router.post("/oauth2/token", openapi_extra=_TOKEN_DOC, responses=_TOKEN_ANSWERS)
async def token(request: Request, core: CoreDep) -> JSONResponse:
    """An access token for a client's id and secret (form fields, or HTTP Basic)."""
    try:
        form = await request.form()
    except Exception:  # not a form, or a malformed one
        return _oauth_error(
            400, "invalid_request", "send an application/x-www-form-urlencoded body"
        )
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    grant = fields.get("grant_type", "")
    if grant != CLIENT_CREDENTIALS:
        return _oauth_error(
            400, "unsupported_grant_type", f"grant_type must be {CLIENT_CREDENTIALS!r}"
        )
    client_id, secret = fields.get("client_id", ""), fields.get("client_secret", "")
    basic = basic_credentials(request.headers.get("authorization", ""))
    if basic is not None:
        client_id, secret = basic
    if not client_id or not secret:
        return _oauth_error(
            401,
            "invalid_client",
            "client_id and client_secret are required (form fields or HTTP Basic)",
            **{"WWW-Authenticate": "Basic"},
        )
    try:
        issued = await core.issue_token(client_id, secret)
    except InvalidClientError as exc:
        return _oauth_error(401, "invalid_client", exc.message, **{"WWW-Authenticate": "Basic"})
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
