"""What the OpenAPI document says of each Lingo24 route beyond its handler's signature (the
handlers read the request themselves): the integer ids in the path, the answers in JSON or
XML, and every error status with its `{message, field}` body."""

from __future__ import annotations

import re
from typing import Any

from dragoman.surfaces.lingo24.wire import XML

_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")
MAX_ID = 10**17 - 1  # `path_id`: up to 17 digits; anything else is a 404

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}, "field": {"type": "string"}},
}
NATIVE: dict[str, Any] = {
    "type": "object",
    "required": ["error", "statusCode"],
    "properties": {"error": {"type": "string"}, "field": {"type": "string"},
                   "statusCode": {"type": "integer"}},
}  # fmt: skip
_ERRORS = {
    400: "Bad request: a missing or invalid field (`field` names it), a body that is not JSON "
    "(or XML with an XML Content-Type), or a status move the entity cannot make.",
    401: "No bearer token, or an unknown, expired or revoked one.",
    402: "Not enough credits for the work accepted.",
    403: "Not allowed.",
    404: "No such entity, or another organization's.",
    413: "The body is larger than the upload limit.",
    429: "Too many requests (`Retry-After`).",
}


def _both(schema: dict[str, Any]) -> dict[str, Any]:
    """JSON by default, XML for `Accept: application/xml`."""
    return {"application/json": {"schema": schema}, XML: {"schema": schema}}


def responses(path: str, method: str) -> dict[int | str, dict[str, Any]]:
    """The answers of one route: 200 (and 204 where nothing is known yet), then the errors."""
    if method == "GET" and path.endswith("/content"):
        ok: dict[str, Any] = {
            "description": "The file's bytes, in its own media type.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    elif method == "DELETE":
        ok = {"description": "Deleted (no body)."}
    else:
        ok = {"description": "The entity or list, in JSON or XML.", "content": _both({})}
    answers: dict[int | str, dict[str, Any]] = {200: ok}
    if method == "GET" and path.endswith(("/price", "/metrics")):
        answers[204] = {"description": "Not known yet (the work was not analysed)."}
    for status, text in _ERRORS.items():
        answers[status] = {"description": text, "content": _both(ERROR_SCHEMA)}
    # A body over the server-wide limit is refused before the route, in the native shape.
    answers[413]["content"]["application/json"] = {"schema": {"anyOf": [ERROR_SCHEMA, NATIVE]}}
    return answers


def _body(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    """A JSON object; a field that is not required may also be null or "" (left out)."""
    shown = {
        name: schema if name in required else {"anyOf": [schema, {"enum": [None, ""]}]}
        for name, schema in properties.items()
    }
    schema = {"type": "object", "required": required, "properties": shown}
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


# An id: a number, or its digits as a string (as XML sends it).
_ID = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_ID},
                 {"type": "string", "pattern": "^[0-9]{1,17}$"}]}  # fmt: skip
_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_URL = {"type": "string", "minLength": 1, "maxLength": 2000}
# Request bodies by (method, singular path); the plural `docs/v1/` paths take the same. XML
# with `Content-Type: application/xml` is read too.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/project"): _body(["name"], name=_TEXT, domainId=_ID, projectCallbackUrl=_URL),
    ("PUT", "/project/{id}"): _body(
        [], name=_TEXT, domainId=_ID, projectCallbackUrl=_URL, projectStatus=_TEXT
    ),
    ("POST", "/file"): _body(
        ["name"], name=_TEXT, type={"type": "string", "enum": ["SOURCE"]}, projectId=_ID
    ),
    ("POST", "/project/{id}/files"): _body(["id"], id=_ID),
    ("POST", "/job"): _body(
        ["projectId", "sourceFileId"],
        projectId=_ID,
        sourceFileId=_ID,
        sourceLocale=_TEXT,
        targetLocale=_TEXT,
        sourceLocaleId=_ID,
        targetLocaleId=_ID,
        serviceLevel=_TEXT,
        serviceId=_ID,
        jobCallbackUrl=_URL,
    ),
    ("POST", "/project/{id}/jobs"): _body(
        ["sourceFileId"],
        sourceFileId=_ID,
        sourceLocale=_TEXT,
        targetLocale=_TEXT,
        sourceLocaleId=_ID,
        targetLocaleId=_ID,
        serviceLevel=_TEXT,
        serviceId=_ID,
        jobCallbackUrl=_URL,
    ),
    ("PUT", "/job/{id}"): _body([], jobStatus=_TEXT),
}
_SINGULAR = [("/docs/v1/projects", "/project"), ("/docs/v1/files", "/file"),
             ("/docs/v1/jobs", "/job")]  # fmt: skip


def openapi_extra(path: str, method: str) -> dict[str, Any]:
    """The path's integer ids (a number the organization does not own is a 404), and the
    request body where the route reads one."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        }
        for name in _PATH_PARAMETER.findall(path)
    ]
    extra: dict[str, Any] = {"parameters": parameters} if parameters else {}
    singular = path
    for plural, one in _SINGULAR:
        if singular.startswith(plural):
            singular = one + singular[len(plural) :]
    body = BODIES.get((method, singular))
    if body is not None:
        extra["requestBody"] = body
    return extra


_OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
_HTML = {"text/html": {"schema": {"type": "string"}}}
TOKEN_DOC: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"type": "string", "enum": [
                            "authorization_code", "refresh_token", "client_credentials"]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                        "code": {"type": "string"},
                        "redirect_uri": {"type": "string"},
                        "refresh_token": {"type": "string"},
                    },
                }
            }
        },
    }
}  # fmt: skip
TOKEN_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "`{access_token, token_type, expires_in, refresh_token}`."},
    400: {"description": "unsupported_grant_type, invalid_request or invalid_grant (a code or "
          "refresh token the server did not issue, or one used or expired).",
          "content": {"application/json": {"schema": _OAUTH_ERROR}}},
    401: {"description": "invalid_client: no client, an unknown one or a wrong secret.",
          "content": {"application/json": {"schema": _OAUTH_ERROR}}},
}  # fmt: skip
AUTHORIZE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "The sign-in and approval form.", "content": _HTML},
    302: {"description": "Back to the client's redirect URI with a code, or an error."},
    400: {"description": "An unknown or revoked client, or a redirect URI it did not "
          "register, or a form without its CSRF token (a page saying so).", "content": _HTML},
    401: {"description": "The API key is not valid (the form again).", "content": _HTML},
    403: {"description": "The API key is another organization's (the form again).",
          "content": _HTML},
}  # fmt: skip
AUTHORIZE_QUERY: dict[str, Any] = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in ("response_type", "client_id", "redirect_uri", "state")
    ]
}
