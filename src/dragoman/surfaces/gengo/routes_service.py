"""`/v2/translate/service`: quotes, and the languages and pairs this organization's
translators serve (with credits per unit), plus `/v2/translate/glossary`."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from dragoman.core.assets.glossary import pair_summaries
from dragoman.core.credits import CHARACTER_LANGUAGES, from_micros
from dragoman.core.gengo_orders import jobs_error
from dragoman.errors import NotFoundError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.gengo.auth import SignedDep
from dragoman.surfaces.gengo.errors import GengoRoute, error_responses, ok
from dragoman.surfaces.gengo.schemas import parse_order

router = APIRouter(
    prefix="/v2/translate", route_class=GengoRoute, tags=["Gengo"], responses=error_responses()
)


def _name(tag: str, display: str | None = None) -> str:
    try:
        from babel import Locale

        return str(Locale.parse(tag.replace("-", "_")).get_display_name(display or tag))
    except Exception:  # an unknown tag: its code is its name
        return tag


def _unit(tag: str) -> str:
    return "character" if tag.split("-")[0] in CHARACTER_LANGUAGES else "word"


@router.post("/service/quote")
async def quote(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Unit count, credits and ETA (seconds) per job, without ordering anything."""
    order = parse_order(signed.require_data(), core.settings, quoting=True)
    files: dict[str, tuple[str, bytes]] = {}
    missing: dict[str, list[tuple[int, str]]] = {}
    for job in order.jobs:
        if job.type == "file":
            upload = signed.files.get(job.identifier or "")
            if upload is None:
                missing[job.key] = [(1803, f"missing file: no upload named {job.identifier!r}")]
            else:
                files[job.key] = upload
    if missing:
        raise jobs_error(missing)
    prices = await core.gengo.quote(signed.org, order.jobs, files)
    jobs: dict[str, Any] = {}
    for key, (p, identifier) in prices.items():
        jobs[key] = {"unit_count": p.unit_count, "credits": float(p.credits),
                     "eta": p.eta_seconds, "currency": p.currency}  # fmt: skip
        if identifier is not None:
            jobs[key].update(type="file", identifier=identifier, filename=files[key][0])
    return ok({"jobs": jobs})


@router.get("/service/language_pairs")
async def language_pairs(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The pairs and tiers on offer (`lc_src` filters by source), with unit prices."""
    wanted = signed.params.get("lc_src")
    offers = await core.gengo.offers(signed.org.id)
    return ok([
        {"lc_src": s, "lc_tgt": t, "tier": str(tier), "unit_price": float(from_micros(rate)),
         "currency": "USD"}
        for s, t, tier, rate in offers if wanted in (None, "", s)
    ])  # fmt: skip


@router.get("/service/languages")
async def languages(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The languages of the pairs on offer."""
    offers = await core.gengo.offers(signed.org.id)
    tags = sorted({s for s, _, _, _ in offers} | {t for _, t, _, _ in offers})
    return ok([
        {"language": _name(tag, "en"), "localized_name": _name(tag), "lc": tag,
         "unit_type": _unit(tag)}
        for tag in tags
    ])  # fmt: skip


def glossary_number(source: str, target: str) -> int:
    """A pair's glossary id: stable, derived from the pair."""
    return int(hashlib.sha256(f"{source}:{target}".encode()).hexdigest()[:12], 16)


def _glossaries(conn: Connection, org_id: str) -> list[dict[str, Any]]:
    return [
        {"id": glossary_number(src, tgt), "title": f"{src} -> {tgt}",
         "source_language_code": src, "target_languages": [[0, tgt]], "unit_count": count,
         "ctime": first.isoformat() if first else None, "is_public": False}
        for src, tgt, count, first in pair_summaries(conn, org_id)
    ]  # fmt: skip


@router.get("/glossary")
async def list_glossaries(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The organization's glossaries: one per language pair that has terms."""
    return ok(await core.gengo.read(lambda c: _glossaries(c, signed.org.id)))


@router.get("/glossary/{glossary_id}")
async def get_glossary(
    glossary_id: Annotated[int, Path(ge=0, le=2**62)], signed: SignedDep, core: CoreDep
) -> JSONResponse:
    """One glossary by id."""
    found = await core.gengo.read(lambda c: _glossaries(c, signed.org.id))
    for item in found:
        if item["id"] == glossary_id:
            return ok(item)
    raise NotFoundError(f"glossary {glossary_id} not found", field="glossary_id")
