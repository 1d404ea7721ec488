"""LanguageWire request fields -> core requests, and core views -> LanguageWire job info."""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.model import ArtifactKind
from dragoman.core.files import FileSubmitRequest
from dragoman.core.queries import GroupView
from dragoman.errors import UnsupportedFormatError, ValidationError
from dragoman.settings import Settings
from dragoman.surfaces.base import Multipart
from dragoman.surfaces.languagewire.statuses import LANGUAGEWIRE_STATUS

SURFACE = "languagewire"
ALIAS_KIND = "group"  # a LanguageWire job is a group of one job; its jobId is the alias
SUCCESS_EVENT = "job.completed"
ERROR_EVENT = "job.failed"
MAX_TAG = 25  # BCP-47 tags of 2..25 characters, as the API documents them
MAX_TRANSLATION_ID = 255
FAILED_WITHOUT_CODE = "TRANSLATION_FAILED"


class JobInfo(BaseModel):
    """A document translation job, as `GET /v2/documents/{jobId}` returns it."""

    jobId: str
    source: str
    target: str
    successCallbackUrl: str | None
    errorCallbackUrl: str | None
    translationId: str | None
    status: Literal["CREATED", "IN_PROGRESS", "SUCCESS", "FAILED"]
    reason: str | None
    errorCode: str | None
    errorData: dict[str, Any] | None
    wordCount: int | None = None  # words in the document (CJK and Thai: characters)


class DocumentType(BaseModel):
    """A document format this server translates."""

    type: str
    extensions: list[str]
    mediaTypes: list[str]


class LanguagePairInfo(BaseModel):
    """One direction documents can be translated (`*` for any language)."""

    source: str
    target: str


@cache
def document_codecs() -> tuple[Codec, ...]:
    """Every codec of the registry whose artifacts are documents."""
    found = []
    for name in registry.names():
        try:
            codec = registry.get(name)
        except ImportError:  # a codec whose library is missing serves nothing
            continue
        if codec.kind == ArtifactKind.DOCUMENT:
            found.append(codec)
    return tuple(found)


def document_types() -> list[dict[str, Any]]:
    """`GET /v2/documents/types`: what the registry really serves as documents."""
    return [
        {"type": c.name, "extensions": list(c.extensions), "mediaTypes": list(c.media_types)}
        for c in document_codecs()
    ]


def submit_request(form: Multipart, settings: Settings) -> FileSubmitRequest:
    """The core request for an upload; ValidationError names the field at fault."""
    upload = form.files.get("file")
    if upload is None:
        raise ValidationError("Field required", field="file", kind="missing")
    source = _tag(form, "source")
    target = _tag(form, "target")
    translation_id = form.fields.get("translationId") or None
    if translation_id is not None and len(translation_id) > MAX_TRANSLATION_ID:
        raise ValidationError(
            f"String should have at most {MAX_TRANSLATION_ID} characters", field="translationId"
        )
    filename = upload.filename or "document"
    _check_document(filename, upload.data)
    callbacks = {
        event: url
        for event, name in (
            (SUCCESS_EVENT, "successCallbackUrl"),
            (ERROR_EVENT, "errorCallbackUrl"),
        )
        if (url := form.fields.get(name, "").strip())
    }
    return FileSubmitRequest(
        source_locale=source,
        target_locales=[target],
        filename=filename,
        data=upload.data,
        callbacks=callbacks,
        client_ref=translation_id,
        alias=str(uuid.uuid4()),
        max_words=settings.languagewire_max_words,
        retain_seconds=settings.languagewire_retention_seconds,
        idempotency_key=_replay_key(
            translation_id, upload.data, filename, source, target, callbacks
        ),
        surface=SURFACE,
    )


def _tag(form: Multipart, name: str) -> str:
    value = form.fields.get(name, "").strip()
    if not value:
        raise ValidationError("Field required", field=name, kind="missing")
    if not 2 <= len(value) <= MAX_TAG:
        raise ValidationError(
            f"{name} must be a BCP-47 tag of 2 to {MAX_TAG} characters", field=name
        )
    return value


def _check_document(filename: str, data: bytes) -> None:
    """UnsupportedFormatError naming the type when the file is not a document we translate."""
    supported = ", ".join(sorted({e for c in document_codecs() for e in c.extensions}))
    try:
        codec = registry.for_file(filename, data)
    except UnsupportedFormatError:
        codec = None
    if codec is None or codec.kind != ArtifactKind.DOCUMENT:
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "(none)"
        raise UnsupportedFormatError(
            f"the document type {suffix!r} of {filename!r} is not supported; "
            f"supported: {supported or 'none'}",
            field="file",
        )


def _replay_key(
    translation_id: str | None,
    data: bytes,
    filename: str,
    source: str,
    target: str,
    callbacks: dict[str, str],
) -> str | None:
    """The same translationId with the same file (and request) finds the same job."""
    if translation_id is None:
        return None
    canonical = json.dumps(
        [translation_id, hashlib.sha256(data).hexdigest(), filename, source, target, callbacks],
        separators=(",", ":"),
        sort_keys=True,
    )
    return "languagewire:" + hashlib.sha256(canonical.encode()).hexdigest()


def render_job(job_id: str, group: GroupView) -> dict[str, Any]:
    """The job info of a LanguageWire job (our group of one job)."""
    job = group.jobs[0]
    status = LANGUAGEWIRE_STATUS[job.status]
    failed = status == "FAILED"
    callbacks = group.callbacks or {}
    return {
        "jobId": job_id,
        "source": group.source_locale,
        "target": job.target_locale,
        "successCallbackUrl": callbacks.get(SUCCESS_EVENT),
        "errorCallbackUrl": callbacks.get(ERROR_EVENT),
        "translationId": group.client_ref,
        "status": status,
        "reason": (job.error_message or "the translation failed") if failed else None,
        "errorCode": (job.error_code or FAILED_WITHOUT_CODE) if failed else None,
        "errorData": job.error_data if failed else None,
        "wordCount": group.words_total,
    }
