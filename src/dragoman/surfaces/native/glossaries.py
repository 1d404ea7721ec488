"""Native glossary routes: terms of a language pair (`/glossaries/{pair}/...`), CSV/TBX import
and export, for the caller's organization only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dragoman.core.assets.glossary import MAX_PAGE, GlossaryTerm, Pair, TermInput, parse_pair
from dragoman.errors import ValidationError
from dragoman.surfaces.base import CoreDep, read_multipart
from dragoman.surfaces.native.errors import NativeRoute, error_responses, renamed_fields
from dragoman.surfaces.native.routes import OrgDep
from dragoman.timefmt import iso_ms

router = APIRouter(
    route_class=NativeRoute, tags=["glossaries"], responses=error_responses(401, 404, 422, 429)
)

# Core names fields in snake_case; this surface answers in its own camelCase.
_FIELDS = {
    "source_term": "sourceTerm",
    "target_term": "targetTerm",
    "part_of_speech": "partOfSpeech",
    "source_locale": "pair",
    "target_locale": "pair",
}
PairParam = Annotated[
    str,
    Path(
        description="Language pair SOURCE-TARGET of BCP-47 tags, e.g. `en-es` or `en:pt-BR`.",
        pattern=r"^[A-Za-z]{2,3}(?:[-_:>/][A-Za-z0-9]{1,8})+$",
    ),
]


def _pair(text: str) -> Pair:
    with renamed_fields(_FIELDS):
        return parse_pair(text)


class TermBody(BaseModel):
    """`POST /glossaries/{pair}/terms`."""

    model_config = ConfigDict(extra="forbid")

    sourceTerm: str = Field(min_length=1, max_length=500)
    targetTerm: str = Field(
        "", max_length=500, description="Required unless doNotTranslate (then the source term)."
    )
    caseSensitive: bool = False
    doNotTranslate: bool = False
    partOfSpeech: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=2000)


def render_term(term: GlossaryTerm) -> dict[str, Any]:
    return {
        "id": term.id,
        "sourceLocale": term.pair.source,
        "targetLocale": term.pair.target,
        "sourceTerm": term.source_term,
        "targetTerm": term.target_term,
        "caseSensitive": term.case_sensitive,
        "doNotTranslate": term.do_not_translate,
        "partOfSpeech": term.part_of_speech,
        "note": term.note,
        "createdAt": iso_ms(term.created_at),
    }


@router.get("/glossaries/{pair}/terms")
async def list_terms(
    pair: PairParam,
    org: OrgDep,
    core: CoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    """A page of the pair's terms in source-term order, with the total."""
    items, total = await core.glossaries.list_terms(org.id, _pair(pair), limit=limit, offset=offset)
    return JSONResponse(
        {
            "items": [render_term(t) for t in items],
            "total": total,
            "limit": limit,
            "offset": offset,
        }
    )


@router.post("/glossaries/{pair}/terms", status_code=201, responses=error_responses(400, 409))
async def add_term(pair: PairParam, body: TermBody, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Add a term (409 when the pair already has this source term)."""
    entry = TermInput(
        source_term=body.sourceTerm,
        target_term=body.targetTerm,
        case_sensitive=body.caseSensitive,
        do_not_translate=body.doNotTranslate,
        part_of_speech=body.partOfSpeech,
        note=body.note,
    )
    with renamed_fields(_FIELDS):
        term = await core.glossaries.add_term(org.id, _pair(pair), entry)
    return JSONResponse(render_term(term), status_code=201)


@router.delete("/glossaries/{pair}/terms/{termId}", status_code=204)
async def delete_term(pair: PairParam, termId: str, org: OrgDep, core: CoreDep) -> Response:
    """Delete a term."""
    await core.glossaries.delete_term(org.id, _pair(pair), termId)
    return Response(status_code=204)


_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post("/glossaries/{pair}/import", openapi_extra=_UPLOAD_DOC, responses=error_responses(413))
async def import_terms(
    pair: PairParam, request: Request, org: OrgDep, core: CoreDep
) -> JSONResponse:
    """Import a CSV or TBX file (multipart field `file`): new terms are added, known source
    terms take the file's values."""
    chosen = _pair(pair)
    body = await read_multipart(request, max_bytes=core.settings.max_request_bytes)
    upload = body.files.get("file")
    if upload is None:
        raise ValidationError("file is required (a .csv or .tbx upload)", field="file")
    with renamed_fields(_FIELDS):
        result, skipped = await core.glossaries.import_file(
            org.id, chosen, upload.data, upload.filename
        )
    return JSONResponse({"created": result.created, "updated": result.updated, "skipped": skipped})


@router.get("/glossaries/{pair}/export", responses={200: {"content": {"text/csv": {}}}})
async def export_terms(
    pair: PairParam, org: OrgDep, core: CoreDep, format: Literal["csv", "tbx"] = "csv"
) -> Response:
    """The pair's terms as a CSV or TBX file."""
    chosen = _pair(pair)
    data = await core.glossaries.export_file(org.id, chosen, format)
    name = f"glossary-{chosen.source}-{chosen.target}.{format}"
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-tbx+xml"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
