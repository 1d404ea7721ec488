"""What Gengo reads: a job as its payload needs it, lists of jobs, orders and account
figures, by the organization's integer ids (another organization's ids are not found)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from dragoman.core.gengo_orders import BODY_KEY
from dragoman.core.status import JobStatus
from dragoman.errors import NotFoundError
from dragoman.store.gengo_tables import gengo_jobs, gengo_orders
from dragoman.store.review_tables import human_jobs, job_comments, job_units
from dragoman.store.tables import artifacts, job_groups, jobs

MAX_LIST = 200


@dataclass(frozen=True, slots=True)
class GengoJob:
    """A Gengo job with its core state."""

    job_id: str
    number: int
    order_number: int
    status: JobStatus
    rejected: bool
    body_src: str
    body_tgt: str | None
    machine: str | None
    lc_src: str
    lc_tgt: str
    tier: str
    unit_count: int
    credits_micros: int
    currency: str
    eta_seconds: int
    auto_approve: bool
    slug: str
    custom_data: str | None
    callback_url: str | None
    position: int | None
    comment: str | None
    max_chars: int | None
    services: list[str]
    purpose: str | None
    tone: str | None
    from_memory: bool
    created_at: datetime
    completed_at: datetime | None
    type: str = "text"
    has_output_file: bool = False


def _query() -> Any:
    return (
        select(
            gengo_jobs, jobs.c.status, jobs.c.output, jobs.c.completed_at, job_groups.c.content,
            jobs.c.output_artifact_id,
            human_jobs.c.unit_count, human_jobs.c.credits_micros, human_jobs.c.currency,
            human_jobs.c.eta_seconds, human_jobs.c.auto_approve, human_jobs.c.instructions,
            human_jobs.c.max_chars, gengo_orders.c.number.label("order_number"),
        )
        .join(jobs, jobs.c.id == gengo_jobs.c.job_id)
        .join(job_groups, job_groups.c.id == gengo_jobs.c.group_id)
        .join(human_jobs, human_jobs.c.job_id == gengo_jobs.c.job_id)
        .join(gengo_orders, gengo_orders.c.id == gengo_jobs.c.order_id)
    )  # fmt: skip


def _text(content: str | None) -> str | None:
    if content is None:
        return None
    value = json.loads(content).get(BODY_KEY)
    return value if isinstance(value, str) else None


def _job(row: Any, machine: str | None = None) -> GengoJob:
    status = JobStatus(row.status)
    shown = status in (JobStatus.REVIEWABLE, JobStatus.COMPLETED)
    return GengoJob(
        row.job_id, int(row.number), int(row.order_number), status, bool(row.rejected),
        _text(row.content) or "", _text(row.output) if shown else None, machine, row.lc_src,
        row.lc_tgt, row.tier, row.unit_count, int(row.credits_micros), row.currency,
        row.eta_seconds, row.auto_approve, row.slug, row.custom_data, row.callback_url,
        row.position, row.instructions, row.max_chars, list(row.services or []), row.purpose,
        row.tone, bool(row.from_memory), row.created_at, row.completed_at, row.type,
        shown and row.output_artifact_id is not None,
    )  # fmt: skip


def _machine(conn: Connection, job_id: str) -> str | None:
    rows = conn.execute(
        select(job_units.c.machine)
        .where(job_units.c.job_id == job_id)
        .order_by(job_units.c.segment)
    ).all()
    texts = [r.machine for r in rows if r.machine]
    return "\n".join(texts) if texts else None


def get_job(conn: Connection, org_id: str, number: int, *, pre_mt: bool = False) -> GengoJob:
    """The organization's job by its integer id; NotFoundError otherwise."""
    row = conn.execute(
        _query().where(gengo_jobs.c.number == number, gengo_jobs.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"job {number} not found", field="job_id", gengo_code=2100)
    return _job(row, _machine(conn, row.job_id) if pre_mt else None)


def get_jobs(conn: Connection, org_id: str, numbers: Sequence[int]) -> list[GengoJob]:
    """The organization's jobs among `numbers`, in the order asked (unknown ones left out)."""
    rows = conn.execute(
        _query().where(gengo_jobs.c.number.in_(list(numbers)), gengo_jobs.c.org_id == org_id)
    ).all()
    found = {int(r.number): _job(r) for r in rows}
    return [found[n] for n in numbers if n in found]


def list_jobs(
    conn: Connection,
    org_id: str,
    *,
    statuses: Collection[JobStatus] | None,
    rejected: bool | None,
    after: datetime | None,
    count: int | None,
) -> list[GengoJob]:
    """The organization's jobs, newest first, filtered by status and submission time."""
    query = _query().where(gengo_jobs.c.org_id == org_id)
    if statuses is not None:
        query = query.where(jobs.c.status.in_(sorted(statuses)))
    if rejected is not None:
        query = query.where(gengo_jobs.c.rejected.is_(rejected))
    if after is not None:
        query = query.where(gengo_jobs.c.created_at > after)
    query = query.order_by(gengo_jobs.c.created_at.desc(), gengo_jobs.c.number.desc())
    rows = conn.execute(query.limit(min(count or MAX_LIST, MAX_LIST))).all()
    return [_job(r) for r in rows]


@dataclass(frozen=True, slots=True)
class GengoOrder:
    """An order and its jobs' states."""

    number: int
    credits_micros: int
    currency: str
    as_group: bool
    comment: str | None
    created_at: datetime
    jobs: list[GengoJob]


def get_order(conn: Connection, org_id: str, number: int) -> GengoOrder:
    """The organization's order by its integer id; NotFoundError otherwise."""
    row = conn.execute(
        select(gengo_orders).where(gengo_orders.c.number == number, gengo_orders.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"order {number} not found", field="order_id", gengo_code=2750)
    ids = list(row.job_ids or [])
    rows = conn.execute(_query().where(gengo_jobs.c.job_id.in_(ids))).all() if ids else []
    by_id = {r.job_id: _job(r) for r in rows}
    members = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    return GengoOrder(
        int(row.number), int(row.credits_micros), row.currency, row.as_group, row.comment,
        row.created_at, members,
    )  # fmt: skip


def credits_spent(conn: Connection, org_id: str) -> int:
    """Micro-credits the organization's orders cost."""
    value = conn.execute(
        select(func.coalesce(func.sum(gengo_orders.c.credits_micros), 0)).where(
            gengo_orders.c.org_id == org_id
        )
    ).scalar_one()
    return int(value)


def first_order_at(conn: Connection, org_id: str) -> datetime | None:
    """When the organization first ordered."""
    value: datetime | None = conn.execute(
        select(func.min(gengo_orders.c.created_at)).where(gengo_orders.c.org_id == org_id)
    ).scalar()
    return value


def core_id(conn: Connection, org_id: str, number: int) -> str:
    """The core job id of the organization's integer job id; NotFoundError otherwise."""
    value = conn.execute(
        select(gengo_jobs.c.job_id).where(
            gengo_jobs.c.number == number, gengo_jobs.c.org_id == org_id
        )
    ).scalar()
    if value is None:
        raise NotFoundError(f"job {number} not found", field="job_id", gengo_code=2100)
    return str(value)


def file_of(conn: Connection, org_id: str, number: int, which: str) -> tuple[str, str, str]:
    """(blob key, filename, media type) of a file job's source or shown translation;
    NotFoundError when there is none (a text job, or no translation to show yet)."""
    job = get_job(conn, org_id, number)
    if which == "source":
        column = job_groups.c.source_artifact_id
        query = select(column).join(gengo_jobs, gengo_jobs.c.group_id == job_groups.c.id)
    else:
        if not job.has_output_file:
            raise NotFoundError(f"job {number} has no translated file to show yet")
        column = jobs.c.output_artifact_id
        query = select(column).join(gengo_jobs, gengo_jobs.c.job_id == jobs.c.id)
    artifact_id = conn.execute(query.where(gengo_jobs.c.number == number)).scalar()
    row = conn.execute(
        select(artifacts.c.blob_key, artifacts.c.filename, artifacts.c.media_type).where(
            artifacts.c.id == artifact_id
        )
    ).first()
    if row is None or row.blob_key is None:
        raise NotFoundError(f"job {number} has no {which} file")
    return row.blob_key, row.filename or "file", row.media_type


def job_by_core_id(conn: Connection, job_id: str) -> GengoJob | None:
    """A Gengo job by its core id (callbacks), or None."""
    row = conn.execute(_query().where(gengo_jobs.c.job_id == job_id)).first()
    return None if row is None else _job(row)


def comment_of(conn: Connection, comment_id: object) -> tuple[str, datetime] | None:
    """A job comment's body and time, or None once it is gone."""
    row = conn.execute(
        select(job_comments.c.body, job_comments.c.created_at).where(
            job_comments.c.id == comment_id
        )
    ).first()
    return (row.body, row.created_at) if row is not None else None
