"""Lingo24 files: metadata first (`POST`), then content (`PUT .../content`, raw body);
download from `GET .../content` (a TARGET once its job is translated)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from dragoman.errors import BadRequestError, PayloadTooLargeError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.lingo24 import paging, schemas, wire
from dragoman.surfaces.lingo24.auth import OrgDep
from dragoman.surfaces.lingo24.common import new_router, path_id, route
from dragoman.surfaces.lingo24.schemas import SURFACE

router = new_router("Lingo24 files")
ONE = ["/file/{id}", "/docs/v1/files/{id}"]
CONTENT = ["/file/{id}/content", "/docs/v1/files/{id}/content"]


@route(router, ["/file", "/docs/v1/files"], ["GET"], "List files")
async def list_files(request: Request, org: OrgDep, core: CoreDep) -> Response:
    at = paging.window(request)
    found, total = await core.projects.list_files(org.id, limit=at.limit, offset=at.offset)
    items = [schemas.render_file(f) for f in found]
    return wire.respond(request, "files", paging.listing(request, items, total, at))


@route(router, ["/file", "/docs/v1/files"], ["POST"], "Create a file (metadata)")
async def create_file(request: Request, org: OrgDep, core: CoreDep) -> Response:
    """`name` (with the extension that says its format); `type` SOURCE (the default)."""
    fields = await wire.read_fields(request)
    name = schemas.text(fields, "name", required=True)
    kind = (schemas.text(fields, "type") or "SOURCE").upper()
    if kind != "SOURCE":
        raise BadRequestError("type: clients create SOURCE files only", field="type")
    assert name is not None
    project = schemas.integer(fields, "projectId")
    file = await core.projects.create_file(org.id, SURFACE, name, project)
    return wire.respond(request, "file", schemas.render_file(file))


@route(router, ONE, ["GET"], "Read a file")
async def get_file(request: Request, org: OrgDep, core: CoreDep) -> Response:
    file = await core.projects.get_file(org.id, path_id(request, "file"))
    return wire.respond(request, "file", schemas.render_file(file))


@route(router, ONE, ["DELETE"], "Delete a file")
async def delete_file(request: Request, org: OrgDep, core: CoreDep) -> Response:
    await core.projects.delete_file(org.id, path_id(request, "file"))
    return Response(status_code=200)


@route(router, CONTENT, ["PUT", "POST"], "Upload a file's content (raw body)")
async def put_content(request: Request, org: OrgDep, core: CoreDep) -> Response:
    number = path_id(request, "file")
    limit = core.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise PayloadTooLargeError(f"the file is larger than the limit of {limit} bytes")
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > limit:
            raise PayloadTooLargeError(f"the file is larger than the limit of {limit} bytes")
    file = await core.projects.put_content(org.id, number, bytes(data))
    return wire.respond(request, "file", schemas.render_file(file))


@route(router, CONTENT, ["GET"], "Download a file's content")
async def get_content(request: Request, org: OrgDep, core: CoreDep) -> Response:
    content = await core.projects.open_file(org.id, path_id(request, "file"))
    fallback = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in content.name)
    return StreamingResponse(
        content.stream,
        media_type=content.media_type,
        headers={
            "Content-Length": str(content.size),
            "Content-Disposition": (
                f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(content.name)}"
            ),
        },
    )
