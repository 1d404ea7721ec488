"""Content negotiation: JSON by default, XML for `Accept: application/xml`; request bodies
as JSON, or XML with `Content-Type: application/xml`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from dragoman.errors import BadRequestError
from dragoman.surfaces.lingo24 import xmlcodec

XML = "application/xml"
MAX_BODY = 256 * 1024


def wants_xml(request: Request) -> bool:
    """Whether the client asked for XML (and not JSON first)."""
    accept = request.headers.get("accept", "").lower()
    if "xml" not in accept:
        return False
    json_at = accept.find("json")
    return json_at < 0 or accept.find("xml") < json_at


def respond(request: Request, root: str, value: Any, status: int = 200) -> Response:
    """`value` as JSON, or as XML under `root` when the client asked for XML."""
    if wants_xml(request):
        return Response(xmlcodec.render(root, value), status, media_type=XML)
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status, media_type="application/json")


def no_content() -> Response:
    return Response(status_code=204)


async def read_fields(request: Request) -> dict[str, Any]:
    """The request body's fields (JSON object, or XML when its Content-Type says so)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRequestError("the request body is too large", field="body")
    if not body.strip():
        return {}
    if "xml" in request.headers.get("content-type", "").lower():
        return xmlcodec.parse(body)
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequestError("the request body is not valid JSON", field="body") from None
    if not isinstance(value, dict):
        raise BadRequestError("the request body must be a JSON object", field="body")
    return value
