"""Routes of the native API: `/jobs/localization...` and `/engines`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

from dragoman.core import engine_records, orgs, queries
from dragoman.core.orgs import Organization
from dragoman.core.queries import MAX_PAGE
from dragoman.core.service import Core
from dragoman.core.submission import SubmitRequest
from dragoman.errors import ValidationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.native import responses as answers
from dragoman.surfaces.native import schemas
from dragoman.surfaces.native.errors import NativeRoute, error_responses
from dragoman.surfaces.native.statuses import CORE_STATUSES
from dragoman.surfaces.ratelimit import admit

# Every route authenticates and is rate-limited; request validation answers in the native shape.
router = APIRouter(
    route_class=NativeRoute,
    tags=["localization jobs"],
    responses=error_responses(401, 422, 429),
)
# A security scheme (not a plain header parameter), so the document says how to authenticate.
API_KEY = APIKeyHeader(
    name="X-API-Key", scheme_name="apiKey", description="Your API key.", auto_error=False
)


ServicesDep = CoreDep  # the surface reaches the backends only through the Core


async def current_org(
    services: ServicesDep, x_api_key: Annotated[str | None, Security(API_KEY)]
) -> Organization:
    org = await services.key_cache.resolve(x_api_key, lambda: _authenticate(services, x_api_key))
    return admit(services, org)


def _authenticate(services: Core, key: str | None) -> Organization:
    with services.db.read() as conn:
        return orgs.authenticate(conn, key)


OrgDep = Annotated[Organization, Depends(current_org)]


@router.post(
    "/jobs/localization",
    status_code=202,
    responses={
        202: answers.ok(answers.Created, "The group was created; its jobs are queued."),
        200: answers.ok(answers.Created, schemas.REPLAY["description"]),
        **error_responses(400, 404, 413),
    },
)
async def create_jobs(
    body: schemas.LocalizationRequest, org: OrgDep, services: ServicesDep
) -> JSONResponse:
    """Create a job group with one job per target locale (202; 200 for an idempotent replay)."""
    request = SubmitRequest(
        source_locale=body.sourceLocale,
        target_locales=body.targetLocales,
        data=body.data,
        hints=body.hints,
        callback_url=body.callbackUrl,
        idempotency_key=body.idempotencyKey,
        engine_id=body.engineId,
    )
    submitted, group = await services.submit(org, request)
    return JSONResponse(
        schemas.render_created(group), status_code=202 if submitted.created else 200
    )


@router.get(
    "/jobs/localization/groups/{groupId}",
    responses={200: answers.ok(answers.Group, "The group."), **error_responses(404)},
)
def get_group(groupId: str, org: OrgDep, services: ServicesDep) -> JSONResponse:
    """A job group's derived status and its jobs."""
    with services.db.read() as conn:
        group = queries.get_group(conn, org.id, groupId)
    return JSONResponse(schemas.render_group(group))


@router.get(
    "/jobs/localization/{jobId}",
    responses={200: answers.ok(answers.Job, "The job."), **error_responses(404)},
)
def get_job(jobId: str, org: OrgDep, services: ServicesDep) -> JSONResponse:
    """One job, with `outputData` once completed."""
    with services.db.read() as conn:
        job = queries.get_job(conn, org.id, jobId)
    return JSONResponse(schemas.render_job(job))


@router.get("/jobs/localization", responses={200: answers.ok(answers.JobList, "A page of jobs.")})
def list_jobs(
    org: OrgDep,
    services: ServicesDep,
    engineId: str | None = None,
    # The schema states the checks below and in `queries.list_jobs`, which keep their messages.
    status: Annotated[str | None, Query(json_schema_extra={"enum": sorted(CORE_STATUSES)})] = None,
    limit: Annotated[int, Query(json_schema_extra={"minimum": 1, "maximum": MAX_PAGE})] = 20,
    cursor: Annotated[
        str | None,
        Query(
            description="`nextCursor` of the previous page, as it was sent (422 otherwise).",
            json_schema_extra={"format": "dragoman-cursor"},
        ),
    ] = None,
) -> JSONResponse:
    """Jobs, newest first, with an opaque `nextCursor`."""
    statuses = None
    if status is not None:
        if status not in CORE_STATUSES:
            raise ValidationError(
                f"status must be one of {', '.join(sorted(CORE_STATUSES))}", field="status"
            )
        statuses = CORE_STATUSES[status]
    with services.db.read() as conn:
        items, next_cursor = queries.list_jobs(
            conn, org.id, statuses=statuses, engine_id=engineId, limit=limit, cursor=cursor
        )
    return JSONResponse(
        {"items": [schemas.render_list_item(j) for j in items], "nextCursor": next_cursor}
    )


@router.get(
    "/engines",
    tags=["engines"],
    responses={200: answers.ok(answers.EngineList, "The organization's engines.")},
)
def list_engines(org: OrgDep, services: ServicesDep) -> JSONResponse:
    """The organization's engines and the language pairs each can serve."""
    with services.db.write() as conn:
        engine_records.default_engine(conn, org.id, services.settings.default_engine_provider)
        records = engine_records.list_engines(conn, org.id)
    return JSONResponse({"items": [_render_engine(services, r) for r in records]})


@router.post(
    "/engines",
    tags=["engines"],
    status_code=201,
    responses={
        201: answers.ok(answers.Engine, "The engine, configured."),
        **error_responses(400, 409, 413),
    },
)
def create_engine(body: schemas.EngineRequest, org: OrgDep, services: ServicesDep) -> JSONResponse:
    """Configure an engine (a provider and its options) for the organization."""
    services.engines.validate(body.provider, body.options)
    with services.db.write() as conn:
        record = engine_records.create_engine_record(
            conn,
            org.id,
            name=body.name,
            provider=body.provider,
            options=body.options,
            make_default=body.isDefault,
            max_engines=services.settings.max_engines_per_org,
        )
    return JSONResponse(_render_engine(services, record), status_code=201)


def _render_engine(services: Core, record: engine_records.EngineRecord) -> dict[str, object]:
    try:
        engine = services.engines.get(record.provider, record.options)
        pairs = engine.language_pairs()
        any_pair = getattr(engine, "any_pair", False)
    except Exception:  # an engine whose backend is missing lists no pairs rather than 500
        pairs, any_pair = [], False
    return schemas.render_engine(record, pairs, bool(any_pair))
