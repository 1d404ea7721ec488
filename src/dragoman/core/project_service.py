"""Projects for the surfaces (the Core exposes one as `core.projects`): async methods over
`projects`, `project_files`, `project_jobs` and `quoting`; reads on a thread, writes through
the batching writer, dispatch and wake-ups after the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, select

from dragoman.core import aliases, project_files, project_jobs, projects, quoting
from dragoman.core.engine_records import EngineRecord, default_engine, list_engines
from dragoman.core.orgs import Organization
from dragoman.core.ports import Dispatch, Notify
from dragoman.core.project_files import FileView
from dragoman.core.project_jobs import NewJob
from dragoman.core.projects import Project, ProjectJob, ProjectStatus
from dragoman.core.submission import check_callback_url, screen_callback_url
from dragoman.errors import BadRequestError, NotFoundError
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.tables import webhook_deliveries
from dragoman.timefmt import utcnow

if TYPE_CHECKING:
    from dragoman.engines.registry import EnginePool
    from dragoman.store.blobs.base import BlobStore
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer

T = TypeVar("T")
CHUNK = 256 * 1024
MACHINE = "machine"  # the rate-card service level of every engine's service


@dataclass(frozen=True, slots=True)
class Service:
    """A service level: an engine of the organization (machine), later human workflows."""

    number: int
    name: str
    description: str
    workflow: str
    engine_id: str | None
    rate_level: str  # the service level rate cards are looked up by


@dataclass(frozen=True, slots=True)
class FileContent:
    """A file's bytes to stream back."""

    name: str
    media_type: str
    size: int
    stream: Iterator[bytes]


class ProjectService:
    """Projects, their files and quote-first jobs, for one database and blob store."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        writer: Writer,
        blobs: BlobStore,
        dispatch: Dispatch,
        bus: Notify,
        engines: EnginePool,
    ) -> None:
        self.settings = settings
        self.db = db
        self.writer = writer
        self.blobs = blobs
        self.dispatch = dispatch
        self.bus = bus
        self.engines = engines

    async def _read(self, fn: Callable[[Connection], T]) -> T:
        def read() -> T:
            with self.db.read() as conn:
                return fn(conn)

        return await anyio.to_thread.run_sync(read)

    async def screen(self, url: str | None, field: str) -> None:
        """A callback URL must be public https (DNS resolved on a thread)."""
        if url is not None:
            check_callback_url(url, field, settings=self.settings)
            await anyio.to_thread.run_sync(screen_callback_url, url, self.settings, field)

    # Projects.
    async def create_project(
        self, org: Organization, surface: str, name: str, domain_id: int | None, url: str | None
    ) -> Project:
        await self.screen(url, "projectCallbackUrl")
        return await self.writer.run(
            lambda c: projects.create_project(
                c, org.id, surface=surface, name=name, domain_id=domain_id, callback_url=url
            )
        )

    async def get_project(self, org_id: str, number: int) -> Project:
        return await self._read(lambda c: projects.find_project(c, org_id, number))

    async def list_projects(
        self, org_id: str, surface: str, limit: int | None, offset: int
    ) -> tuple[list[Project], int]:
        return await self._read(
            lambda c: projects.list_projects(c, org_id, surface, limit=limit, offset=offset)
        )

    async def update_project(
        self,
        org: Organization,
        number: int,
        *,
        name: str,
        domain_id: int | None,
        callback_url: str | None,
        status: ProjectStatus | None,
    ) -> Project:
        """Edit a project and, when `status` differs from its own, move it (400 naming why
        when the move is not allowed)."""
        await self.screen(callback_url, "projectCallbackUrl")
        quote_days = self.settings.lingo24_quote_days

        def change(conn: Connection) -> list[str]:
            project = projects.find_project(conn, org.id, number, lock=True)
            projects.update_project(
                conn, project, name=name, domain_id=domain_id, callback_url=callback_url,
                job_callback=org.default_callback_url,
            )  # fmt: skip
            if status is None or status == project.status:
                return []
            if status == ProjectStatus.QUOTED:
                projects.save_quote(conn, project, timedelta(days=quote_days))
                return []
            if status == ProjectStatus.IN_PROGRESS:
                projects.mark_authorized(conn, project)
                return quoting.authorize_jobs(conn, project)
            if status == ProjectStatus.CANCELLED:
                projects.mark_cancelled(conn, project)
                project_jobs.cancel_jobs(conn, project.jobs)
                return []
            raise BadRequestError(
                f"a project cannot be set to {status.value.upper()}: "
                f"{'the server sets it' if status == ProjectStatus.FINISHED else 'not a move'}",
                field="projectStatus",
            )

        queued = await self.writer.run(change)
        self._after(org.id, queued)
        return await self.get_project(org.id, number)

    async def project_number(self, project_id: str) -> int:
        """The integer id of a project (by its core id)."""
        return await self._read(lambda c: projects.find_project_by_id(c, project_id).number)

    async def delete_project(self, org_id: str, number: int) -> None:
        def remove(conn: Connection) -> list[str]:
            # The project row first: the order a job's end takes it and its group in.
            project = projects.find_project(conn, org_id, number, lock=True)
            return project_jobs.delete_project(conn, project)

        await self._delete_blobs(await self.writer.run(remove))

    # Files.
    async def create_file(
        self, org_id: str, surface: str, name: str, project_number: int | None = None
    ) -> FileView:
        def create(conn: Connection) -> FileView:
            project_id = None
            if project_number is not None:
                project_id = projects.find_project(conn, org_id, project_number).id
            return project_files.create_file(
                conn, org_id, surface=surface, name=name, project_id=project_id
            )

        return await self.writer.run(create)

    async def get_file(self, org_id: str, number: int) -> FileView:
        return await self._read(lambda c: project_files.find_file(c, org_id, number))

    async def list_files(
        self,
        org_id: str,
        *,
        project_number: int | None = None,
        job_number: int | None = None,
        limit: int | None,
        offset: int,
    ) -> tuple[list[FileView], int]:
        def read(conn: Connection) -> tuple[list[FileView], int]:
            project_id = job_id = None
            if project_number is not None:
                project_id = projects.find_project(conn, org_id, project_number).id
            if job_number is not None:
                job_id = projects.find_job(conn, org_id, job_number).id
            return project_files.list_files(
                conn, org_id, project_id=project_id, job_id=job_id, limit=limit, offset=offset
            )

        return await self._read(read)

    async def put_content(self, org_id: str, number: int, data: bytes) -> FileView:
        """Store a SOURCE file's bytes (checked readable first); replaces earlier ones."""
        file = await self.get_file(org_id, number)
        upload = await anyio.to_thread.run_sync(
            project_files.inspect_upload, file.name, data, self.settings
        )
        artifact_id = new_id("art")
        key = f"{org_id}/src/{artifact_id}"
        ref = await anyio.to_thread.run_sync(self.blobs.put_bytes, key, data)
        artifact: dict[str, Any] = {
            "id": artifact_id, "org_id": org_id, "kind": str(upload.codec.kind),
            "format": upload.codec.name, "filename": file.name,
            "media_type": upload.codec.media_types[0], "sha256": ref.sha256, "size": ref.size,
            "blob_key": key, "units": upload.units, "created_at": utcnow(),
        }  # fmt: skip

        def attach(conn: Connection) -> str | None:
            current = project_files.find_file(conn, org_id, number)
            return project_files.attach_content(conn, current, artifact)

        try:
            replaced = await self.writer.run(attach)
        except BaseException:
            await anyio.to_thread.run_sync(self.blobs.delete, key)
            raise
        if replaced:
            await anyio.to_thread.run_sync(self.blobs.delete, replaced)
        return await self.get_file(org_id, number)

    async def open_file(self, org_id: str, number: int) -> FileContent:
        """A file's bytes; 400 while it has none (a TARGET before its job is translated)."""
        file = await self.get_file(org_id, number)
        if file.blob_key is None:
            why = "its job is not translated yet" if file.job_id else "no content was uploaded"
            raise BadRequestError(f"file {number} has no content: {why}")
        handle = await anyio.to_thread.run_sync(self.blobs.open, file.blob_key)

        def stream() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        media = file.media_type or "application/octet-stream"
        return FileContent(file.name, media, int(file.size or 0), stream())

    async def delete_file(self, org_id: str, number: int) -> None:
        def remove(conn: Connection) -> list[str]:
            return project_files.delete_files(conn, [project_files.find_file(conn, org_id, number)])

        await self._delete_blobs(await self.writer.run(remove))

    async def link_file(self, org_id: str, project_number: int, file_number: int) -> FileView:
        def add(conn: Connection) -> None:
            project = projects.find_project(conn, org_id, project_number)
            project_files.link(conn, project_files.find_file(conn, org_id, file_number), project.id)

        await self.writer.run(add)
        return await self.get_file(org_id, file_number)

    # Jobs.
    async def add_job(
        self,
        org: Organization,
        surface: str,
        *,
        project_number: int,
        file_number: int,
        source_locale: str,
        target_locale: str,
        service: Service,
        callback_url: str | None,
    ) -> ProjectJob:
        """A quote-first job, dispatched for analysis after the commit."""
        await self.screen(callback_url, "jobCallbackUrl")
        if service.engine_id is None:
            raise BadRequestError(f"service {service.name} is not available", field="serviceId")
        engine_id = service.engine_id
        if not await self._serves(org, engine_id, source_locale, target_locale):
            raise BadRequestError(
                f"service {service.name} does not translate {source_locale} -> {target_locale}",
                field="targetLocale",
            )

        def add(conn: Connection) -> str:
            project = projects.find_project(conn, org.id, project_number, lock=True)
            file = project_files.find_file(conn, org.id, file_number)
            spec = NewJob(file, source_locale, target_locale, engine_id, service.rate_level,
                          callback_url, org.default_callback_url)  # fmt: skip
            return project_jobs.add_job(conn, project, spec, surface=surface)

        job_id = await self.writer.run(add)
        self._after(org.id, [job_id])
        return await self._read(lambda c: _job_by_id(c, org.id, job_id))

    async def get_job(self, org_id: str, number: int) -> ProjectJob:
        return await self._read(lambda c: projects.find_job(c, org_id, number))

    async def list_jobs(
        self, org_id: str, *, project_number: int | None, limit: int | None, offset: int
    ) -> tuple[list[ProjectJob], int]:
        def read(conn: Connection) -> tuple[list[ProjectJob], int]:
            project_id = None
            if project_number is not None:
                project_id = projects.find_project(conn, org_id, project_number).id
            return projects.list_jobs(
                conn, org_id, project_id=project_id, limit=limit, offset=offset
            )

        return await self._read(read)

    async def delete_job(self, org_id: str, number: int) -> None:
        def remove(conn: Connection) -> list[str]:
            job = projects.find_job(conn, org_id, number)
            project = projects.find_project_by_id(conn, job.project_id, lock=True)
            return project_jobs.delete_job(conn, project, job)

        await self._delete_blobs(await self.writer.run(remove))

    async def cancel_job(self, org_id: str, number: int) -> ProjectJob:
        def cancel(conn: Connection) -> None:
            job = projects.find_job(conn, org_id, number)
            if job.status.value in ("completed", "failed", "cancelled"):
                raise BadRequestError(
                    f"job {number} has ended and can no longer be cancelled", field="jobStatus"
                )
            project_jobs.cancel_jobs(conn, [job])  # settles the project if it was the last

        await self.writer.run(cancel)
        self.bus.notify()
        return await self.get_job(org_id, number)

    async def deliveries(self, org_id: str, group_ids: list[str]) -> list[dict[str, Any]]:
        """The callbacks owed for these groups: event, URL, status, attempts, last error."""
        d = webhook_deliveries.c

        def read(conn: Connection) -> list[dict[str, Any]]:
            rows = conn.execute(
                select(webhook_deliveries)
                .where(d.org_id == org_id, d.group_id.in_(group_ids))
                .order_by(d.created_at)
            ).all()
            return [dict(r._mapping) for r in rows]

        return await self._read(read) if group_ids else []

    # Services: the organization's engines (human workflows join here later).
    async def services(self, org: Organization, surface: str) -> list[Service]:
        provider = self.settings.default_engine_provider

        def read(conn: Connection) -> list[Service]:
            default_engine(conn, org.id, provider)  # created on first use
            found = []
            for engine in list_engines(conn, org.id):
                number = aliases.alias_of(conn, surface=surface, kind="service", core_id=engine.id)
                if number is None:
                    number = str(aliases.issue_integer(
                        conn, surface=surface, kind="service", core_id=engine.id, org_id=org.id
                    ))  # fmt: skip
                found.append(_machine_service(int(number), engine))
            return found

        return await self.writer.run(read)

    async def _serves(self, org: Organization, engine_id: str, source: str, target: str) -> bool:
        def check() -> bool:
            with self.db.read() as conn:
                records = [e for e in list_engines(conn, org.id) if e.id == engine_id]
            if not records:
                return False
            try:
                engine = self.engines.get(records[0].provider, records[0].options)
                return engine.resolve_pair(source, target) is not None
            except Exception:  # a missing backend serves nothing
                return False

        return await anyio.to_thread.run_sync(check)

    def _after(self, org_id: str, job_ids: list[str]) -> None:
        self.bus.notify()
        if job_ids:
            self.dispatch.dispatch(job_ids, tenant=org_id)

    async def _delete_blobs(self, keys: list[str]) -> None:
        for key in keys:
            await anyio.to_thread.run_sync(self.blobs.delete, key)


def _machine_service(number: int, engine: EngineRecord) -> Service:
    name = "MT" if engine.is_default else f"MT {engine.name}"
    return Service(
        number, name, f"Machine translation by {engine.name} ({engine.provider})", MACHINE,
        engine.id, MACHINE,
    )  # fmt: skip


def _job_by_id(conn: Connection, org_id: str, job_id: str) -> ProjectJob:
    found = projects.job_by_id(conn, job_id)
    if found is None or found.project_id is None:
        raise NotFoundError("job not found")
    return found
