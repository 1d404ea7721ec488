"""Reading groups and jobs, always scoped to the caller's organization."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select, tuple_, union_all

from dragoman.core import text_checks
from dragoman.core.status import FINAL, GroupStatus, JobStatus, group_status
from dragoman.errors import GoneError, NotFoundError, ValidationError
from dragoman.store.tables import artifacts, job_groups, jobs
from dragoman.timefmt import iso_ms, parse_iso

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as the core knows it; surfaces render it in their own shape."""

    id: str
    group_id: str
    org_id: str
    engine_id: str
    target_locale: str
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error_message: str | None = None
    callback_status: str | None = None
    units_total: int = 0
    units_done: int = 0
    output: Any = None
    issues: list[dict[str, Any]] = field(default_factory=list)
    units_failed: int = 0
    output_filename: str | None = None  # a file job's translated file, once completed
    output_size: int | None = None
    format: str | None = None  # a file job's format; None for a structured JSON object
    error_code: str | None = None  # machine-readable failure reason (MAX_WORDS_EXCEEDED)
    error_data: dict[str, Any] | None = None
    words: int | None = None  # words in the group's source (CJK and Thai: characters)
    metrics: dict[str, Any] | None = None  # what the run measured (units from the TM)


@dataclass(frozen=True, slots=True)
class GroupView:
    """A job group with its jobs and derived status."""

    id: str
    org_id: str
    engine_id: str
    source_locale: str
    created_at: datetime
    jobs: list[JobView]
    kind: str = "structured"
    format: str = "structured"
    filename: str | None = None
    surface: str = "native"
    units_total: int | None = None
    callback_url: str | None = None
    words_total: int | None = None  # words in the source (CJK and Thai: characters)
    client_ref: str | None = None  # the client's own id for it (LanguageWire translationId)
    callbacks: dict[str, str] | None = None  # event type -> URL (per-event callbacks)

    @property
    def status(self) -> GroupStatus:
        return group_status(job.status for job in self.jobs)

    @property
    def updated_at(self) -> datetime:
        """The latest change of any of its jobs."""
        stamps = [self.created_at]
        for job in self.jobs:
            stamps.extend(t for t in (job.started_at, job.completed_at) if t is not None)
        return max(stamps)

    @property
    def completed_at(self) -> datetime | None:
        """When its last job became final; None while any is still running."""
        if any(job.status not in FINAL for job in self.jobs):
            return None
        return max((j.completed_at for j in self.jobs if j.completed_at), default=None)

    def count(self, status: JobStatus) -> int:
        return sum(job.status == status for job in self.jobs)


_SUMMARY_COLUMNS = (
    jobs.c.id,
    jobs.c.group_id,
    jobs.c.org_id,
    jobs.c.engine_id,
    jobs.c.target_locale,
    jobs.c.status,
    jobs.c.created_at,
    jobs.c.started_at,
    jobs.c.completed_at,
    jobs.c.error_message,
    jobs.c.callback_status,
    jobs.c.units_total,
    jobs.c.units_done,
    jobs.c.error_code,
    jobs.c.error_data,
)


def _view(
    row: Any, with_output: bool = False, out: Any = None, words: int | None = None
) -> JobView:
    output = None
    issues: list[dict[str, Any]] = []
    if with_output:
        output = json.loads(row.output) if row.output is not None else None
        issues = list(row.issues or [])
    failed = getattr(row, "units_failed", 0) or 0
    return JobView(
        row.id,
        row.group_id,
        row.org_id,
        row.engine_id,
        row.target_locale,
        JobStatus(row.status),
        row.created_at,
        row.started_at,
        row.completed_at,
        row.error_message,
        row.callback_status,
        row.units_total,
        row.units_done,
        output,
        issues,
        failed,
        out.filename if out is not None else None,
        out.size if out is not None else None,
        getattr(row, "artifact_format", None),
        row.error_code,
        row.error_data,
        words if words is not None else getattr(row, "words_total", None),
        getattr(row, "metrics", None),
    )


def get_group(conn: Connection, org_id: str, group_id: str) -> GroupView:
    """The group and its jobs; NotFoundError for unknown ids and other organizations' ids."""
    text_checks.check_id(group_id, "ljg", "job group")  # a NUL is a 500 on PostgreSQL
    group = conn.execute(
        _GROUP_QUERY.where(job_groups.c.id == group_id, job_groups.c.org_id == org_id)
    ).first()
    if group is None:
        raise NotFoundError(f"job group {group_id!r} not found")
    return _group_view(conn, org_id, group)


_GROUP_QUERY = select(
    job_groups.c.id,
    job_groups.c.engine_id,
    job_groups.c.source_locale,
    job_groups.c.target_locales,
    job_groups.c.created_at,
    job_groups.c.artifact_kind,
    job_groups.c.artifact_format,
    job_groups.c.surface,
    job_groups.c.units_total,
    job_groups.c.callback_url,
    job_groups.c.source_artifact_id,
    job_groups.c.words_total,
    job_groups.c.client_ref,
    job_groups.c.callbacks,
)


def _group_view(conn: Connection, org_id: str, group: Any) -> GroupView:
    filename = None
    if group.source_artifact_id is None:
        rows = conn.execute(select(*_SUMMARY_COLUMNS).where(jobs.c.group_id == group.id)).all()
        views = [_view(r, words=group.words_total) for r in rows]
    else:
        filename = conn.execute(
            select(artifacts.c.filename).where(artifacts.c.id == group.source_artifact_id)
        ).scalar()
        out = artifacts.alias("out")
        rows = conn.execute(
            select(
                *_SUMMARY_COLUMNS,
                jobs.c.units_failed,
                out.c.filename,
                out.c.size,
                literal(group.artifact_format).label("artifact_format"),
            )
            .outerjoin(out, out.c.id == jobs.c.output_artifact_id)
            .where(jobs.c.group_id == group.id)
        ).all()
        views = [
            _view(r, out=r if r.filename is not None else None, words=group.words_total)
            for r in rows
        ]
    order = {locale: i for i, locale in enumerate(group.target_locales)}
    views.sort(key=lambda j: order.get(j.target_locale, len(order)))
    return GroupView(
        group.id,
        org_id,
        group.engine_id,
        group.source_locale,
        group.created_at,
        views,
        group.artifact_kind or "structured",
        group.artifact_format or "structured",
        filename,
        group.surface or "native",
        group.units_total,
        group.callback_url,
        group.words_total,
        group.client_ref,
        group.callbacks,
    )


def list_groups(
    conn: Connection, org_id: str, *, surface: str | None, limit: int, offset: int
) -> tuple[list[GroupView], int]:
    """A page of groups, newest first, and how many there are in all."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise ValidationError("offset must not be negative", field="offset")
    where = [job_groups.c.org_id == org_id]
    if surface is not None:
        where.append(job_groups.c.surface == surface)
    total = conn.execute(select(func.count()).select_from(job_groups).where(*where)).scalar_one()
    rows = conn.execute(
        _GROUP_QUERY.where(*where)
        .order_by(job_groups.c.created_at.desc(), job_groups.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_group_view(conn, org_id, row) for row in rows], int(total)


def get_job(conn: Connection, org_id: str, job_id: str) -> JobView:
    """One job with its output; NotFoundError for unknown ids and other organizations' ids."""
    text_checks.check_id(job_id, "ljb", "job")  # a NUL is a 500 on PostgreSQL
    row = conn.execute(
        select(
            *_SUMMARY_COLUMNS,
            jobs.c.output,
            jobs.c.issues,
            jobs.c.expired_at,
            jobs.c.units_failed,
            jobs.c.metrics,
            artifacts.c.filename,
            artifacts.c.size,
            job_groups.c.artifact_format,
            job_groups.c.words_total,
        )
        .join(job_groups, job_groups.c.id == jobs.c.group_id)
        .outerjoin(artifacts, artifacts.c.id == jobs.c.output_artifact_id)
        .where(jobs.c.id == job_id, jobs.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"job {job_id!r} not found")
    if row.expired_at is not None:
        raise GoneError(
            f"job {job_id!r} expired on {iso_ms(row.expired_at)}: its output was deleted under "
            "the retention policy"
        )
    return _view(row, with_output=True, out=row if row.filename is not None else None)


# What `encode_cursor` writes: `iso_ms` times and ids, base64url of about 80 characters.
_MAX_CURSOR = 256
_CURSOR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)
_CURSOR_ID = re.compile(r"[a-z]{1,8}_[0-9A-Za-z]{1,64}", re.ASCII)


def encode_cursor(job: JobView) -> str:
    """Opaque keyset cursor: base64url of {"t": createdAt, "i": id}."""
    raw = json.dumps({"t": iso_ms(job.created_at), "i": job.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (created_at, id) a cursor points after; ValidationError names `cursor`.

    Only the exact shape `encode_cursor` writes is accepted: a crafted cursor (a number for
    the time, years 1 or 9999 with an offset, deep arrays, NULs, surrogates) is a 422, never
    an overflow or a database error (issue 9).
    """
    invalid = ValidationError("cursor is not a cursor this server issued", field="cursor")
    if len(cursor) > _MAX_CURSOR or not cursor.isascii():
        raise invalid
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError) as exc:  # UnicodeDecodeError too
        raise invalid from exc
    if not isinstance(value, dict) or set(value) != {"t", "i"}:
        raise invalid
    created, last_id = value["t"], value["i"]
    if not isinstance(created, str) or not _CURSOR_TIME.fullmatch(created):
        raise invalid
    if not isinstance(last_id, str) or not _CURSOR_ID.fullmatch(last_id):
        raise invalid
    try:
        return parse_iso(created), last_id
    except (ValueError, OverflowError) as exc:  # e.g. month 13
        raise invalid from exc


def list_jobs(
    conn: Connection,
    org_id: str,
    *,
    statuses: Sequence[str] | None = None,
    engine_id: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[JobView], str | None]:
    """A page of jobs, newest first, keyset-paginated on (created_at, id) so that concurrent
    inserts never shift or repeat items; returns the items and the next cursor."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    query = select(*_SUMMARY_COLUMNS).where(jobs.c.org_id == org_id)
    if engine_id:
        text_checks.check_text(engine_id, "engineId")
        query = query.where(jobs.c.engine_id == engine_id)
    if cursor:
        created, last_id = decode_cursor(cursor)
        query = query.where(
            # A row comparison, not `a < x OR (a = x AND b < y)`: PostgreSQL turns it into an
            # index bound, so a page deep in a million jobs costs what the first page costs.
            tuple_(jobs.c.created_at, jobs.c.id)
            < tuple_(literal(created, jobs.c.created_at.type), literal(last_id, jobs.c.id.type))
        )
    newest = (jobs.c.created_at.desc(), jobs.c.id.desc())
    if not statuses:
        query = query.order_by(*newest).limit(limit + 1)
    elif len(statuses) == 1:
        query = query.where(jobs.c.status == statuses[0]).order_by(*newest).limit(limit + 1)
    else:
        # One page per status, merged: each is a range of the (org, status, created_at, id)
        # index, so the cost stays a few pages however many jobs match (an IN list would
        # sort every matching row, or scan the org's jobs newest first until enough match).
        parts = union_all(
            *(
                select(
                    query.where(jobs.c.status == status)
                    .order_by(*newest)
                    .limit(limit + 1)
                    .subquery()
                )
                for status in dict.fromkeys(statuses)
            )
        ).subquery()
        query = select(parts).order_by(parts.c.created_at.desc(), parts.c.id.desc())
        query = query.limit(limit + 1)
    rows = conn.execute(query).all()
    items = [_view(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1]) if len(rows) > limit else None
    return items, next_cursor


def owned_groups(conn: Connection, org_id: str, group_ids: Sequence[str]) -> set[str]:
    """Which of `group_ids` belong to the organization (the others answer 404)."""
    if not group_ids:
        return set()
    rows = conn.execute(
        select(job_groups.c.id).where(
            job_groups.c.id.in_(list(group_ids)), job_groups.c.org_id == org_id
        )
    )
    return {r.id for r in rows}
