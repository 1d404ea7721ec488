"""Named files of projects: a SOURCE is created empty and gets its bytes (an artifact) when
they are uploaded; a TARGET belongs to one job, whose output artifact holds its bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.survey import survey_isolated
from dragoman.core import aliases
from dragoman.core.files import file_limits
from dragoman.core.status import JobStatus
from dragoman.errors import BadRequestError, NotFoundError, PayloadTooLargeError, ValidationError
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.project_tables import job_quotes, project_files
from dragoman.store.tables import artifacts, job_groups, jobs
from dragoman.timefmt import utcnow

SOURCE = "SOURCE"
TARGET = "TARGET"
FILE_TYPES = ("SOURCE", "TARGET", "AUXILIARY", "QUOTE", "INVOICE")
F = project_files.c


@dataclass(frozen=True, slots=True)
class FileView:
    """A named file; `blob_key` is None until it has bytes (a TARGET: until its job ended)."""

    id: str
    number: int
    org_id: str
    project_id: str | None
    name: str
    type: str
    artifact_id: str | None
    job_id: str | None
    created_at: datetime
    size: int | None = None
    media_type: str | None = None
    blob_key: str | None = None
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """What reading an upload found: its codec and how many units it has."""

    codec: Codec
    units: int
    words: int


def inspect_upload(name: str, data: bytes, settings: Settings) -> Upload:
    """Check that `data` is a file this server translates (by its name and content), with
    something to translate; CPU-bound: call it on a thread."""
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLargeError(
            f"the file is {len(data)} bytes; the limit is {settings.max_upload_bytes}",
            field="content",
        )
    if not data:
        raise ValidationError("the file content is empty", field="content")
    codec = registry.for_file(name, data, None)
    found = survey_isolated(
        codec.name, data, "en", file_limits(settings),
        in_child_above=settings.parse_in_child_above_bytes,
    )  # fmt: skip
    if not found.translatable:
        raise ValidationError(f"{name} has nothing to translate", field="content")
    return Upload(codec, found.units, found.words)


def create_file(
    conn: Connection,
    org_id: str,
    *,
    surface: str,
    name: str,
    type: str = SOURCE,
    project_id: str | None = None,
    job_id: str | None = None,
) -> FileView:
    """A new named file without bytes."""
    file_id = new_id("fil")
    number = aliases.next_integer(conn, surface=surface, kind="file")
    now = utcnow()
    conn.execute(
        insert(project_files).values(
            id=file_id, number=number, org_id=org_id, project_id=project_id, name=name,
            type=type, artifact_id=None, job_id=job_id, created_at=now,
        )
    )  # fmt: skip
    return FileView(file_id, number, org_id, project_id, name, type, None, job_id, now)


_OUT = artifacts.alias("out")


def _query() -> Any:
    art = func.coalesce(F.artifact_id, jobs.c.output_artifact_id)
    completed = jobs.c.status == JobStatus.COMPLETED
    return (
        select(
            project_files,
            artifacts.c.size,
            artifacts.c.media_type,
            artifacts.c.blob_key,
            artifacts.c.format,
        )
        .outerjoin(jobs, (jobs.c.id == F.job_id) & completed)
        .outerjoin(artifacts, artifacts.c.id == art)
    )


def _view(row: Any) -> FileView:
    return FileView(
        row.id, row.number, row.org_id, row.project_id, row.name, row.type, row.artifact_id,
        row.job_id, row.created_at, row.size, row.media_type, row.blob_key, row.format,
    )  # fmt: skip


def find_file(conn: Connection, org_id: str, number: int) -> FileView:
    """The organization's file by its integer id; NotFoundError otherwise."""
    row = conn.execute(_query().where(F.number == number, F.org_id == org_id)).first()
    if row is None:
        raise NotFoundError(f"file {number} not found")
    return _view(row)


def list_files(
    conn: Connection,
    org_id: str,
    *,
    project_id: str | None = None,
    job_id: str | None = None,
    limit: int | None,
    offset: int,
) -> tuple[list[FileView], int]:
    """The organization's files (of a project, or of a job: its source and target)."""
    where = F.org_id == org_id
    if project_id is not None:
        where = where & (F.project_id == project_id)
    if job_id is not None:
        source = select(job_quotes.c.source_file_id).where(job_quotes.c.job_id == job_id)
        where = where & ((F.job_id == job_id) | F.id.in_(source))
    total = conn.execute(select(func.count()).select_from(project_files).where(where)).scalar_one()
    query = _query().where(where).order_by(F.number).offset(offset)
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    return [_view(r) for r in rows], int(total)


def users_of(conn: Connection, file_id: str) -> list[int]:
    """The integer ids of the jobs translating this file."""
    rows = conn.execute(
        select(job_quotes.c.number).where(job_quotes.c.source_file_id == file_id)
    ).all()
    return [r.number for r in rows]


def attach_content(conn: Connection, file: FileView, artifact: dict[str, Any]) -> str | None:
    """Make `artifact` (its bytes already stored) the file's content; returns the blob key
    of the content it replaced, to delete after the commit."""
    if file.type != SOURCE:
        raise BadRequestError(f"file {file.number} is a {file.type} file: its content is ours")
    used = users_of(conn, file.id)
    if used:
        raise BadRequestError(
            f"file {file.number} is the source of job {used[0]}: its content can no longer change"
        )
    conn.execute(insert(artifacts), artifact)
    conn.execute(update(project_files).where(F.id == file.id).values(artifact_id=artifact["id"]))
    if file.artifact_id is None:
        return None
    conn.execute(delete(artifacts).where(artifacts.c.id == file.artifact_id))
    return file.blob_key


def delete_files(conn: Connection, files: list[FileView]) -> list[str]:
    """Delete SOURCE files no job uses (and their bytes' rows); returns their blob keys."""
    keys: list[str] = []
    for file in files:
        if file.type == TARGET:
            raise BadRequestError(
                f"file {file.number} is a job's target file: delete the job instead"
            )
        used = users_of(conn, file.id)
        if used:
            raise BadRequestError(f"file {file.number} is the source of job {used[0]}")
        if file.artifact_id is not None:
            conn.execute(delete(artifacts).where(artifacts.c.id == file.artifact_id))
            if file.blob_key:
                keys.append(file.blob_key)
        conn.execute(delete(project_files).where(F.id == file.id))
    return keys


def link(conn: Connection, file: FileView, project_id: str) -> None:
    """Make `file` one of the project's files."""
    if file.project_id not in (None, project_id):
        raise BadRequestError(f"file {file.number} belongs to another project", field="id")
    conn.execute(update(project_files).where(F.id == file.id).values(project_id=project_id))


def source_group_columns(file: FileView) -> dict[str, Any]:
    """The group columns of a job translating `file` (its artifact, kind, format, units)."""
    if file.artifact_id is None:
        raise BadRequestError(
            f"file {file.number} has no content yet: PUT its content first", field="sourceFileId"
        )
    return {"source_artifact_id": file.artifact_id, "artifact_format": file.format}


def artifact_units(conn: Connection, artifact_id: str) -> tuple[str, int]:
    """The kind and unit count of an artifact."""
    row = conn.execute(
        select(artifacts.c.kind, artifacts.c.units).where(artifacts.c.id == artifact_id)
    ).one()
    return str(row.kind), int(row.units)


def group_of_job(conn: Connection, job_id: str) -> str | None:
    """The group of a job (None once deleted)."""
    return conn.execute(select(jobs.c.group_id).where(jobs.c.id == job_id)).scalar()


def forget_group_source(conn: Connection, group_ids: list[str]) -> None:
    """Detach groups from their source artifact, which their file owns (so deleting the
    groups leaves the file's bytes alone)."""
    if group_ids:
        conn.execute(
            update(job_groups).where(job_groups.c.id.in_(group_ids)).values(source_artifact_id=None)
        )
