"""Projects: a named container of groups (Lingo24's project), whose status is derived from its
jobs and from when its quote was saved, it was authorized or cancelled; never stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from dragoman.core import aliases
from dragoman.core.status import FINAL, JobStatus
from dragoman.errors import BadRequestError, NotFoundError
from dragoman.ids import new_id
from dragoman.store.project_tables import job_quotes, project_files, projects
from dragoman.store.tables import job_groups, jobs
from dragoman.timefmt import utcnow

P = projects.c


class ProjectStatus(StrEnum):
    """A project's derived status."""

    CREATED = "created"
    QUOTED = "quoted"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    CANCELLED = "cancelled"


def project_status(
    statuses: Iterable[JobStatus],
    *,
    authorized_at: datetime | None,
    quote_saved_at: datetime | None,
    cancelled_at: datetime | None,
) -> ProjectStatus:
    """cancelled; else finished once authorized and every job ended; in progress once
    authorized; quoted once its quote was saved; created otherwise."""
    if cancelled_at is not None:
        return ProjectStatus.CANCELLED
    if authorized_at is not None:
        states = list(statuses)
        done = bool(states) and all(s in FINAL for s in states)
        return ProjectStatus.FINISHED if done else ProjectStatus.IN_PROGRESS
    return ProjectStatus.QUOTED if quote_saved_at is not None else ProjectStatus.CREATED


@dataclass(frozen=True, slots=True)
class ProjectJob:
    """A job of a project, with its quote."""

    id: str
    number: int
    project_id: str
    group_id: str
    status: JobStatus
    source_locale: str
    target_locale: str
    engine_id: str
    service_level: str
    source_file_id: str
    source_file_number: int | None
    target_file_number: int | None
    callback_url: str | None
    authorized_at: datetime | None
    analyzed_at: datetime | None
    analysis: dict[str, Any] | None
    price: dict[str, Any] | None
    error_message: str | None
    callback_status: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Project:
    """A project and its jobs."""

    id: str
    number: int
    org_id: str
    surface: str
    name: str
    domain_id: int | None
    callback_url: str | None
    created_at: datetime
    quote_saved_at: datetime | None
    quote_expires_at: datetime | None
    authorized_at: datetime | None
    cancelled_at: datetime | None
    finished_at: datetime | None
    jobs: list[ProjectJob] = field(default_factory=list)

    @property
    def status(self) -> ProjectStatus:
        return project_status(
            (j.status for j in self.jobs),
            authorized_at=self.authorized_at,
            quote_saved_at=self.quote_saved_at,
            cancelled_at=self.cancelled_at,
        )


def create_project(
    conn: Connection,
    org_id: str,
    *,
    surface: str,
    name: str,
    domain_id: int | None = None,
    callback_url: str | None = None,
) -> Project:
    """A new, empty project (CREATED)."""
    project_id = new_id("prj")
    number = aliases.next_integer(conn, surface=surface, kind="project")
    now = utcnow()
    conn.execute(
        insert(projects).values(
            id=project_id, number=number, org_id=org_id, surface=surface, name=name,
            domain_id=domain_id, callback_url=callback_url, created_at=now,
        )
    )  # fmt: skip
    return Project(project_id, number, org_id, surface, name, domain_id, callback_url, now,
                   None, None, None, None, None)  # fmt: skip


def _project(row: Any, job_rows: Sequence[ProjectJob]) -> Project:
    return Project(
        row.id, row.number, row.org_id, row.surface, row.name, row.domain_id, row.callback_url,
        row.created_at, row.quote_saved_at, row.quote_expires_at, row.authorized_at,
        row.cancelled_at, row.finished_at, list(job_rows),
    )  # fmt: skip


def find_project(conn: Connection, org_id: str, number: int, *, lock: bool = False) -> Project:
    """The organization's project by its integer id; NotFoundError for others' and unknown."""
    query = select(projects).where(P.number == number, P.org_id == org_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFoundError(f"project {number} not found")
    return _project(row, project_jobs(conn, [row.id]).get(row.id, []))


def list_projects(
    conn: Connection, org_id: str, surface: str, *, limit: int | None, offset: int
) -> tuple[list[Project], int]:
    """The organization's projects, oldest first (`limit` None: all), and their count."""
    where = (P.org_id == org_id) & (P.surface == surface)
    total = conn.execute(select(func.count()).select_from(projects).where(where)).scalar_one()
    query = select(projects).where(where).order_by(P.created_at, P.number).offset(offset)
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    found = project_jobs(conn, [r.id for r in rows])
    return [_project(r, found.get(r.id, [])) for r in rows], int(total)


def update_project(
    conn: Connection,
    project: Project,
    *,
    name: str,
    domain_id: int | None,
    callback_url: str | None,
    job_callback: str | None,
) -> None:
    """Rename a project and change its domain and callback URL (jobs without their own URL
    call back to the new one; `job_callback` is what they fall back to)."""
    conn.execute(
        update(projects)
        .where(P.id == project.id)
        .values(name=name, domain_id=domain_id, callback_url=callback_url)
    )
    for job in project.jobs:
        url = job.callback_url or job_callback
        conn.execute(
            update(job_groups)
            .where(job_groups.c.id == job.group_id)
            .values(callbacks=callbacks_for(url, callback_url or job_callback))
        )


def callbacks_for(job_url: str | None, project_url: str | None) -> dict[str, str]:
    """Event type -> URL for a project job's group: quoted and translated to the job's URL,
    finished to the project's."""
    found: dict[str, str] = {}
    if job_url:
        found.update({"job.quoted": job_url, "job.completed": job_url})
    if project_url:
        found["project.finished"] = project_url
    return found


def save_quote(conn: Connection, project: Project, valid_for: timedelta) -> None:
    """CREATED -> QUOTED: every job must be quoted; the quote is valid for `valid_for`."""
    _expect(project, {ProjectStatus.CREATED}, ProjectStatus.QUOTED)
    if not project.jobs:
        raise BadRequestError("a project without jobs has no quote to save", field="projectStatus")
    waiting = [j for j in project.jobs if j.status != JobStatus.QUOTED]
    if waiting:
        raise BadRequestError(
            f"job {waiting[0].number} is {waiting[0].status}, not quoted: save the quote once "
            "every job has its price",
            field="projectStatus",
        )
    now = utcnow()
    conn.execute(
        update(projects)
        .where(P.id == project.id)
        .values(quote_saved_at=now, quote_expires_at=now + valid_for)
    )


def mark_authorized(conn: Connection, project: Project) -> None:
    """CREATED or QUOTED (within the quote's validity) -> IN_PROGRESS; the caller authorizes
    the jobs (`quoting.authorize_jobs`) in the same transaction."""
    _expect(project, {ProjectStatus.CREATED, ProjectStatus.QUOTED}, ProjectStatus.IN_PROGRESS)
    if not project.jobs:
        raise BadRequestError("a project without jobs cannot start", field="projectStatus")
    expires = project.quote_expires_at
    if project.status == ProjectStatus.QUOTED and expires is not None and expires <= utcnow():
        raise BadRequestError(
            f"the quote expired on {expires.isoformat()}; it can no longer be accepted",
            field="projectStatus",
        )
    conn.execute(update(projects).where(P.id == project.id).values(authorized_at=utcnow()))


def mark_cancelled(conn: Connection, project: Project) -> None:
    """Any status but FINISHED and CANCELLED -> CANCELLED (the caller cancels the jobs)."""
    _expect(
        project,
        {ProjectStatus.CREATED, ProjectStatus.QUOTED, ProjectStatus.IN_PROGRESS},
        ProjectStatus.CANCELLED,
    )
    conn.execute(update(projects).where(P.id == project.id).values(cancelled_at=utcnow()))


def mark_finished(conn: Connection, project_id: str) -> bool:
    """Record that the project finished; True the first time only (its callback is owed)."""
    result = conn.execute(
        update(projects)
        .where(P.id == project_id, P.finished_at.is_(None), P.cancelled_at.is_(None))
        .values(finished_at=utcnow())
    )
    return result.rowcount == 1


def _expect(project: Project, sources: set[ProjectStatus], target: ProjectStatus) -> None:
    current = project.status
    if current not in sources:
        raise BadRequestError(
            f"a project that is {current.value.upper()} cannot become {target.value.upper()}",
            field="projectStatus",
        )


def require_editable(project: Project, *, allow_quoted: bool = False) -> None:
    """Jobs are added while a project is CREATED, and deleted while CREATED or QUOTED."""
    allowed = {ProjectStatus.CREATED} | ({ProjectStatus.QUOTED} if allow_quoted else set())
    if project.status not in allowed:
        names = " or ".join(s.value.upper() for s in sorted(allowed))
        raise BadRequestError(
            f"project {project.number} is {project.status.value.upper()}: its jobs can be "
            f"changed only while it is {names}",
            field="projectId",
        )


_SOURCE = project_files.alias("source_file")
_TARGET = project_files.alias("target_file")
_JOB_COLUMNS = (
    jobs.c.id, job_quotes.c.number, job_quotes.c.project_id, jobs.c.group_id, jobs.c.status,
    job_groups.c.source_locale, jobs.c.target_locale, jobs.c.engine_id,
    job_quotes.c.service_level, job_quotes.c.source_file_id,
    _SOURCE.c.number.label("source_number"), _TARGET.c.number.label("target_number"),
    job_quotes.c.callback_url, job_quotes.c.authorized_at, job_quotes.c.analyzed_at,
    job_quotes.c.analysis, job_quotes.c.price, jobs.c.error_message, jobs.c.callback_status,
    jobs.c.created_at, jobs.c.completed_at,
)  # fmt: skip


def _job_query() -> Any:
    return (
        select(*_JOB_COLUMNS)
        .join(jobs, jobs.c.id == job_quotes.c.job_id)
        .join(job_groups, job_groups.c.id == jobs.c.group_id)
        .outerjoin(_SOURCE, _SOURCE.c.id == job_quotes.c.source_file_id)
        .outerjoin(_TARGET, _TARGET.c.job_id == job_quotes.c.job_id)
    )


def _job(row: Any) -> ProjectJob:
    return ProjectJob(
        row.id, row.number, row.project_id, row.group_id, JobStatus(row.status),
        row.source_locale, row.target_locale, row.engine_id, row.service_level,
        row.source_file_id, row.source_number, row.target_number, row.callback_url,
        row.authorized_at, row.analyzed_at, row.analysis, row.price, row.error_message,
        row.callback_status, row.created_at, row.completed_at,
    )  # fmt: skip


def project_jobs(conn: Connection, project_ids: Sequence[str]) -> dict[str, list[ProjectJob]]:
    """The jobs of these projects, oldest first, by project id."""
    if not project_ids:
        return {}
    rows = conn.execute(
        _job_query()
        .where(job_quotes.c.project_id.in_(list(project_ids)))
        .order_by(job_quotes.c.number)
    ).all()
    found: dict[str, list[ProjectJob]] = {}
    for row in rows:
        found.setdefault(row.project_id, []).append(_job(row))
    return found


def find_job(conn: Connection, org_id: str, number: int) -> ProjectJob:
    """The organization's project job by its integer id; NotFoundError otherwise."""
    row = conn.execute(
        _job_query().where(job_quotes.c.number == number, job_quotes.c.org_id == org_id)
    ).first()
    if row is None:
        raise NotFoundError(f"job {number} not found")
    return _job(row)


def list_jobs(
    conn: Connection,
    org_id: str,
    *,
    project_id: str | None,
    limit: int | None,
    offset: int,
) -> tuple[list[ProjectJob], int]:
    """The organization's project jobs (of one project, if given), oldest first."""
    where = job_quotes.c.org_id == org_id
    if project_id is not None:
        where = where & (job_quotes.c.project_id == project_id)
    total = conn.execute(select(func.count()).select_from(job_quotes).where(where)).scalar_one()
    query = _job_query().where(where).order_by(job_quotes.c.number).offset(offset)
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    return [_job(r) for r in rows], int(total)


def find_project_by_id(conn: Connection, project_id: str, *, lock: bool = False) -> Project:
    """A project by its core id (the caller already checked whose it is)."""
    query = select(projects).where(P.id == project_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFoundError("project not found")
    return _project(row, project_jobs(conn, [row.id]).get(row.id, []))


def job_by_id(conn: Connection, job_id: str) -> ProjectJob | None:
    """A project job by its core id, or None."""
    row = conn.execute(_job_query().where(job_quotes.c.job_id == job_id)).first()
    return _job(row) if row is not None else None


def project_id_of_group(conn: Connection, group_id: str) -> str | None:
    """The project a group (one Lingo24 job) belongs to, if any."""
    found: str | None = conn.execute(
        select(job_quotes.c.project_id).where(job_quotes.c.group_id == group_id)
    ).scalar()
    return found
