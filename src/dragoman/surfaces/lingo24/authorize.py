"""The authorization page: `GET /oauth2/authorize?response_type=code&client_id&redirect_uri
&state` shows a form where a person of the organization signs in with one of its API keys
and approves the client; `POST` redirects to the registered `redirect_uri` (matched
exactly) with a one-time `code` and the `state`. CSRF: a double-submit token (a SameSite
cookie and a hidden field); the page refuses to be framed."""

from __future__ import annotations

import hmac
import secrets
from html import escape
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dragoman.core.oauth_grants import ClientInfo
from dragoman.errors import AuthenticationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.lingo24 import openapi_doc

router = APIRouter(tags=["Lingo24 OAuth2"])
CSRF_COOKIE = "dragoman_oauth_csrf"
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status, headers=_HEADERS)


def _refusal(message: str) -> HTMLResponse:
    """An error shown here, never sent to an unverified redirect URI."""
    return _page("Authorization failed", f"<p>{escape(message)}</p>", 400)


async def _check(core: CoreDep, client_id: str, redirect_uri: str) -> ClientInfo | HTMLResponse:
    client = await core.grants.client(client_id) if client_id else None
    if client is None:
        return _refusal("Unknown or revoked client.")
    if redirect_uri not in client.redirect_uris:
        return _refusal("The redirect_uri is not registered for this client.")
    return client


def _redirect(uri: str, **params: str) -> RedirectResponse:
    sep = "&" if "?" in uri else "?"
    return RedirectResponse(
        uri + sep + urlencode(params), 302, headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/oauth2/authorize",
    response_class=HTMLResponse,
    responses=openapi_doc.AUTHORIZE_ANSWERS,
    openapi_extra=openapi_doc.AUTHORIZE_QUERY,
)
async def authorize_page(request: Request, core: CoreDep) -> Response:
    """The sign-in and approval form."""
    q = request.query_params
    client_id, redirect_uri, state = (
        q.get("client_id", ""),
        q.get("redirect_uri", ""),
        q.get("state", ""),
    )
    found = await _check(core, client_id, redirect_uri)
    if isinstance(found, HTMLResponse):
        return found
    if q.get("response_type", "code") != "code":
        return _redirect(redirect_uri, error="unsupported_response_type", state=state)
    token = secrets.token_urlsafe(32)
    hidden = "".join(
        f"<input type='hidden' name='{n}' value='{escape(v, quote=True)}'>"
        for n, v in (("client_id", client_id), ("redirect_uri", redirect_uri),
                     ("state", state), ("csrf", token))
    )  # fmt: skip
    body = (
        f"<p>The application <b>{escape(found.name or found.id)}</b> asks to use the "
        "translation API for your organization.</p>"
        f"<form method='post' action='/oauth2/authorize'>{hidden}"
        "<label>API key of your organization <input type='password' name='api_key' "
        "autocomplete='off' required></label> "
        "<button name='decision' value='approve'>Approve</button> "
        "<button name='decision' value='deny' formnovalidate>Deny</button></form>"
    )
    page = _page("Authorize application", body)
    page.set_cookie(CSRF_COOKIE, token, max_age=600, httponly=True, samesite="strict",
                    path="/oauth2/authorize", secure=request.url.scheme == "https")  # fmt: skip
    return page


@router.post(
    "/oauth2/authorize", response_class=HTMLResponse, responses=openapi_doc.AUTHORIZE_ANSWERS
)
async def authorize_submit(request: Request, core: CoreDep) -> Response:
    """Approve (with an API key of the client's organization) or deny the client."""
    form = await request.form()
    field = {k: v for k, v in form.items() if isinstance(v, str)}
    client_id, redirect_uri = field.get("client_id", ""), field.get("redirect_uri", "")
    state = field.get("state", "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, field.get("csrf", "")):
        return _refusal("The form expired or did not come from this page; open it again.")
    found = await _check(core, client_id, redirect_uri)
    if isinstance(found, HTMLResponse):
        return found
    if field.get("decision") != "approve":
        return _redirect(redirect_uri, error="access_denied", state=state)
    try:
        org = await core.grants.sign_in(field.get("api_key", ""))
    except AuthenticationError:
        return _page("Authorize application", "<p>The API key is not valid.</p>", 401)
    if org.id != found.org_id:
        return _page("Authorize application",
                     "<p>This API key belongs to another organization than the application.</p>",
                     403)  # fmt: skip
    code = await core.grants.issue_code(found, redirect_uri)
    response = _redirect(redirect_uri, code=code, state=state)
    response.delete_cookie(CSRF_COOKIE, path="/oauth2/authorize")
    return response
