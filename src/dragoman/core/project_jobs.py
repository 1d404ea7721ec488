"""Jobs of a project: each a group of one quote-first job over a source file, created
`created` (analysis and a price first), deleted or cancelled with its project."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from dragoman.content.formats import registry
from dragoman.core import aliases, project_files, projects, purge, transitions
from dragoman.core.project_files import TARGET, FileView
from dragoman.core.projects import Project, ProjectJob
from dragoman.core.status import FINAL, JobStatus
from dragoman.errors import BadRequestError
from dragoman.ids import new_id
from dragoman.store.project_tables import (
    job_quotes,
)
from dragoman.store.project_tables import (
    project_files as files_table,
)
from dragoman.store.project_tables import (
    projects as projects_table,
)
from dragoman.store.tables import job_groups, jobs
from dragoman.timefmt import utcnow


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to add to a project: one file into one target locale at one service level."""

    source_file: FileView
    source_locale: str
    target_locale: str
    engine_id: str
    service_level: str
    callback_url: str | None  # the job's own URL; None: the project's, else the org's
    default_callback_url: str | None  # the organization's


def add_job(conn: Connection, project: Project, spec: NewJob, *, surface: str) -> str:
    """Create the job (status `created`), its group, quote row and target file; returns the
    core job id to dispatch for analysis after the commit."""
    projects.require_editable(project)
    file = spec.source_file
    if file.type != project_files.SOURCE:
        raise BadRequestError(f"file {file.number} is not a SOURCE file", field="sourceFileId")
    if file.artifact_id is None or file.format is None:
        raise BadRequestError(
            f"file {file.number} has no content yet: PUT its content first", field="sourceFileId"
        )
    if spec.source_locale == spec.target_locale:
        raise BadRequestError("targetLocale is the source locale", field="targetLocale")
    kind, units = project_files.artifact_units(conn, file.artifact_id)
    now = utcnow()
    group_id, job_id = new_id("ljg"), new_id("ljb")
    project_url = project.callback_url or spec.default_callback_url
    callbacks = projects.callbacks_for(spec.callback_url or project_url, project_url)
    fingerprint = hashlib.sha256(f"{project.id}:{job_id}".encode()).hexdigest()
    conn.execute(
        insert(job_groups).values(
            id=group_id, org_id=project.org_id, engine_id=spec.engine_id,
            source_locale=spec.source_locale, target_locales=[spec.target_locale],
            request_hash=fingerprint, created_at=now, artifact_kind=kind,
            artifact_format=file.format, source_artifact_id=file.artifact_id, surface=surface,
            units_total=units, callbacks=callbacks,
        )
    )  # fmt: skip
    conn.execute(
        insert(jobs).values(
            id=job_id, group_id=group_id, org_id=project.org_id, engine_id=spec.engine_id,
            target_locale=spec.target_locale, status=JobStatus.CREATED,
            callback_status="pending" if callbacks else None, units_total=0, units_done=0,
            attempts=0, created_at=now, dispatched_at=now,
        )
    )  # fmt: skip
    conn.execute(
        insert(job_quotes).values(
            job_id=job_id, number=aliases.next_integer(conn, surface=surface, kind="job"),
            org_id=project.org_id, project_id=project.id, group_id=group_id, quote_first=True,
            service_level=spec.service_level, source_file_id=file.id,
            callback_url=spec.callback_url, created_at=now,
        )
    )  # fmt: skip
    codec = registry.get(file.format)
    target_name = codec.output_filename(file.name, spec.source_locale, spec.target_locale)
    project_files.create_file(
        conn, project.org_id, surface=surface, name=target_name, type=TARGET,
        project_id=project.id, job_id=job_id,
    )  # fmt: skip
    return job_id


def delete_jobs(conn: Connection, doomed: list[ProjectJob]) -> list[str]:
    """Delete jobs with their groups, quotes, target files, events and outputs (never their
    source files); returns blob keys to delete after the commit."""
    if not doomed:
        return []
    job_ids = [j.id for j in doomed]
    group_ids = [j.group_id for j in doomed]
    conn.execute(delete(files_table).where(files_table.c.job_id.in_(job_ids)))
    conn.execute(delete(job_quotes).where(job_quotes.c.job_id.in_(job_ids)))
    project_files.forget_group_source(conn, group_ids)
    return purge.delete_groups(conn, group_ids)


def delete_job(conn: Connection, project: Project, job: ProjectJob) -> list[str]:
    """Delete one job of a CREATED or QUOTED project."""
    projects.require_editable(project, allow_quoted=True)
    return delete_jobs(conn, [job])


def delete_project(conn: Connection, project: Project) -> list[str]:
    """Delete a CREATED or QUOTED project, its jobs and its source files."""
    if project.status not in (projects.ProjectStatus.CREATED, projects.ProjectStatus.QUOTED):
        raise BadRequestError(
            f"project {project.number} is {project.status.value.upper()}: only a CREATED or "
            "QUOTED project can be deleted (cancel it instead)"
        )
    keys = delete_jobs(conn, project.jobs)
    owned, _ = project_files.list_files(
        conn, project.org_id, project_id=project.id, limit=None, offset=0
    )
    keys += project_files.delete_files(conn, [f for f in owned if f.type != TARGET])
    conn.execute(delete(projects_table).where(projects_table.c.id == project.id))
    return keys


def cancel_jobs(conn: Connection, doomed: list[ProjectJob]) -> None:
    """Cancel the jobs that have not ended (a running one's result is then fenced off)."""
    for job in doomed:
        if job.status not in FINAL:
            current = conn.execute(select(jobs.c.status).where(jobs.c.id == job.id)).scalar()
            if current is not None and JobStatus(current) not in FINAL:
                transitions.cancel(conn, job.id)
