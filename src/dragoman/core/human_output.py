"""A human job's output: its source parsed again through the group's codec and rendered
with the translators' targets, stored like a machine output (a JSON object's text inline,
a file's bytes in the blob store before the artifact row that names them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.structured import StructuredCodec
from dragoman.content.model import Extraction, Limits
from dragoman.core.human_units import Segment, apply_targets
from dragoman.core.review import Rendered
from dragoman.errors import DragomanError, GoneError
from dragoman.ids import new_id
from dragoman.store.blobs.base import BlobStore
from dragoman.store.tables import artifacts, job_groups, jobs
from dragoman.timefmt import utcnow

STRUCTURED = StructuredCodec()


@dataclass(frozen=True, slots=True)
class JobSource:
    """What rendering a job needs: its ids, locales and where its source lives."""

    job_id: str
    org_id: str
    source_locale: str
    target_locale: str
    content: str | None  # a JSON object's text
    artifact_format: str | None
    blob_key: str | None
    filename: str | None


def job_source(conn: Connection, job_id: str) -> JobSource:
    """Where the job's source is (GoneError once retention deleted it)."""
    row = conn.execute(
        select(
            jobs.c.id, jobs.c.org_id, jobs.c.target_locale, job_groups.c.source_locale,
            job_groups.c.content, job_groups.c.artifact_format, artifacts.c.blob_key,
            artifacts.c.filename,
        )
        .join(job_groups, job_groups.c.id == jobs.c.group_id)
        .outerjoin(artifacts, artifacts.c.id == job_groups.c.source_artifact_id)
        .where(jobs.c.id == job_id)
    ).one()  # fmt: skip
    if row.artifact_format is None and row.content is None:
        raise GoneError(f"job {job_id!r}: its source has expired")
    if row.artifact_format is not None and row.blob_key is None:
        raise GoneError(f"job {job_id!r}: its source file has expired")
    return JobSource(
        row.id, row.org_id, row.source_locale, row.target_locale, row.content,
        row.artifact_format, row.blob_key, row.filename,
    )  # fmt: skip


def parse_source(
    source: JobSource, blobs: BlobStore | None, limits: Limits
) -> tuple[Codec, Extraction]:
    """The source's codec and units, as the pipeline extracted them."""
    if source.artifact_format is None:
        assert source.content is not None
        return STRUCTURED, STRUCTURED.extract(json.loads(source.content))
    if blobs is None or source.blob_key is None:
        raise GoneError(f"job {source.job_id!r}: its source file cannot be read here")
    codec = registry.get(source.artifact_format)
    data = blobs.read(source.blob_key)
    return codec, codec.parse(data, source_locale=source.source_locale, limits=limits)


def render(
    source: JobSource,
    segments: Sequence[Segment],
    blobs: BlobStore | None,
    limits: Limits,
    revision: int,
) -> Rendered:
    """The output with the segments' targets: a JSON object's text, or a file stored under a
    key of its own revision (the artifact row is for the caller's transaction)."""
    codec, extraction = parse_source(source, blobs, limits)
    units = apply_targets(extraction.units, segments)
    if isinstance(codec, StructuredCodec):
        return Rendered(
            output=json.dumps(codec.rebuild(extraction.skeleton, units), ensure_ascii=False)
        )
    try:
        data = codec.render(extraction.skeleton, units, target_locale=source.target_locale)
    except DragomanError:
        raise
    except Exception as exc:  # a codec bug must be a clear error, not a 500 without reason
        raise DragomanError(
            f"could not write the translated {codec.name} file: {type(exc).__name__}"
        ) from exc
    assert blobs is not None
    key = f"{source.org_id}/out/{source.job_id}/human-{revision}-{new_id('v', 6)}"
    ref = blobs.put_bytes(key, data)
    return Rendered(
        artifact={
            "id": new_id("art"), "org_id": source.org_id, "kind": str(codec.kind),
            "format": codec.name,
            "filename": codec.output_filename(
                source.filename, source.source_locale, source.target_locale
            ),
            "media_type": codec.media_types[0], "sha256": ref.sha256, "size": ref.size,
            "blob_key": key, "units": len(extraction.units), "created_at": utcnow(),
        }
    )  # fmt: skip
