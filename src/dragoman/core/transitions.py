"""The one writer of job states: each move of `core/states.py`'s table as a conditional
UPDATE (`WHERE status IN sources`, plus the lease fence for a worker's moves), paired with
its event in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from dragoman.core import project_snapshots, quoting
from dragoman.core.states import LEASED, Move, transition
from dragoman.core.status import FINAL, JobStatus, group_status
from dragoman.delivery.events import Event, record_events
from dragoman.errors import InvalidTransitionError
from dragoman.store.tables import artifacts, engines, job_groups, jobs
from dragoman.timefmt import utcnow

_LEASED = sorted(LEASED)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """Everything the pipeline needs to run one job it holds the lease on."""

    id: str
    org_id: str
    group_id: str
    source_locale: str
    target_locale: str
    provider: str
    engine_options: dict[str, Any]
    content: str | None
    hints: dict[str, list[str]] | None
    attempts: int
    artifact_format: str | None = None  # None: `content` is a structured JSON object
    source_blob_key: str | None = None
    filename: str | None = None


def claim(
    conn: Connection, job_id: str, owner: str, lease_seconds: float, max_attempts: int
) -> ClaimedJob | None:
    """Take the lease on a queued job, or on one whose lease expired (its worker died).
    Atomic: of several workers racing for one job, exactly one gets a row back."""
    now = utcnow()
    move = transition(Move.CLAIM)
    waiting = sorted(move.sources - LEASED)
    claimable = or_(
        jobs.c.status.in_(waiting),
        # A leased job is claimable again once its lease expired (its worker died).
        and_(jobs.c.status.in_(sorted(move.sources & LEASED)), jobs.c.lease_expires_at < now),
    )
    result = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, claimable)
        .values(
            status=move.target,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=jobs.c.attempts + 1,
            started_at=func.coalesce(jobs.c.started_at, now),
        )
    )
    if result.rowcount != 1:
        return None
    row = conn.execute(
        select(
            jobs.c.id,
            jobs.c.org_id,
            jobs.c.group_id,
            jobs.c.target_locale,
            jobs.c.attempts,
            jobs.c.units_done,
            job_groups.c.source_locale,
            job_groups.c.content,
            job_groups.c.hints,
            job_groups.c.artifact_format,
            engines.c.provider,
            engines.c.options,
            artifacts.c.blob_key,
            artifacts.c.filename,
        )
        .join(job_groups, job_groups.c.id == jobs.c.group_id)
        .join(engines, engines.c.id == jobs.c.engine_id)
        .outerjoin(artifacts, artifacts.c.id == job_groups.c.source_artifact_id)
        .where(jobs.c.id == job_id)
    ).one()
    if row.attempts > max_attempts:
        _finish(
            conn,
            job_id,
            owner,
            Move.FAIL,
            error_message=(
                f"gave up after {max_attempts} attempts (the worker running it stopped each time)"
            ),
        )
        return None
    if row.attempts == 1:
        record_events(conn, [Event("job.started", row.org_id, row.group_id, row.id, {})])
    return ClaimedJob(
        row.id,
        row.org_id,
        row.group_id,
        row.source_locale,
        row.target_locale,
        row.provider,
        dict(row.options),
        row.content,
        row.hints,
        row.attempts,
        row.artifact_format,
        row.blob_key,
        row.filename,
    )


def renew(conn: Connection, job_ids: Iterable[str], owner: str, lease_seconds: float) -> set[str]:
    """Extend the leases `owner` holds on `job_ids`; returns the ids another worker took over
    (a job that finished or went back to the queue meanwhile is not lost, only done)."""
    ids = list(job_ids)
    if not ids:
        return set()
    conn.execute(
        update(jobs)
        .where(jobs.c.id.in_(ids), jobs.c.lease_owner == owner, jobs.c.status.in_(_LEASED))
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
    )
    taken = conn.execute(
        select(jobs.c.id).where(
            jobs.c.id.in_(ids), jobs.c.lease_owner != owner, jobs.c.status.in_(_LEASED)
        )
    )
    return {r.id for r in taken}


def report_progress(conn: Connection, job: ClaimedJob, owner: str, done: int, total: int) -> bool:
    """Record units done of total; False when the lease was lost (stop working)."""
    result = conn.execute(
        update(jobs)
        .where(jobs.c.id == job.id, jobs.c.lease_owner == owner, jobs.c.status.in_(_LEASED))
        .values(units_done=done, units_total=total)
    )
    if result.rowcount != 1:
        return False
    record_events(
        conn,
        [
            Event(
                "job.progress",
                job.org_id,
                job.group_id,
                job.id,
                {"unitsDone": done, "unitsTotal": total},
            )
        ],
    )
    return True


def complete(
    conn: Connection,
    job: ClaimedJob,
    owner: str,
    output: Any,
    issues: list[dict[str, Any]],
    total: int,
    *,
    artifact: dict[str, Any] | None = None,
    units_failed: int = 0,
    metrics: dict[str, Any] | None = None,
) -> bool:
    """Store the output (a JSON object inline, or a file's artifact row whose bytes are
    already in the blob store) and mark the job completed, if `owner` still holds the lease."""
    values: dict[str, Any] = {
        "issues": issues,
        "units_done": total,
        "units_total": total,
        "units_failed": units_failed,
    }
    if metrics is not None:
        values["metrics"] = metrics
    if artifact is None:
        values["output"] = json.dumps(output, ensure_ascii=False)
    else:
        values["output_artifact_id"] = artifact["id"]
    done = _finish(conn, job.id, owner, Move.MACHINE_DONE, **values)
    if done and artifact is not None:
        conn.execute(insert(artifacts), artifact)
    return done


def fail(conn: Connection, job_id: str, owner: str, message: str) -> bool:
    """Mark the job failed with `message`, if `owner` still holds the lease."""
    return _finish(conn, job_id, owner, Move.FAIL, error_message=message)


def release(conn: Connection, job_id: str, owner: str) -> bool:
    """Give a job back to the queue (a transient engine error) for another attempt."""
    move = transition(Move.RELEASE)
    result = conn.execute(
        update(jobs)
        .where(
            jobs.c.id == job_id,
            jobs.c.lease_owner == owner,
            jobs.c.status.in_(sorted(move.sources)),
        )
        .values(status=move.target, lease_owner=None, lease_expires_at=None, dispatched_at=utcnow())
    )
    return result.rowcount == 1


def _finish(conn: Connection, job_id: str, owner: str | None, move: Move, **values: Any) -> bool:
    """Apply a move that can end a job, with its events (and the group's when it was the
    last one to end); False when the job was not in a state the move starts from."""
    row_move = transition(move)
    status = row_move.target
    row = conn.execute(
        select(jobs.c.org_id, jobs.c.group_id, jobs.c.target_locale).where(jobs.c.id == job_id)
    ).first()
    if row is None:  # the group was deleted while the job ran: nothing to finish
        return False
    project_id = quoting.lock_project_of(conn, job_id)  # a Lingo24 project's job, or None
    # Lock the group row first: two jobs of one group finishing at once must agree on which
    # of them completes the group (PostgreSQL; SQLite writers are serialised anyway).
    group = conn.execute(
        select(job_groups.c.id, job_groups.c.retain_seconds)
        .where(job_groups.c.id == row.group_id)
        .with_for_update()
    ).one()
    fence = [jobs.c.id == job_id, jobs.c.status.in_(sorted(row_move.sources))]
    if row_move.leased:
        fence.append(jobs.c.lease_owner == owner)
    result = conn.execute(
        update(jobs)
        .where(*fence)
        .values(
            status=status, completed_at=utcnow(), lease_owner=None, lease_expires_at=None, **values
        )
    )
    if result.rowcount != 1:
        return False
    payload = {"targetLocale": row.target_locale, "status": str(status)}
    if status == JobStatus.FAILED:
        payload["errorMessage"] = values.get("error_message", "")
    if project_id is not None:  # its callback shows the job as it is now, not when sent
        payload.update(project_snapshots.job_payload(conn, job_id, status))
    found = [Event(f"job.{status}", row.org_id, row.group_id, job_id, payload)]
    statuses = [
        r.status for r in conn.execute(select(jobs.c.status).where(jobs.c.group_id == row.group_id))
    ]
    if all(JobStatus(s) in FINAL for s in statuses):
        if group.retain_seconds is not None:  # kept this long after it ended, then deleted
            conn.execute(
                update(job_groups)
                .where(job_groups.c.id == row.group_id)
                .values(expires_at=utcnow() + timedelta(seconds=group.retain_seconds))
            )
        found.append(
            Event(
                "group.completed",
                row.org_id,
                row.group_id,
                None,
                {"status": str(group_status(statuses))},
            )
        )
    record_events(conn, found)
    if project_id is not None:  # its last job's end finishes the project, in one commit
        quoting.settle(conn, project_id)
    return True


def cancel(conn: Connection, job_id: str) -> None:
    """Cancel a job that has not ended (a running one's result is then fenced off);
    InvalidTransitionError (409) for a job that already ended."""
    if not _finish(conn, job_id, None, Move.CANCEL):
        status = conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar()
        raise InvalidTransitionError(f"job {job_id!r} is {status} and can no longer be cancelled")
