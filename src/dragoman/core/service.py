"""The Core facade: what every surface calls. Each method does the blocking work on a thread,
writes through the batching writer, then wakes the bus and dispatches after commit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import anyio.to_thread
from sqlalchemy import Connection, select

from dragoman.core import aliases, oauth, orgs, purge, queries, quotas, text_checks
from dragoman.core.assets.glossary_service import GlossaryService
from dragoman.core.assets.tm_service import TmService
from dragoman.core.engine_records import EngineRecord
from dragoman.core.estimates import Estimate, EstimateRequest, EstimateService
from dragoman.core.files import FileSubmitRequest, callback_field, prepare, submit_file
from dragoman.core.gengo_service import GengoService
from dragoman.core.inline import InlineRequest, InlineResult, InlineService
from dragoman.core.oauth_service import OAuthGrants
from dragoman.core.orgs import KeyCache, Organization
from dragoman.core.ports import Dispatch, Notify
from dragoman.core.project_service import ProjectService
from dragoman.core.review_service import ReviewService
from dragoman.core.status import JobStatus
from dragoman.core.submission import (
    SubmitRequest,
    Submitted,
    resolve_engine,
    screen_callback_url,
    submit,
)
from dragoman.errors import ConflictError, GoneError, InvalidTokenError, NotFoundError
from dragoman.settings import Settings
from dragoman.store.tables import artifacts, jobs

if TYPE_CHECKING:
    from dragoman.engines.base import LanguagePair
    from dragoman.engines.registry import EnginePool
    from dragoman.store.blobs.base import BlobStore
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer

CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A translated file to stream back: its conventional name, type and bytes."""

    filename: str
    media_type: str
    size: int
    stream: Iterator[bytes]


class Core:
    """Jobs, files and organizations for every surface, on one database and blob store."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        writer: Writer,
        blobs: BlobStore,
        dispatch: Dispatch,
        bus: Notify,
        key_cache: KeyCache,
        engines: EnginePool,
    ) -> None:
        self.settings = settings
        self.db = db
        self.writer = writer
        self.blobs = blobs
        self._dispatch = dispatch
        self.bus = bus
        self.key_cache = key_cache
        self.engines = engines  # this process's live engines (pairs, option checks)
        self.usage = quotas.UsageMeter(settings, db.read)
        self.rate_limiter = quotas.RateLimiter(settings.quota_requests_per_minute)
        self.inline = InlineService(settings, db, engines)  # synchronous /process/* work
        self.glossaries = GlossaryService(db, writer)
        self.tm = TmService(settings, db)  # translation memory: entries, import, export
        self.projects = ProjectService(
            settings=settings, db=db, writer=writer, blobs=blobs, dispatch=dispatch, bus=bus,
            engines=engines,
        )  # fmt: skip
        self.grants = OAuthGrants(settings, db, writer, key_cache)
        self.review = ReviewService(settings, db, writer, blobs, bus)  # human work
        self.gengo = GengoService(settings, db, writer, self.review, dispatch, bus)
        self.estimates = EstimateService(settings, db, engines)  # analysis and price, no job

    async def translate_inline(self, org: Organization, request: InlineRequest) -> InlineResult:
        """A small JSON object translated now, not as a job (429 past the org's limit)."""
        return await self.inline.localize(org, request)

    async def estimate(self, org: Organization, request: EstimateRequest) -> Estimate:
        """The analysis and price of a request per target locale, before submitting it."""
        return await anyio.to_thread.run_sync(self.estimates.estimate, org, request)

    async def authenticate(self, api_key: str | None) -> Organization:
        """The organization behind an API key (cached briefly); AuthenticationError if none."""
        return await self.key_cache.resolve(api_key, lambda: self._authenticate(api_key))

    def _authenticate(self, key: str | None) -> Organization:
        with self.db.read() as conn:
            return orgs.authenticate(conn, key)

    async def authenticate_token(self, token: str | None) -> Organization:
        """The organization behind an OAuth2 access token, from the same cache as API keys
        (revocations evict it everywhere); InvalidTokenError (401) when it is not live."""
        if not token:
            raise InvalidTokenError("an access token is required: send Authorization: Bearer")
        if not oauth.looks_like_token(token):
            raise InvalidTokenError("the access token is malformed")
        org = await self.key_cache.resolve(token, lambda: self._authenticate_token(token))
        if not isinstance(org, oauth.TokenOwner):  # an API key is not a bearer token
            raise InvalidTokenError("the access token is not valid")
        if org.expires_at <= time.time():
            raise InvalidTokenError("the access token expired; request a new one")
        return org

    def _authenticate_token(self, token: str) -> Organization:
        with self.db.read() as conn:
            return oauth.authenticate_token(conn, token)

    async def issue_token(self, client_id: str, client_secret: str) -> oauth.IssuedToken:
        """A new access token for a client that proves its secret (client credentials)."""

        def issue(conn: Connection) -> oauth.IssuedToken:
            org = oauth.verify_client(conn, client_id, client_secret)
            return oauth.issue_access_token(
                conn, client_id, org.id, self.settings.oauth_token_seconds
            )

        return await self.writer.run(issue)

    async def submit(
        self, org: Organization, request: SubmitRequest
    ) -> tuple[Submitted, queries.GroupView]:
        """A structured JSON object into `request.target_locales`."""
        if request.callback_url is not None:
            # DNS lookup: on a thread, and before the write transaction.
            await anyio.to_thread.run_sync(screen_callback_url, request.callback_url, self.settings)
        # Serialized here, not on a thread: C speed, and `data` is within max_request_bytes.
        size = quotas.json_bytes(request.data) or 0  # unserializable: validation says why
        targets = len(request.target_locales)
        quotas.check_request_work(size, targets, self.settings, "data")
        reservation = await self._reserve(
            org, targets, quotas.stored_estimate(size, targets), request.idempotency_key
        )

        def accept(conn: Connection) -> tuple[Submitted, queries.GroupView]:
            submitted = submit(conn, org, request, self.settings)
            return submitted, submitted.view or queries.get_group(conn, org.id, submitted.group_id)

        try:
            submitted, group = await self.writer.run(accept)
        except BaseException:
            reservation.release()
            raise
        if not submitted.created:
            reservation.release()
        self._after(org.id, submitted)
        return submitted, group

    async def _reserve(
        self, org: Organization, jobs: int, stored: int, idempotency_key: str | None
    ) -> quotas.Reservation:
        """The work counted against the organization's quotas: from the figures at hand, or
        on a thread when the database must be read (429 beyond a quota)."""
        reserve = partial(
            self.usage.reserve, org.id, jobs=jobs, stored=stored, idempotency_key=idempotency_key
        )
        counted = self.usage.try_reserve(
            org.id, jobs=jobs, stored=stored, idempotency_key=idempotency_key
        )
        if counted is not None:
            return counted
        return await anyio.to_thread.run_sync(reserve)

    async def submit_file(
        self, org: Organization, request: FileSubmitRequest
    ) -> tuple[Submitted, queries.GroupView]:
        """A resource file into `request.target_locales`: parsed once here (4xx for a file
        that cannot be read), its bytes stored before the rows that name them."""
        size, targets = len(request.data), len(set(request.target_locales))
        quotas.check_request_work(size, targets, self.settings, "file")
        reservation = await self._reserve(
            org, targets, quotas.stored_estimate(size, targets), request.idempotency_key
        )
        try:
            submitted, group = await self._submit_file(org, request)
        except BaseException:
            reservation.release()
            raise
        if not submitted.created:
            reservation.release()
        return submitted, group

    async def _submit_file(
        self, org: Organization, request: FileSubmitRequest
    ) -> tuple[Submitted, queries.GroupView]:
        prepared = await anyio.to_thread.run_sync(prepare, org, request, self.settings)
        if request.callback_url is not None:
            await anyio.to_thread.run_sync(
                screen_callback_url, request.callback_url, self.settings, "callback_url"
            )
        for event, url in (request.callbacks or {}).items():
            await anyio.to_thread.run_sync(
                screen_callback_url, url, self.settings, callback_field(event)
            )
        await anyio.to_thread.run_sync(self.blobs.put_bytes, prepared.blob_key, request.data)

        def accept(conn: Connection) -> tuple[Submitted, queries.GroupView]:
            submitted = submit_file(conn, org, request, prepared, self.settings)
            return submitted, submitted.view or queries.get_group(conn, org.id, submitted.group_id)

        try:
            submitted, group = await self.writer.run(accept)
        except BaseException:
            await anyio.to_thread.run_sync(self.blobs.delete, prepared.blob_key)
            raise
        if not submitted.created:  # an idempotent replay: the first request's bytes stay
            await anyio.to_thread.run_sync(self.blobs.delete, prepared.blob_key)
        self._after(org.id, submitted)
        return submitted, group

    def _after(self, org_id: str, submitted: Submitted) -> None:
        if submitted.created:
            self.bus.notify()
            self._dispatch.dispatch(submitted.job_ids, tenant=org_id)

    async def get_group(self, org_id: str, group_id: str) -> queries.GroupView:
        return await anyio.to_thread.run_sync(self.read_group, org_id, group_id)

    def read_group(self, org_id: str, group_id: str) -> queries.GroupView:
        """The group with its jobs; NotFoundError for unknown and foreign ids."""
        with self.db.read() as conn:
            return queries.get_group(conn, org_id, group_id)

    async def get_job(self, org_id: str, job_id: str) -> queries.JobView:
        return await anyio.to_thread.run_sync(self.read_job, org_id, job_id)

    def read_job(self, org_id: str, job_id: str) -> queries.JobView:
        """One job with its output; NotFoundError for unknown and foreign ids."""
        with self.db.read() as conn:
            return queries.get_job(conn, org_id, job_id)

    async def list_groups(
        self, org_id: str, *, surface: str | None, limit: int, offset: int
    ) -> tuple[list[queries.GroupView], int]:
        """Groups newest first, and their total count."""

        def read() -> tuple[list[queries.GroupView], int]:
            with self.db.read() as conn:
                return queries.list_groups(
                    conn, org_id, surface=surface, limit=limit, offset=offset
                )

        return await anyio.to_thread.run_sync(read)

    async def open_output(self, org_id: str, job_id: str) -> OutputFile:
        """A completed file job's translated file; 409 while it is not completed."""
        return await anyio.to_thread.run_sync(self.read_output, org_id, job_id)

    def read_output(self, org_id: str, job_id: str) -> OutputFile:
        text_checks.check_id(job_id, "ljb", "job")
        with self.db.read() as conn:
            row = conn.execute(
                select(
                    jobs.c.status,
                    jobs.c.expired_at,
                    artifacts.c.filename,
                    artifacts.c.media_type,
                    artifacts.c.size,
                    artifacts.c.blob_key,
                )
                .outerjoin(artifacts, artifacts.c.id == jobs.c.output_artifact_id)
                .where(jobs.c.id == job_id, jobs.c.org_id == org_id)
            ).first()
        if row is None:
            raise NotFoundError(f"job {job_id!r} not found")
        if row.expired_at is not None:
            raise GoneError(f"job {job_id!r} expired: its output was deleted")
        if row.status != JobStatus.COMPLETED:
            raise ConflictError(
                f"job {job_id!r} is {row.status}; its file can be downloaded once it is completed"
            )
        if row.blob_key is None:
            raise NotFoundError(f"job {job_id!r} has no file output (it translated a JSON object)")
        handle = self.blobs.open(row.blob_key)

        def stream() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return OutputFile(row.filename or "translated", row.media_type, int(row.size), stream())

    async def delete_group(self, org_id: str, group_id: str) -> None:
        """Delete a group, its jobs, events and files (running jobs' results are dropped)."""
        await self.get_group(org_id, group_id)  # 404 for unknown and foreign ids

        def remove(conn: Connection) -> list[str]:
            return purge.delete_groups(conn, [group_id])

        keys = await self.writer.run(remove)
        for key in keys:
            await anyio.to_thread.run_sync(self.blobs.delete, key)

    async def find_alias(self, org_id: str, surface: str, kind: str, alias: str) -> str | None:
        """The core id behind a surface's id of the organization, or None."""

        def read() -> str | None:
            with self.db.read() as conn:
                return aliases.resolve(conn, surface=surface, kind=kind, alias=alias, org_id=org_id)

        return await anyio.to_thread.run_sync(read)

    async def alias_of(self, surface: str, kind: str, core_id: str) -> str | None:
        """The surface's id for a core object, or None."""

        def read() -> str | None:
            with self.db.read() as conn:
                return aliases.alias_of(conn, surface=surface, kind=kind, core_id=core_id)

        return await anyio.to_thread.run_sync(read)

    async def language_pairs(self, org: Organization) -> tuple[list[LanguagePair], bool]:
        """The pairs the organization's default engine serves now, and whether it takes any
        pair (pseudo, identity); no pairs when its backend is missing."""

        def read() -> tuple[list[LanguagePair], bool]:
            record = self._default_engine(org)
            try:
                engine = self.engines.get(record.provider, record.options)
                return engine.language_pairs(), bool(getattr(engine, "any_pair", False))
            except Exception:  # a missing backend lists no pairs rather than a 500
                return [], False

        return await anyio.to_thread.run_sync(read)

    async def supports_pair(self, org: Organization, source: str, target: str) -> bool:
        """Whether the organization's default engine serves `source` -> `target`."""

        def check() -> bool:
            record = self._default_engine(org)
            try:
                engine = self.engines.get(record.provider, record.options)
                return engine.resolve_pair(source, target) is not None
            except Exception:  # a missing backend serves nothing
                return False

        return await anyio.to_thread.run_sync(check)

    def _default_engine(self, org: Organization) -> EngineRecord:
        with self.db.write() as conn:  # the default engine is created on first use
            return resolve_engine(conn, org, None, self.settings)
