"""Lingo24's callback profile: a PUT of the job's JSON when it is QUOTED and TRANSLATED, of
the project's when it is FINISHED; the attempt number in `X-Lingo24-Attempt`; 3 attempts
(retried after `lingo24_callback_retry_schedule`), then the delivery is marked failed."""

from __future__ import annotations

import json

from sqlalchemy import Connection

from dragoman.core import aliases, projects
from dragoman.delivery.webhooks.outbox import Delivery
from dragoman.delivery.webhooks.profiles import CallbackProfile
from dragoman.errors import NotFoundError
from dragoman.settings import Settings
from dragoman.store.project_tables import job_quotes
from dragoman.surfaces.lingo24.schemas import SURFACE, render_job, render_project

ATTEMPT_HEADER = "X-Lingo24-Attempt"


def render_callback(conn: Connection, delivery: Delivery) -> bytes:
    """The resource the event is about, as `GET /job/{id}` or `GET /project/{id}` gives it."""
    project_id = conn.execute(
        job_quotes.select()
        .with_only_columns(job_quotes.c.project_id)
        .where(job_quotes.c.group_id == delivery.group_id)
    ).scalar()
    body: dict[str, object]
    try:
        if project_id is None:
            raise NotFoundError("gone")
        project = projects.find_project_by_id(conn, project_id)
        if delivery.event_type == "project.finished":
            body = render_project(project)
        else:
            job = next(j for j in project.jobs if j.id == delivery.job_id)
            service = aliases.alias_of(conn, surface=SURFACE, kind="service", core_id=job.engine_id)
            body = render_job(job, project.number, int(service) if service else None)
    except (NotFoundError, StopIteration):  # deleted before it could be sent
        body = {"status": "DELETED"}
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
