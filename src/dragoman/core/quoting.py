"""The quote-first path of a job: `created` -> analyzing (a worker's lease) -> `quoted`, or
straight on to `queued` when its project was authorized meanwhile; `authorize` sends quoted
jobs to the queue; a project whose jobs all ended owes one `project.finished` event, recorded
with the last job's end (`transitions` calls `settle`) or, should that ever be missed, by the
sweeper (`settle_stranded`). Job and project events carry the resource frozen as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, update

from dragoman.core import project_snapshots, projects
from dragoman.core.states import Move, transition
from dragoman.core.status import FINAL, JobStatus
from dragoman.delivery.events import Event, record_events
from dragoman.store.project_tables import job_quotes
from dragoman.store.project_tables import projects as project_rows
from dragoman.store.tables import artifacts, job_groups, jobs
from dragoman.timefmt import utcnow

S = JobStatus
Q = job_quotes.c


@dataclass(frozen=True, slots=True)
class ClaimedAnalysis:
    """A job whose analysis this worker holds the lease on, and where its source is."""

    id: str
    org_id: str
    group_id: str
    project_id: str
    source_locale: str
    target_locale: str
    service_level: str
    artifact_kind: str | None
    artifact_format: str | None
    blob_key: str | None


@dataclass(frozen=True, slots=True)
class Route:
    """Where a dispatched job goes: analysis, or the translation pipeline (and its project,
    to settle after it ran)."""

    analyze: bool
    project_id: str | None


def route(conn: Connection, job_id: str) -> Route:
    """Whether a dispatched job needs analysis, and its project (None: not a project job)."""
    row = conn.execute(
        select(jobs.c.status, Q.project_id, Q.quote_first)
        .outerjoin(job_quotes, Q.job_id == jobs.c.id)
        .where(jobs.c.id == job_id)
    ).first()
    if row is None or row.project_id is None:
        return Route(False, None)
    return Route(row.status in (S.CREATED, S.ANALYZING) and bool(row.quote_first), row.project_id)


def claim_analysis(
    conn: Connection, job_id: str, owner: str, lease_seconds: float
) -> ClaimedAnalysis | None:
    """Take the lease on a `created` job's analysis, or on one whose analysis lease expired."""
    now = utcnow()
    move = transition(Move.ANALYZE_CLAIM)
    claimable = or_(
        jobs.c.status.in_(sorted(move.sources)),
        and_(jobs.c.status == move.target, jobs.c.lease_expires_at < now),
    )
    result = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, claimable)
        .values(
            status=move.target,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
        )
    )
    if result.rowcount != 1:
        return None
    row = conn.execute(
        select(
            jobs.c.id,
            jobs.c.org_id,
            jobs.c.group_id,
            Q.project_id,
            jobs.c.target_locale,
            job_groups.c.source_locale,
            Q.service_level,
            job_groups.c.artifact_kind,
            job_groups.c.artifact_format,
            artifacts.c.blob_key,
        )
        .join(job_groups, job_groups.c.id == jobs.c.group_id)
        .join(job_quotes, Q.job_id == jobs.c.id)
        .outerjoin(artifacts, artifacts.c.id == job_groups.c.source_artifact_id)
        .where(jobs.c.id == job_id)
    ).one()
    return ClaimedAnalysis(
        row.id, row.org_id, row.group_id, row.project_id, row.source_locale, row.target_locale,
        row.service_level, row.artifact_kind, row.artifact_format, row.blob_key,
    )  # fmt: skip


def finish_analysis(
    conn: Connection,
    job: ClaimedAnalysis,
    owner: str,
    analysis: dict[str, Any],
    price: dict[str, Any],
) -> JobStatus | None:
    """Store the analysis and price and move the job to `quoted`, or to `queued` when it was
    authorized meanwhile; None when the lease was lost (nothing written)."""
    authorized = conn.execute(
        select(Q.authorized_at).where(Q.job_id == job.id).with_for_update()
    ).scalar()
    status = S.QUEUED if authorized is not None else transition(Move.ANALYZE_DONE).target
    now = utcnow()
    result = conn.execute(
        update(jobs)
        .where(jobs.c.id == job.id, jobs.c.status == S.ANALYZING, jobs.c.lease_owner == owner)
        .values(status=status, lease_owner=None, lease_expires_at=None, dispatched_at=now)
    )
    if result.rowcount != 1:
        return None
    conn.execute(
        update(job_quotes)
        .where(Q.job_id == job.id)
        .values(analysis=analysis, price=price, analyzed_at=now)
    )
    found = [
        Event(
            "job.quoted",
            job.org_id,
            job.group_id,
            job.id,
            {
                "targetLocale": job.target_locale,
                "status": str(S.QUOTED),
                **project_snapshots.job_payload(conn, job.id, S.QUOTED),
            },
        )
    ]
    if status == S.QUEUED:
        found.append(
            Event(
                "job.queued", job.org_id, job.group_id, job.id, {"targetLocale": job.target_locale}
            )
        )
    record_events(conn, found)
    return status


def authorize_jobs(conn: Connection, project: projects.Project) -> list[str]:
    """Authorize every job of the project: quoted ones go to the queue now (their ids are
    returned, to dispatch after the commit); those still being analyzed follow when their
    analysis ends."""
    now = utcnow()
    ids = [j.id for j in project.jobs]
    if not ids:
        return []
    conn.execute(
        update(job_quotes)
        .where(Q.job_id.in_(ids), Q.authorized_at.is_(None))
        .values(authorized_at=now)
    )
    move = transition(Move.AUTHORIZE)
    waiting = sorted(move.sources - {S.CREATED})  # created ones are analysed first
    moved = [
        (r.id, r.group_id, r.target_locale)
        for r in conn.execute(
            select(jobs.c.id, jobs.c.group_id, jobs.c.target_locale).where(
                jobs.c.id.in_(ids), jobs.c.status.in_(waiting)
            )
        )
    ]
    if not moved:
        return []
    conn.execute(
        update(jobs)
        .where(jobs.c.id.in_([m[0] for m in moved]), jobs.c.status.in_(waiting))
        .values(status=move.target, dispatched_at=now)
    )
    record_events(
        conn,
        [Event("job.queued", project.org_id, g, j, {"targetLocale": t}) for j, g, t in moved],
    )
    return [m[0] for m in moved]


def lock_project_of(conn: Connection, job_id: str) -> str | None:
    """The project of a job, its row locked for this transaction (PostgreSQL): taken before
    the job's group, the order `update_project` takes them in; None for other jobs."""
    project_id: str | None = conn.execute(select(Q.project_id).where(Q.job_id == job_id)).scalar()
    if project_id is not None:
        conn.execute(
            select(project_rows.c.id).where(project_rows.c.id == project_id).with_for_update()
        ).first()
    return project_id


def settle(conn: Connection, project_id: str) -> bool:
    """Record `project.finished` once every job of an authorized project ended; True when
    this call recorded it. The project row is locked first, so of two jobs ending at once
    the later one sees both ended."""
    row = conn.execute(
        select(
            project_rows.c.org_id,
            project_rows.c.authorized_at,
            project_rows.c.finished_at,
            project_rows.c.cancelled_at,
        )
        .where(project_rows.c.id == project_id)
        .with_for_update()
    ).first()
    if row is None or row.authorized_at is None or row.finished_at is not None:
        return False
    if row.cancelled_at is not None:
        return False
    states = conn.execute(
        select(jobs.c.status, jobs.c.group_id)
        .join(job_quotes, Q.job_id == jobs.c.id)
        .where(Q.project_id == project_id)
        .order_by(jobs.c.completed_at)
    ).all()
    if not states or any(JobStatus(s.status) not in FINAL for s in states):
        return False
    if not projects.mark_finished(conn, project_id):
        return False
    payload = {"projectId": project_id, "status": "finished"}
    payload.update(project_snapshots.project_payload(conn, project_id))
    record_events(conn, [Event("project.finished", row.org_id, states[-1].group_id, None, payload)])
    return True


def stranded_projects(conn: Connection, limit: int) -> list[str]:
    """Authorized projects, neither cancelled nor marked finished, whose jobs all ended (what
    a process that died between a job's end and its project's would leave)."""
    p = project_rows.c
    open_job = exists().where(
        Q.project_id == p.id, jobs.c.id == Q.job_id, jobs.c.status.notin_(sorted(FINAL))
    )
    any_job = exists().where(Q.project_id == p.id)
    query = select(p.id).where(
        p.authorized_at.is_not(None),
        p.finished_at.is_(None),
        p.cancelled_at.is_(None),
        any_job,
        ~open_job,
    )
    return [r.id for r in conn.execute(query.limit(limit))]


def settle_stranded(conn: Connection, limit: int = 100) -> int:
    """Record the `project.finished` events that were missed; returns how many."""
    return sum(settle(conn, project_id) for project_id in stranded_projects(conn, limit))
