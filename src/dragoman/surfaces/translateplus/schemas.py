"""TranslatePlus request fields -> core requests, and core views -> TranslatePlus job objects."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dragoman.content.formats import registry
from dragoman.core.files import FileSubmitRequest
from dragoman.core.queries import GroupView, JobView
from dragoman.core.status import JobStatus
from dragoman.errors import UnsupportedFormatError, ValidationError
from dragoman.surfaces.base import Multipart
from dragoman.surfaces.translateplus.statuses import TRANSLATEPLUS_STATUS

SURFACE = "translateplus"
# TranslatePlus's `file_type` values, each with the codec to force when the file's name
# does not already pick a codec of that type (`xml` lets the registry sniff which XML).
FILE_TYPES: dict[str, str | None] = {
    "json": "json",
    "yaml": "yaml",
    "po": "po",
    "properties": "properties",
    "strings": "strings",
    "xml": None,
}

FileUrl = Callable[[str, str], str]
"""(job id, language code) -> the absolute URL that downloads that translation."""


def submit_request(form: Multipart) -> FileSubmitRequest:
    """The core request for a create-job upload; ValidationError names the missing field."""
    upload = form.files.get("file")
    if upload is None:
        raise ValidationError("file is required: upload the i18n file as 'file'.", field="file")
    targets = parse_languages(form.fields.get("target_languages", ""))
    if not targets:
        raise ValidationError(
            "target_languages is required (comma-separated, e.g. 'fr,es').",
            field="target_languages",
        )
    filename = upload.filename or "upload"
    return FileSubmitRequest(
        source_locale=form.fields.get("source_language", "").strip() or "auto",
        target_locales=targets,
        filename=filename,
        data=upload.data,
        format=_format_override(filename, upload.data, form.fields.get("file_type")),
        callback_url=form.fields.get("webhook_url", "").strip() or None,
        surface=SURFACE,
    )


def parse_languages(value: str) -> list[str]:
    """`"fr,es"`, `"fr es"` or a JSON array `'["fr", "es"]'` -> `["fr", "es"]`."""
    text = value.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            raise ValidationError(
                "target_languages is not a valid JSON array", field="target_languages"
            ) from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValidationError(
                "target_languages must be an array of language codes", field="target_languages"
            )
        return [i.strip() for i in items if i.strip()]
    return [part for part in text.replace(",", " ").split() if part]


def _format_override(filename: str, data: bytes, file_type: str | None) -> str | None:
    if file_type is None or not file_type.strip():
        return None
    wanted = file_type.strip().lower()
    if wanted not in FILE_TYPES:
        raise ValidationError(
            f"file_type must be one of {', '.join(FILE_TYPES)}, not {file_type!r}",
            field="file_type",
        )
    try:
        if registry.for_file(filename, data).file_type == wanted:
            return None  # the name already says it, and more precisely (arb, i18next, ...)
    except UnsupportedFormatError:
        pass
    return FILE_TYPES[wanted]


def render_job(group: GroupView, file_url: FileUrl) -> dict[str, Any]:
    """A TranslatePlus job object for one uploaded file (our job group)."""
    total = group.units_total if group.units_total is not None else _most(group, "units_total")
    return {
        "id": group.id,
        "job_id": group.id,
        "status": TRANSLATEPLUS_STATUS[group.status],
        "original_filename": group.filename,
        "file_type": file_type_of(group.format),
        "source_language": group.source_locale,
        "target_languages": [job.target_locale for job in group.jobs],
        "total_keys": total,
        # A key counts as translated once every language still running or done has it, and
        # as failed once any language failed it: a file is one unit of work to TranslatePlus.
        "translated_keys": min(
            (job.units_done for job in group.jobs if job.status != JobStatus.FAILED), default=0
        ),
        "failed_keys": max((_failed_units(job) for job in group.jobs), default=0),
        "error_message": _error_message(group),
        "created_at": iso(group.created_at),
        "updated_at": iso(group.updated_at),
        "completed_at": iso(group.completed_at),
        "translated_files": [
            {
                "language_code": job.target_locale,
                "file_url": file_url(group.id, job.target_locale),
                "file_size": job.output_size,
            }
            for job in group.jobs
            if job.status == JobStatus.COMPLETED
        ],
    }


def file_type_of(codec_name: str) -> str:
    """TranslatePlus's `file_type` for a codec: its declared type, else the codec's name."""
    try:
        return registry.get(codec_name).file_type or codec_name
    except UnsupportedFormatError:
        return codec_name


def iso(value: datetime | None) -> str | None:
    """`2025-01-15T10:30:00Z`, as TranslatePlus writes times, or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _most(group: GroupView, attribute: str) -> int:
    return max((int(getattr(job, attribute)) for job in group.jobs), default=0)


def _failed_units(job: JobView) -> int:
    if job.status == JobStatus.FAILED:
        return max(job.units_failed, job.units_total - job.units_done)
    return job.units_failed


def _error_message(group: GroupView) -> str | None:
    failed = [job for job in group.jobs if job.status == JobStatus.FAILED]
    if not failed:
        return None
    return "; ".join(f"{job.target_locale}: {job.error_message or 'failed'}" for job in failed)
