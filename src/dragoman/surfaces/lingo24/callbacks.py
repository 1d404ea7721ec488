"""Lingo24's callback profile: a PUT of the job's JSON when it is QUOTED and TRANSLATED, of
the project's when it is FINISHED, each as it was when that happened (frozen into the event);
the attempt number in `X-Lingo24-Attempt`; 3 attempts (retried after
`lingo24_callback_retry_schedule`), then the delivery is marked failed."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from dragoman.core import aliases, project_snapshots, projects
from dragoman.core.project_snapshots import JOB_KEY, PROJECT_KEY, PROJECT_NUMBER_KEY
from dragoman.delivery.webhooks.outbox import Delivery, event_payload
from dragoman.delivery.webhooks.profiles import CallbackProfile
from dragoman.errors import NotFoundError
from dragoman.settings import Settings
from dragoman.surfaces.lingo24.schemas import SURFACE, render_job, render_project

ATTEMPT_HEADER = "X-Lingo24-Attempt"


def _service(conn: Connection, engine_id: str) -> int | None:
    number = aliases.alias_of(conn, surface=SURFACE, kind="service", core_id=engine_id)
    return int(number) if number else None


def _frozen(conn: Connection, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The resource as its event froze it, or None for an event recorded without it."""
    if isinstance(payload.get(PROJECT_KEY), dict):
        return render_project(project_snapshots.thaw_project(payload[PROJECT_KEY]))
    if isinstance(payload.get(JOB_KEY), dict) and payload.get(PROJECT_NUMBER_KEY) is not None:
        job = project_snapshots.thaw_job(payload[JOB_KEY])
        return render_job(job, int(payload[PROJECT_NUMBER_KEY]), _service(conn, job.engine_id))
    return None


def _current(conn: Connection, delivery: Delivery) -> dict[str, Any]:
    """The resource as it is now (events recorded before resources were frozen)."""
    project_id = projects.project_id_of_group(conn, delivery.group_id)
    try:
        if project_id is None:
            raise NotFoundError("gone")
        project = projects.find_project_by_id(conn, project_id)
        if delivery.event_type == "project.finished":
            return render_project(project)
        job = next(j for j in project.jobs if j.id == delivery.job_id)
        return render_job(job, project.number, _service(conn, job.engine_id))
    except (NotFoundError, StopIteration):  # deleted before it could be sent
        return {"status": "DELETED"}


def render_callback(conn: Connection, delivery: Delivery) -> bytes:
    """The resource the event is about, as `GET /job/{id}` or `GET /project/{id}` gave it
    when the event happened."""
    body = _frozen(conn, event_payload(conn, delivery)) or _current(conn, delivery)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def profile(settings: Settings) -> CallbackProfile:
    """The profile with the configured retry schedule."""
    return CallbackProfile(
        SURFACE,
        render_callback,
        method="PUT",
        attempt_header=ATTEMPT_HEADER,
        schedule=tuple(settings.lingo24_callback_retry_schedule),
    )
