"""The workbench's HTML: one Jinja2 environment (autoescape on), the headers every page
carries, and the route class that renders errors as pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException

from dragoman import __version__
from dragoman.errors import AuthenticationError, DragomanError
from dragoman.surfaces.base import SurfaceRoute

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
LOGIN_URL = "/workbench/login"
# Scripts and styles come only from /workbench/static: an injected inline script or event
# handler would not run even if a template forgot to escape.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals["version"] = __version__


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template `name` rendered with `context` (`csrf` and `translator` default to
    empty), with the page headers."""
    context.setdefault("csrf", "")
    context.setdefault("translator", None)
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def error_page(status: int, message: str) -> HTMLResponse:
    """A page that says what went wrong."""
    return page("error.html", status, status=status, message=message)


def to_login() -> RedirectResponse:
    """See other: the sign-in page."""
    return RedirectResponse(LOGIN_URL, status_code=303, headers={"Cache-Control": "no-store"})


class PageRoute(SurfaceRoute):
    """Renders errors of the workbench pages: signed-out visitors go to the sign-in page,
    everything else is an error page with the status."""

    def render_error(self, exc: DragomanError, headers: dict[str, str] | None) -> Response:
        if isinstance(exc, AuthenticationError):
            return to_login()
        response = error_page(exc.status_code, exc.message)
        response.headers.update(headers or {})
        return response

    def render_internal(self) -> Response:
        return error_page(500, "internal server error")

    def render_validation(self, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        return error_page(422, f"{field}: {first.get('msg', 'invalid value')}")

    def render_http(self, exc: HTTPException) -> Response:
        return error_page(exc.status_code, str(exc.detail))
