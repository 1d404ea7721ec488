"""Lingo24 payloads from core views, and request fields to values (400 naming the field)."""

from __future__ import annotations

from typing import Any

from dragoman.core.project_files import FileView
from dragoman.core.project_service import Service
from dragoman.core.projects import Project, ProjectJob
from dragoman.core.status import JobStatus
from dragoman.errors import BadRequestError
from dragoman.surfaces.lingo24 import catalog
from dragoman.surfaces.lingo24.catalog import Locale
from dragoman.surfaces.lingo24.statuses import LINGO24_JOB_STATUS, LINGO24_PROJECT_STATUS

SURFACE = "lingo24"
BAND_KEYS = (("segments", "SEGMENTS"), ("words", "WORDS"), ("characters", "CHARACTERS"),
             ("white_spaces", "WHITE_SPACES"))  # fmt: skip


def render_project(project: Project) -> dict[str, Any]:
    return {
        "id": project.number,
        "name": project.name,
        "created": int(project.created_at.timestamp()),
        "projectStatus": LINGO24_PROJECT_STATUS[project.status],
        "domainId": project.domain_id,
        "projectCallbackUrl": project.callback_url,
        "quoteExpires": int(project.quote_expires_at.timestamp())
        if project.quote_expires_at and not project.authorized_at
        else None,
    }


def _locale_id(tag: str) -> int | None:
    found = catalog.locale_for_tag(tag)
    return found.id if found is not None else None


def render_job(job: ProjectJob, project_number: int, service_number: int | None) -> dict[str, Any]:
    translated = job.status == JobStatus.COMPLETED
    return {
        "id": job.number,
        "projectId": project_number,
        "jobStatus": LINGO24_JOB_STATUS[job.status],
        "serviceId": service_number,
        "sourceLocaleId": _locale_id(job.source_locale),
        "targetLocaleId": _locale_id(job.target_locale),
        "sourceLocale": job.source_locale,
        "targetLocale": job.target_locale,
        "sourceFileId": job.source_file_number,
        "targetFileId": job.target_file_number if translated else None,
        "jobCallbackUrl": job.callback_url,
        "callbackStatus": job.callback_status,
        "errorMessage": job.error_message if job.status == JobStatus.FAILED else None,
    }


def render_file(file: FileView) -> dict[str, Any]:
    return {"id": file.number, "name": file.name, "type": file.type}


def render_metrics(analysis: dict[str, Any]) -> dict[str, Any]:
    """`{"values": {BAND: {SEGMENTS, WORDS, CHARACTERS, WHITE_SPACES}}}`."""
    return {
        "values": {
            band: {name: int(counts.get(key, 0)) for key, name in BAND_KEYS}
            for band, counts in analysis.items()
        }
    }


def render_service(service: Service) -> dict[str, Any]:
    return {"id": service.number, "name": service.name, "description": service.description}


def render_locale(loc: Locale) -> dict[str, Any]:
    return {"id": loc.id, "name": loc.name, "language": loc.language, "country": loc.country}


def render_delivery(row: dict[str, Any], numbers: dict[str, int]) -> dict[str, Any]:
    return {
        "event": row["event_type"],
        "jobId": numbers.get(row["job_id"] or ""),
        "url": row["url"],
        "status": str(row["status"]).upper(),
        "attempts": row["attempts"],
        "lastStatusCode": row["last_status_code"],
        "lastError": row["last_error"],
    }


def text(
    fields: dict[str, Any], name: str, *, required: bool = False, limit: int = 255
) -> str | None:
    """A string field (None when absent or null)."""
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise BadRequestError(f"{name} is required", field=name)
        return None
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        raise BadRequestError(f"{name} must be text of at most {limit} characters", field=name)
    return value


def integer(fields: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    """An integer id field (a number, or digits in XML)."""
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise BadRequestError(f"{name} is required", field=name)
        return None
    if isinstance(value, bool):
        raise BadRequestError(f"{name} must be an integer id", field=name)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 18:
        return int(value)
    raise BadRequestError(f"{name} must be an integer id", field=name)
