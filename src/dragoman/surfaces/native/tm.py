"""Native translation-memory routes (`/tm/...`): entries listed, searched and deleted, TMX,
PO and XLIFF import, TMX export, for the caller's organization only."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from dragoman.core.assets.tm import parse_pair
from dragoman.core.assets.tm_index.base import Entry, Pair
from dragoman.core.text_checks import check_text
from dragoman.errors import ValidationError
from dragoman.http_limits import MULTIPART_OVERHEAD
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.native.errors import NativeRoute, error_responses, renamed_fields
from dragoman.surfaces.native.routes import OrgDep
from dragoman.timefmt import iso_ms

router = APIRouter(
    route_class=NativeRoute, tags=["translation memory"], responses=error_responses(401, 422, 429)
)

MAX_PAGE = 1000
PAIR_PATTERN = r"^[A-Za-z]{2,3}(?:[-_:>/][A-Za-z0-9]{1,8})+$"
PAIR_DOC = "Language pair SOURCE-TARGET of BCP-47 tags, e.g. `en-es` or `en:pt-BR`."
Q_DOC = (
    "Fuzzy search: entries whose source is like `q` (scored as a TM look-up) or that contain "
    "it in source or target, best `score` first."
)
# Core names fields in snake_case; this surface answers in its own names.
_FIELDS = {"source_locale": "pair", "target_locale": "pair", "format": "file"}


def _pair(text: str) -> Pair:
    with renamed_fields(_FIELDS):
        return parse_pair(text)


class TmEntry(BaseModel):
    """A translation-memory entry."""

    id: int
    sourceLocale: str
    targetLocale: str
    source: str
    target: str
    origin: str = Field(description="`human`, `import` or `machine`.")
    key: str | None = Field(description="The unit's key it was stored with, if any.")
    createdAt: str
    lastUsedAt: str | None
    score: int | None = Field(
        None, description="With `q` only: how closely the source matches (100 exact, 99 "
        "exact but for placeholders, 50-99 fuzzy, lower when only containing `q`).",
    )  # fmt: skip


class TmPage(BaseModel):
    """A page of entries and how many there are in all."""

    items: list[TmEntry]
    total: int
    limit: int
    offset: int


class PairCount(BaseModel):
    sourceLocale: str
    targetLocale: str
    added: int


class ImportCounts(BaseModel):
    """What an import did."""

    read: int = Field(description="Translation units read from the file.")
    added: int = Field(description="New entries stored.")
    skipped: int = Field(
        description="Per pair, units that added no entry (known already, repeated, without "
        "both languages or untranslated), summed over the pairs.",
    )
    pairs: list[PairCount]


def render_entry(entry: Entry, score: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": entry.id,
        "sourceLocale": entry.pair.source,
        "targetLocale": entry.pair.target,
        "source": entry.source,
        "target": entry.target,
        "origin": entry.origin.value,
        "key": entry.context_key,
        "createdAt": iso_ms(entry.created_at),
        "lastUsedAt": iso_ms(entry.last_used_at),
    }
    if score is not None:
        body["score"] = score
    return body


@router.get("/tm/entries", responses={200: {"model": TmPage, "description": "A page of entries."}})
async def list_entries(
    org: OrgDep,
    core: CoreDep,
    pair: Annotated[str | None, Query(description=PAIR_DOC, pattern=PAIR_PATTERN)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=1000, description=Q_DOC)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> JSONResponse:
    """The organization's entries, newest first; with `q`, those matching it, scored."""
    chosen = _pair(pair) if pair else None
    if q is None:
        entries, total = await core.tm.list_entries(org.id, chosen, limit=limit, offset=offset)
        items = [render_entry(e) for e in entries]
    else:
        check_text(q, "q")
        found, total = await core.tm.search(org.id, chosen, q, limit=limit, offset=offset)
        items = [render_entry(s.entry, s.score) for s in found]
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


@router.delete("/tm/entries/{entryId}", status_code=204, responses=error_responses(404))
async def delete_entry(
    entryId: Annotated[int, Path(ge=1, le=2**63 - 1)], org: OrgDep, core: CoreDep
) -> Response:
    """Delete an entry (404 for another organization's)."""
    await core.tm.delete_entry(org.id, entryId)
    return Response(status_code=204)


_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .tmx, .po or .xliff file (its name picks the "
                            "format; a TMX is also known by its root element).",
                        },
                        "pair": {
                            "type": "string",
                            "pattern": PAIR_PATTERN,
                            "description": PAIR_DOC + " Required for PO; for a TMX, only "
                            "its two languages' variants are imported; an XLIFF names its own.",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/tm/import",
    openapi_extra=_UPLOAD_DOC,
    responses={
        200: {"model": ImportCounts, "description": "The file was imported."},
        **error_responses(413),
    },
)
async def import_file(request: Request, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Import a TMX 1.4 file, or the translations of a PO or XLIFF file (multipart field
    `file`); a file that cannot be read is a 422 naming the problem and its line."""
    body = await read_multipart(
        request, max_bytes=core.settings.max_upload_bytes + MULTIPART_OVERHEAD
    )
    upload = body.files.get("file")
    if upload is None:
        raise ValidationError("file is required (a .tmx, .po or .xliff upload)", field="file")
    pair = body.fields.get("pair")
    if pair is not None and re.fullmatch(PAIR_PATTERN, pair) is None:
        raise ValidationError(f"pair {pair!r} is not SOURCE-TARGET (e.g. en-es)", field="pair")
    chosen = _pair(pair) if pair is not None else None
    with renamed_fields(_FIELDS):
        counts = await core.tm.import_file(org.id, upload.data, upload.filename or "upload", chosen)
    return JSONResponse(
        {
            "read": counts.read,
            "added": counts.added,
            "skipped": counts.skipped,
            "pairs": [
                {"sourceLocale": p.source, "targetLocale": p.target, "added": n}
                for p, n in counts.pairs.items()
            ],
        }
    )


@router.get(
    "/tm/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The pair's entries as a TMX 1.4 file, oldest first.",
            "content": {"application/x-tmx+xml": {"schema": {"type": "string"}}},
        }
    },
)
async def export_file(
    org: OrgDep,
    core: CoreDep,
    pair: Annotated[str, Query(description=PAIR_DOC, pattern=PAIR_PATTERN)],
) -> StreamingResponse:
    """Download a pair's entries as TMX 1.4, streamed as it is written."""
    chosen = _pair(pair)
    name = f"tm-{chosen.source}-{chosen.target}.tmx"
    return StreamingResponse(
        core.tm.export_chunks(org.id, chosen),  # a blocking iterator: Starlette uses a thread
        media_type="application/x-tmx+xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
