"""`POST /jobs/estimate` and `/jobs/estimate/files`: the analysis and price of a request per
target locale (words per CAT match band against the organization's TM, and its rate card),
before submitting it; nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dragoman.core import text_checks
from dragoman.core.analysis import BANDS, Counts
from dragoman.core.estimates import DEFAULT_SERVICE_LEVEL, Estimate, EstimateRequest
from dragoman.core.quotes import RateCard
from dragoman.errors import DragomanError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.native import schemas
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.routes import OrgDep
from dragoman.surfaces.native.uploads import in_native_names, read_upload, upload_doc

router = APIRouter(
    route_class=NativeRoute,
    tags=["estimates"],
    responses=error_responses(400, 401, 404, 413, 422, 429),
)

SERVICE_LEVEL = Field(
    DEFAULT_SERVICE_LEVEL,
    description="The rate card's service level (`standard` by default).",
    json_schema_extra={"pattern": "\\S", "maxLength": 40},
)


class EstimateBody(BaseModel):
    """`POST /jobs/estimate`: the body of `POST /jobs/localization` (other fields ignored)."""

    model_config = ConfigDict(extra="ignore")

    sourceLocale: str = Field(
        description="BCP-47 source locale, or `auto` to detect it.",
        json_schema_extra={"anyOf": [schemas.LOCALE, {"const": "auto"}]},
    )
    targetLocales: list[str] = Field(
        description="BCP-47 target locales: distinct, none the source locale.",
        json_schema_extra={
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", **schemas.LOCALE},
        },
    )
    data: dict[str, Any] = Field(description="The content, as `POST /jobs/localization` takes it.")
    engineId: str | None = Field(None, description="Engine whose pairs `machine` reports.")
    serviceLevel: str = SERVICE_LEVEL

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, raw: Any) -> Any:
        return text_checks.check_fields(
            raw,
            texts=("sourceLocale", "engineId", "serviceLevel"),
            lists=("targetLocales",),
            trees=("data",),
        )


class CountsView(BaseModel):
    """Segments, words, characters (no whitespace, placeholders or tags) and whitespace."""

    segments: int
    words: int
    characters: int
    whiteSpaces: int


class MachineView(CountsView):
    """What machine translation would do: the fuzzy and no-match segments."""

    available: bool | None = Field(description="Whether the engine serves the pair.")


class PriceView(BaseModel):
    """Lingo24's four totals."""

    currencyCode: str
    totalWoVatWDiscount: float
    totalWVatWDiscount: float
    totalWoVatWoDiscount: float
    totalWVatWoDiscount: float


class RateCardView(BaseModel):
    """The rate card that priced the target (`*`: any; `default`: none was set)."""

    serviceLevel: str
    sourceLocale: str
    targetLocale: str
    ratePerWord: float
    weights: dict[str, float]
    minimumCharge: float
    vatRate: float
    discount: float
    default: bool


class TargetView(BaseModel):
    """One target locale's bands, total, machine coverage and price."""

    targetLocale: str
    bands: dict[str, CountsView] = Field(description="Every band: " + ", ".join(BANDS) + ".")
    total: CountsView
    machine: MachineView
    price: PriceView
    rateCard: RateCardView


class EstimateView(BaseModel):
    """`POST /jobs/estimate` and `/jobs/estimate/files`."""

    sourceLocale: str
    format: str
    filename: str | None
    serviceLevel: str
    targets: list[TargetView]


def _counts(counts: Counts) -> dict[str, int]:
    return {
        "segments": counts.segments,
        "words": counts.words,
        "characters": counts.characters,
        "whiteSpaces": counts.white_spaces,
    }


def _card(card: RateCard) -> dict[str, Any]:
    return {
        "serviceLevel": card.service_level,
        "sourceLocale": card.source_locale,
        "targetLocale": card.target_locale,
        "ratePerWord": float(card.rate_per_word),
        "weights": {band: float(weight) for band, weight in card.weights.items()},
        "minimumCharge": float(card.minimum_charge),
        "vatRate": float(card.vat_rate),
        "discount": float(card.discount),
        "default": card.id is None,
    }


def render(estimate: Estimate) -> dict[str, Any]:
    """The estimate in this surface's camelCase."""
    return {
        "sourceLocale": estimate.source.source_locale,
        "format": estimate.source.format,
        "filename": estimate.source.filename,
        "serviceLevel": estimate.service_level,
        "targets": [
            {
                "targetLocale": t.target_locale,
                "bands": {b: _counts(c) for b, c in t.analysis.bands.items()},
                "total": _counts(t.analysis.total),
                "machine": {
                    **_counts(t.analysis.machine_translatable),
                    "available": t.machine_available,
                },
                "price": t.price.as_json(),
                "rateCard": _card(t.card),
            }
            for t in estimate.targets
        ],
    }


_OK: dict[int | str, dict[str, Any]] = {
    200: {"model": EstimateView, "description": "The estimate, per target locale."}
}


@router.post("/jobs/estimate", responses=_OK)
async def estimate_data(body: EstimateBody, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Analyse and price a JSON object for each target locale; nothing is created."""
    request = EstimateRequest(
        source_locale=body.sourceLocale,
        target_locales=body.targetLocales,
        data=body.data,
        service_level=body.serviceLevel,
        engine_id=body.engineId,
    )
    try:
        estimate = await core.estimate(org, request)
    except DragomanError as exc:
        raise in_native_names(exc) from None
    return JSONResponse(render(estimate))


_UPLOAD_DOC = upload_doc(serviceLevel={"type": "string", "pattern": "\\S", "maxLength": 40})


@router.post("/jobs/estimate/files", responses=_OK, openapi_extra=_UPLOAD_DOC)
async def estimate_file(request: Request, org: OrgDep, core: CoreDep) -> JSONResponse:
    """Analyse and price an uploaded file (resource file or document) for each target."""
    upload = await read_upload(request, core)
    estimate_request = EstimateRequest(
        source_locale=upload.source_locale,
        target_locales=upload.target_locales,
        file=upload.data,
        filename=upload.filename,
        format=upload.field("format"),
        service_level=upload.field("serviceLevel") or DEFAULT_SERVICE_LEVEL,
        engine_id=upload.field("engineId"),
    )
    try:
        estimate = await core.estimate(org, estimate_request)
    except DragomanError as exc:
        raise in_native_names(exc) from None
    return JSONResponse(render(estimate))
