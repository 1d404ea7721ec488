"""The human workflow as the surfaces call it: translators' and customers' moves, each run
on the batching writer (blocking reads and rendering on a thread), the bus woken after
commit, approved work recorded in the TM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

import anyio.to_thread
from sqlalchemy import Connection

from dragoman.core import credits, human_output, human_queries, human_units, review
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_index import for_database
from dragoman.core.files import file_limits
from dragoman.core.ports import Notify
from dragoman.core.review_sweep import record_approved
from dragoman.core.status import JobStatus
from dragoman.core.translators import Translator, TranslatorCache, authenticate
from dragoman.errors import AuthenticationError
from dragoman.settings import Settings

if TYPE_CHECKING:
    from dragoman.store.blobs.base import BlobStore
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReviewService:
    """Human work on one database: what `Core.review` offers every surface."""

    def __init__(
        self, settings: Settings, db: Database, writer: Writer, blobs: BlobStore, bus: Notify
    ) -> None:
        self.settings = settings
        self.db = db
        self.writer = writer
        self.blobs = blobs
        self.bus = bus
        self.translators = TranslatorCache()
        self._tm: TranslationMemory | None = None

    def tm(self) -> TranslationMemory:
        """The TM (built on first use)."""
        if self._tm is None:
            self._tm = TranslationMemory(for_database(self.db))
        return self._tm

    async def _read(self, fn: Callable[[Connection], T]) -> T:
        def run() -> T:
            with self.db.read() as conn:
                return fn(conn)

        return await anyio.to_thread.run_sync(run)

    async def _write(self, fn: Callable[[Connection], T]) -> T:
        result = await self.writer.run(fn)
        self.bus.notify()
        return result

    # --- translators -----------------------------------------------------------------

    async def authenticate(self, key: str | None) -> Translator:
        """The translator behind a key (cached for a second); AuthenticationError if none."""
        if not key:
            raise AuthenticationError("a translator key is required (send it in X-API-Key)")
        cached = self.translators.get(key)
        if cached is not None:
            return cached
        translator = await self._read(lambda conn: authenticate(conn, key))
        self.translators.put(key, translator)
        return translator

    async def list_jobs(
        self, translator: Translator, which: Literal["available", "mine"], limit: int, offset: int
    ) -> list[human_queries.JobSummary]:
        return await self._read(
            lambda c: human_queries.list_jobs(c, translator, which, limit=limit, offset=offset)
        )

    async def job_detail(self, translator: Translator, job_id: str) -> human_queries.JobDetail:
        return await self._read(
            lambda c: human_queries.job_detail(c, translator, job_id, self._tm_or_none)
        )

    def _tm_or_none(self) -> TranslationMemory | None:
        try:
            return self.tm()
        except Exception:  # suggestions are a help: a TM that cannot load is left out
            log.exception("the TM could not be opened")
            return None

    async def take(self, translator: Translator, job_id: str) -> JobStatus:
        return await self._write(lambda c: review.take(c, translator, job_id))

    async def save_segment(
        self, translator: Translator, job_id: str, segment_id: int, target: str
    ) -> tuple[human_units.Segment, list[dict[str, str]]]:
        """Store a draft; returns the segment and its QA warnings."""

        def save(conn: Connection) -> tuple[human_units.Segment, list[dict[str, str]]]:
            segment = review.save_segment(conn, translator, job_id, segment_id, target)
            job = human_units.get_human_job(conn, job_id)
            glossary = human_queries.glossary_of(conn, job)
            return segment, human_units.qa_warnings(segment, glossary, job.max_chars)

        return await self.writer.run(save)

    async def deliver(self, translator: Translator, job_id: str) -> JobStatus:
        """Render the drafts through the job's codec and deliver them (422 listing why not)."""

        def check(
            conn: Connection,
        ) -> tuple[list[human_units.Segment], human_output.JobSource, int]:
            segments = review.check_deliverable(conn, translator, job_id)
            job = human_units.get_human_job(conn, job_id)
            return segments, human_output.job_source(conn, job_id), job.revision + 1

        segments, source, number = await self._read(check)
        rendered = await anyio.to_thread.run_sync(
            human_output.render, source, segments, self.blobs, file_limits(self.settings), number
        )
        hours = self.settings.review_auto_approve_hours
        try:
            status = await self._write(
                lambda c: review.deliver(
                    c, translator, job_id, segments, rendered, default_review_hours=hours
                )
            )
        except BaseException:
            if rendered.artifact is not None:
                await anyio.to_thread.run_sync(
                    self.blobs.delete, str(rendered.artifact["blob_key"])
                )
            raise
        if status == JobStatus.COMPLETED:
            await self._record(job_id)
        return status

    async def translator_comment(
        self, translator: Translator, job_id: str, body: str
    ) -> review.Comment:
        return await self._write(
            lambda c: review.add_translator_comment(c, translator, job_id, body)
        )

    # --- customers -------------------------------------------------------------------

    async def human_job(self, org_id: str, job_id: str) -> human_units.HumanJob:
        """The organization's human job; NotFoundError otherwise."""
        return await self._read(lambda c: review.customer_job(c, org_id, job_id))

    async def approve(
        self, org_id: str, job_id: str, *, rating: int | None = None, feedback: str | None = None
    ) -> JobStatus:
        """Approve a reviewable job; its segments go to the TM as human work."""
        status = await self._write(
            lambda c: review.approve(c, org_id, job_id, rating=rating, feedback=feedback)
        )
        await self._record(job_id)
        return status

    async def _record(self, job_id: str) -> None:
        try:
            await anyio.to_thread.run_sync(record_approved, self.db, job_id, self.tm())
        except Exception:  # the approval stands; the TM misses these entries
            log.exception("recording approved job %s in the TM failed", job_id)

    async def revise(self, org_id: str, job_id: str, comment: str) -> JobStatus:
        return await self._write(lambda c: review.revise(c, org_id, job_id, comment))

    async def reject(
        self,
        org_id: str,
        job_id: str,
        follow_up: review.FollowUp = review.FollowUp.REQUEUE,
        comment: str | None = None,
    ) -> JobStatus:
        return await self._write(lambda c: review.reject(c, org_id, job_id, follow_up, comment))

    async def cancel(self, org_id: str, job_id: str) -> JobStatus:
        return await self._write(lambda c: review.cancel(c, org_id, job_id))

    async def customer_comment(self, org_id: str, job_id: str, body: str) -> review.Comment:
        return await self._write(lambda c: review.add_customer_comment(c, org_id, job_id, body))

    async def comments(self, org_id: str, job_id: str) -> list[review.Comment]:
        def read(conn: Connection) -> list[review.Comment]:
            review.customer_job(conn, org_id, job_id)
            return review.list_comments(conn, job_id)

        return await self._read(read)

    async def revisions(self, org_id: str, job_id: str) -> list[review.Revision]:
        def read(conn: Connection) -> list[review.Revision]:
            review.customer_job(conn, org_id, job_id)
            return review.list_revisions(conn, job_id)

        return await self._read(read)

    async def feedback(self, org_id: str, job_id: str) -> review.Feedback | None:
        def read(conn: Connection) -> review.Feedback | None:
            review.customer_job(conn, org_id, job_id)
            return review.get_feedback(conn, job_id)

        return await self._read(read)

    async def balance(self, org_id: str) -> credits.Balance:
        return await self._read(lambda c: credits.balance(c, org_id))
