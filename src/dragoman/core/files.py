"""Accepting a file: find its codec, parse it once, detect `auto`, then create the group.

The blocking parts run in two steps so that neither holds the write transaction: `prepare`
(parse, detect, on a worker thread, before the bytes are stored) and `submit_file` (the rows,
inside `Writer.run`, after the bytes are in the blob store).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from sqlalchemy import Connection, insert

from dragoman.content import langid
from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.survey import survey_isolated
from dragoman.content.model import Limits
from dragoman.core import aliases, text_checks
from dragoman.core.engine_records import EngineRecord
from dragoman.core.locales import normalize_locale, target_list
from dragoman.core.orgs import Organization
from dragoman.core.submission import (
    GroupSpec,
    JobFailure,
    Submitted,
    check_callback_url,
    create_group,
    resolve_engine,
)
from dragoman.errors import PayloadTooLargeError, ValidationError
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.tables import artifacts
from dragoman.timefmt import utcnow

AUTO = "auto"


@dataclass(frozen=True, slots=True)
class FileSubmitRequest:
    """A file to translate into `target_locales`, as any surface receives it."""

    source_locale: str  # BCP-47, or "auto"
    target_locales: Sequence[str]
    filename: str
    data: bytes
    format: str | None = None  # a codec name that overrides the extension
    callback_url: str | None = None
    idempotency_key: str | None = None
    engine_id: str | None = None
    surface: str = "native"
    # Per-event callback URLs (event type -> URL), instead of `callback_url`.
    callbacks: Mapping[str, str] | None = None
    client_ref: str | None = None  # the client's own id for the job, kept and returned
    alias: str | None = None  # the surface's own id for the group (`surface`, kind "group")
    max_words: int | None = None  # more words in the source: the jobs fail (MAX_WORDS_EXCEEDED)
    retain_seconds: int | None = None  # the group is deleted this long after it ended


@dataclass(frozen=True, slots=True)
class PreparedFile:
    """What parsing the upload found out, before anything is written."""

    codec: Codec
    filename: str
    source_locale: str
    units: int
    sha256: str
    artifact_id: str
    blob_key: str
    words: int = 0


def prepare(org: Organization, request: FileSubmitRequest, settings: Settings) -> PreparedFile:
    """Check the request, pick the codec and parse the file once (4xx naming what is wrong);
    CPU-bound: call it on a worker thread."""
    if len(request.data) > settings.max_upload_bytes:
        raise PayloadTooLargeError(
            f"the file is {len(request.data)} bytes; the limit is {settings.max_upload_bytes}",
            field="file",
        )
    if not request.data:
        raise ValidationError("the file is empty", field="file")
    text_checks.check_text(request.filename, "filename")
    text_checks.check_text(request.source_locale, "source_locale")
    text_checks.check_texts(request.target_locales, "target_locales")
    for name in ("format", "callback_url", "idempotency_key", "engine_id", "client_ref"):
        text_checks.check_optional(getattr(request, name), name)
    filename = PurePosixPath(request.filename.replace("\\", "/")).name[:255] or "upload"
    if request.callback_url is not None:
        check_callback_url(request.callback_url, "callback_url", settings=settings)
    for event, url in (request.callbacks or {}).items():
        check_callback_url(url, callback_field(event), settings=settings)
    codec = registry.for_file(filename, request.data, request.format)
    found = survey_isolated(
        codec.name,
        request.data,
        _parse_locale(request),
        file_limits(settings),
        in_child_above=settings.parse_in_child_above_bytes,
    )
    if not found.translatable:
        raise ValidationError(f"{filename} has nothing to translate", field="file")
    source = request.source_locale
    if source.strip().lower() == AUTO:
        detected = langid.detect_locale(list(found.sample))
        if detected is None:
            raise ValidationError(
                "could not detect the source language; name it", field="source_locale"
            )
        source = detected
    artifact_id = new_id("art")
    return PreparedFile(
        codec=codec,
        filename=filename,
        source_locale=normalize_locale(source, field="source_locale"),
        units=found.units,
        sha256=hashlib.sha256(request.data).hexdigest(),
        artifact_id=artifact_id,
        blob_key=f"{org.id}/src/{artifact_id}",
        words=found.words,
    )


def callback_field(event: str) -> str:
    """The core's name for the callback URL of `event` (surfaces map it to theirs)."""
    return f"callbacks.{event}"


def file_limits(settings: Settings) -> Limits:
    """What a codec may take on when it parses an upload."""
    return Limits(max_bytes=settings.max_upload_bytes, max_units=settings.max_file_units)


def _parse_locale(request: FileSubmitRequest) -> str:
    """The locale a codec reads the file as (Rails root key, PO Language): `en` for auto."""
    tag = request.source_locale.strip()
    return "en" if tag.lower() == AUTO else tag


def submit_file(
    conn: Connection,
    org: Organization,
    request: FileSubmitRequest,
    prepared: PreparedFile,
    settings: Settings,
) -> Submitted:
    """Create the group, its source artifact and one job per target, in the caller's write
    transaction (the file's bytes are already in the blob store under `blob_key`)."""
    targets = target_list(
        prepared.source_locale, request.target_locales, limit=settings.max_target_locales
    )
    engine = resolve_engine(conn, org, request.engine_id, settings)
    codec = prepared.codec
    now = utcnow()
    artifact = {
        "id": prepared.artifact_id,
        "org_id": org.id,
        "kind": str(codec.kind),
        "format": codec.name,
        "filename": prepared.filename,
        "media_type": codec.media_types[0],
        "sha256": prepared.sha256,
        "size": len(request.data),
        "blob_key": prepared.blob_key,
        "units": prepared.units,
        "created_at": now,
    }

    def insert_artifact(c: Connection) -> None:
        c.execute(insert(artifacts), artifact)

    def issue_alias(c: Connection, group_id: str) -> None:
        if request.alias is not None:
            aliases.issue(
                c,
                surface=request.surface,
                kind="group",
                alias=request.alias,
                core_id=group_id,
                org_id=org.id,
            )

    failure = _word_cap(prepared, request.max_words)
    row: dict[str, object] = {
        "artifact_kind": str(codec.kind),
        "artifact_format": codec.name,
        "source_artifact_id": prepared.artifact_id,
        "surface": request.surface,
        "units_total": prepared.units,
        "words_total": prepared.words,
        "client_ref": request.client_ref,
        "retain_seconds": request.retain_seconds,
    }
    if failure is not None and request.retain_seconds is not None:
        row["expires_at"] = now + timedelta(seconds=request.retain_seconds)  # ended already

    return create_group(
        conn,
        org,
        GroupSpec(
            source_locale=prepared.source_locale,
            target_locales=targets,
            engine_id=engine.id,
            fingerprint=_fingerprint(prepared, targets, engine, request),
            callback_url=request.callback_url,
            idempotency_key=request.idempotency_key,
            row=row,
            before_insert=insert_artifact,
            filename=prepared.filename,
            after_insert=issue_alias,
            callbacks=request.callbacks,
            failure=failure,
        ),
    )


def _word_cap(prepared: PreparedFile, max_words: int | None) -> JobFailure | None:
    """The failure of a source over the word cap, or None."""
    if max_words is None or prepared.words <= max_words:
        return None
    return JobFailure(
        f"the document has {prepared.words} words; the limit is {max_words}",
        "MAX_WORDS_EXCEEDED",
        {"maxAllowedWords": max_words, "words": prepared.words},
    )


def _fingerprint(
    prepared: PreparedFile, targets: list[str], engine: EngineRecord, request: FileSubmitRequest
) -> str:
    parts: list[object] = [
        prepared.source_locale,
        targets,
        engine.id,
        prepared.sha256,
        prepared.codec.name,
        prepared.filename,
        request.callback_url,
    ]
    if request.callbacks is not None or request.client_ref is not None:
        parts += [dict(request.callbacks or {}), request.client_ref]  # older hashes unchanged
    canonical = json.dumps(parts, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
