"""The browser workbench under `/workbench`: sign in with a translator key, the job list,
the editor, take and deliver; every move goes through `core.review`, as the REST API's do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from dragoman.core.human_queries import MAX_PAGE
from dragoman.core.translators import Translator
from dragoman.errors import AuthenticationError, ValidationError
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.workbench import schemas, views
from dragoman.surfaces.workbench.errors import WorkbenchRoute
from dragoman.surfaces.workbench.rendering import STATIC_DIR, PageRoute, page, to_login
from dragoman.surfaces.workbench.session import (
    CSRF_HEADER,
    Session,
    SessionSealer,
    check_csrf,
    clear_session,
    load_secret,
    read_session,
    write_session,
)

router = APIRouter(prefix="/workbench", route_class=PageRoute, include_in_schema=False)
# The editor's autosave speaks JSON, with the translator API's error shape.
api_router = APIRouter(prefix="/workbench", route_class=WorkbenchRoute, include_in_schema=False)
JobId = Annotated[str, Path(max_length=80)]
CsrfField = Annotated[str, Form(max_length=200)]
MAX_KEY_CHARS = 200


def install(app: FastAPI) -> None:
    """Add the workbench's pages, its autosave endpoint and its static files to `app`."""
    app.include_router(router)
    app.include_router(api_router)
    app.mount("/workbench/static", StaticFiles(directory=STATIC_DIR), name="workbench-static")


async def sealer_of(request: Request, core: CoreDep) -> SessionSealer:
    """The app's session sealer, made on first use from the server's settings."""
    sealer: SessionSealer | None = getattr(request.app.state, "workbench_sealer", None)
    if sealer is None:
        sealer = SessionSealer(load_secret(core.review.settings))
        request.app.state.workbench_sealer = sealer
    return sealer


SealerDep = Annotated[SessionSealer, Depends(sealer_of)]


async def session_of(request: Request, sealer: SealerDep) -> Session | None:
    return read_session(request, sealer)


SessionDep = Annotated[Session | None, Depends(session_of)]


async def signed_in(session: SessionDep, core: CoreDep) -> tuple[Session, Translator]:
    """The session and its translator; AuthenticationError (to the sign-in page) otherwise."""
    if session is None or not session.key:
        raise AuthenticationError("sign in with your translator key")
    return session, await core.review.authenticate(session.key)


SignedIn = Annotated[tuple[Session, Translator], Depends(signed_in)]


@router.get("")
@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/workbench/jobs", status_code=303)


@router.get("/login")
async def login_form(request: Request, session: SessionDep, sealer: SealerDep) -> HTMLResponse:
    """The sign-in form (a session without a key carries its CSRF token)."""
    current = session or Session.new()
    response = page("login.html", csrf=current.csrf, error=None)
    if session is None:
        write_session(response, request, sealer, current)
    return response


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    sealer: SealerDep,
    core: CoreDep,
    key: Annotated[str, Form(max_length=MAX_KEY_CHARS)],
    csrf: CsrfField = "",
) -> Response:
    """Sign in with a translator key; the session (and its CSRF token) starts afresh."""
    check_csrf(session, csrf)
    assert session is not None  # check_csrf refused a missing session
    try:
        await core.review.authenticate(key.strip())
    except AuthenticationError as exc:
        return page("login.html", 401, csrf=session.csrf, error=exc.message)
    response = RedirectResponse("/workbench/jobs", status_code=303)
    write_session(response, request, sealer, Session.new(key.strip()))
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, csrf: CsrfField = "") -> Response:
    """Sign out: the session cookie is cleared."""
    check_csrf(session, csrf)
    response = to_login()
    clear_session(response, request)
    return response


@router.get("/jobs")
async def jobs(
    auth: SignedIn,
    core: CoreDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    delivered: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    """The jobs the translator holds, and those open to them (oldest first, a page at a time)."""
    session, translator = auth
    mine = await core.review.list_jobs(translator, "mine", MAX_PAGE, 0)
    available = await core.review.list_jobs(translator, "available", MAX_PAGE + 1, offset)
    return page(
        "jobs.html",
        csrf=session.csrf,
        translator=translator,
        mine=mine,
        available=available[:MAX_PAGE],
        offset=offset,
        next_offset=offset + MAX_PAGE if len(available) > MAX_PAGE else None,
        page_size=MAX_PAGE,
        delivered=delivered,
    )


@router.post("/jobs/{jobId}/take")
async def take(jobId: JobId, auth: SignedIn, core: CoreDep, csrf: CsrfField = "") -> Response:
    """Take an available job and open it (409 when someone else took it first)."""
    session, translator = auth
    check_csrf(session, csrf)
    await core.review.take(translator, jobId)
    return RedirectResponse(f"/workbench/jobs/{jobId}", status_code=303)


async def _editor(
    core: CoreDep,
    session: Session,
    translator: Translator,
    job_id: str,
    status: int = 200,
    problems: list[dict[str, object]] | None = None,
) -> HTMLResponse:
    detail = await core.review.job_detail(translator, job_id)
    return page(
        "editor.html",
        status,
        csrf=session.csrf,
        translator=translator,
        ed=views.editor(detail),
        job=detail.job,
        problems=problems or [],
    )


@router.get("/jobs/{jobId}")
async def editor(jobId: JobId, auth: SignedIn, core: CoreDep) -> HTMLResponse:
    """The editor: source beside target for each segment, with suggestions and QA."""
    session, translator = auth
    return await _editor(core, session, translator, jobId)


@router.post("/jobs/{jobId}/deliver")
async def deliver(jobId: JobId, auth: SignedIn, core: CoreDep, csrf: CsrfField = "") -> Response:
    """Deliver the job; while a segment blocks it, the editor again with the problems."""
    session, translator = auth
    check_csrf(session, csrf)
    try:
        await core.review.deliver(translator, jobId)
    except ValidationError as exc:
        problems = exc.extra.get("problems")
        if not isinstance(problems, list):
            raise
        return await _editor(core, session, translator, jobId, 422, problems)
    return RedirectResponse(f"/workbench/jobs?delivered={jobId}", status_code=303)


@router.post("/jobs/{jobId}/comments")
async def comment(
    jobId: JobId,
    auth: SignedIn,
    core: CoreDep,
    body: Annotated[str, Form(max_length=20_000)],
    csrf: CsrfField = "",
) -> Response:
    """Add the translator's comment to the job."""
    session, translator = auth
    check_csrf(session, csrf)
    await core.review.translator_comment(translator, jobId, body)
    return RedirectResponse(f"/workbench/jobs/{jobId}#comments", status_code=303)


@api_router.put("/jobs/{jobId}/segments/{segmentId}")
async def save_segment(
    jobId: JobId,
    segmentId: Annotated[int, Path(ge=1, le=10_000_000)],
    body: schemas.SegmentBody,
    auth: SignedIn,
    core: CoreDep,
    csrf: Annotated[str | None, Header(alias=CSRF_HEADER, max_length=200)] = None,
) -> JSONResponse:
    """Autosave one segment's draft; returns its QA warnings (the REST API's answer)."""
    session, translator = auth
    check_csrf(session, csrf)
    segment, warnings = await core.review.save_segment(translator, jobId, segmentId, body.target)
    return JSONResponse(
        {"id": segment.id, "target": segment.target, "qa": warnings},
        headers={"Cache-Control": "no-store"},
    )
