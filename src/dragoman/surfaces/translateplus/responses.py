"""What the TranslatePlus routes answer with a 2xx, as models for the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Timestamp = str  # `2025-01-15T10:30:00Z`


class TranslatedFile(BaseModel):
    """One language's translated file."""

    language_code: str
    file_url: str
    file_size: int | None


class I18nJob(BaseModel):
    """A TranslatePlus job: one uploaded file and its target languages."""

    id: str
    job_id: str
    status: Literal["pending", "processing", "completed", "partial", "failed"]
    original_filename: str | None
    file_type: str
    source_language: str
    target_languages: list[str]
    total_keys: int
    translated_keys: int
    failed_keys: int
    error_message: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    completed_at: Timestamp | None
    translated_files: list[TranslatedFile]


class I18nJobPage(BaseModel):
    """`GET /v2/i18n/jobs`: one page, with links to its neighbours."""

    count: int
    next: str | None
    previous: str | None
    results: list[I18nJob]


class Deleted(BaseModel):
    """`DELETE` of a job."""

    id: str
    job_id: str
    deleted: Literal[True]


def ok(model: Any, description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a 2xx answered with `model`."""
    return {"model": model, "description": description}
