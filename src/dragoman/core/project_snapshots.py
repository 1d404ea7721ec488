"""Projects and their jobs frozen into event payloads as JSON values, so a callback sent
later says what was true when its event happened (a job quoted and then accepted at once
is still QUOTED in its quoted callback)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from dragoman.core import projects
from dragoman.core.projects import Project, ProjectJob
from dragoman.core.status import JobStatus
from dragoman.store.project_tables import projects as project_rows

JOB_KEY = "job"  # the frozen job in a job event's payload
PROJECT_KEY = "project"  # the frozen project in project.finished's payload
PROJECT_NUMBER_KEY = "projectNumber"  # the job's project's integer id, beside a frozen job
_JOB_TIMES = frozenset({"authorized_at", "analyzed_at", "created_at", "completed_at"})
_PROJECT_TIMES = frozenset({
    "created_at", "quote_saved_at", "quote_expires_at", "authorized_at", "cancelled_at",
    "finished_at",
})  # fmt: skip


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def freeze_job(job: ProjectJob, *, light: bool = False) -> dict[str, Any]:
    """The job as JSON values (`light`: without its analysis and price)."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(job):
        value = getattr(job, f.name)
        if f.name in _JOB_TIMES:
            value = _time(value)
        elif f.name == "status":
            value = str(value)
        elif light and f.name in ("analysis", "price"):
            value = None
        found[f.name] = value
    return found


def thaw_job(data: Mapping[str, Any]) -> ProjectJob:
    """A job from `freeze_job`'s values."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(ProjectJob):
        value = data.get(f.name)
        if f.name in _JOB_TIMES:
            value = _parse(value)
        elif f.name == "status":
            value = JobStatus(str(value))
        values[f.name] = value
    return ProjectJob(**values)


def freeze_project(project: Project) -> dict[str, Any]:
    """The project as JSON values, its jobs light (they only decide its status)."""
    found: dict[str, Any] = {}
    for f in dataclasses.fields(project):
        value = getattr(project, f.name)
        if f.name in _PROJECT_TIMES:
            value = _time(value)
        elif f.name == "jobs":
            value = [freeze_job(j, light=True) for j in project.jobs]
        found[f.name] = value
    return found


def thaw_project(data: Mapping[str, Any]) -> Project:
    """A project from `freeze_project`'s values."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Project):
        value = data.get(f.name)
        if f.name in _PROJECT_TIMES:
            value = _parse(value)
        elif f.name == "jobs":
            value = [thaw_job(j) for j in value or []]
        values[f.name] = value
    return Project(**values)


def job_payload(conn: Connection, job_id: str, status: JobStatus) -> dict[str, Any]:
    """The frozen job (as it is in this transaction, shown in `status`) and its project's
    number, to add to the job's event; empty for a job of no project."""
    job = projects.job_by_id(conn, job_id)
    if job is None:
        return {}
    number = conn.execute(
        select(project_rows.c.number).where(project_rows.c.id == job.project_id)
    ).scalar()
    frozen = freeze_job(dataclasses.replace(job, status=status))
    return {JOB_KEY: frozen, PROJECT_NUMBER_KEY: number}


def project_payload(conn: Connection, project_id: str) -> dict[str, Any]:
    """The frozen project as it is in this transaction, to add to its event."""
    return {PROJECT_KEY: freeze_project(projects.find_project_by_id(conn, project_id))}
