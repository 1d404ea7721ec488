"""Gengo as the surface calls it: signed-request checks, orders (URLs screened and TM looked
up on a thread before the write), reads, and the customer's moves by integer job id."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, select, update

from dragoman.core import credits, gengo_keys, gengo_views, review
from dragoman.core.assets.tm import Segment, pair_of
from dragoman.core.assets.tm_index.base import Origin
from dragoman.core.files import FileSubmitRequest, prepare
from dragoman.core.gengo_files import record_quote
from dragoman.core.gengo_orders import (
    JobRequest,
    OrderRequest,
    OrderResult,
    check_pairs,
    jobs_error,
    offered,
    submit_order,
)
from dragoman.core.orgs import Organization
from dragoman.core.ports import Dispatch, Notify
from dragoman.core.status import JobStatus
from dragoman.core.submission import screen_callback_url
from dragoman.core.translators import Tier, Translator
from dragoman.delivery.webhooks import ssrf
from dragoman.errors import DragomanError
from dragoman.settings import Settings
from dragoman.store.gengo_tables import gengo_jobs
from dragoman.store.review_tables import human_jobs
from dragoman.store.tables import organizations

if TYPE_CHECKING:
    from dragoman.core.review_service import ReviewService
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer

T = TypeVar("T")


class GengoService:
    """Gengo's calls on one database (`Core.gengo`)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        writer: Writer,
        reviews: ReviewService,
        dispatch: Dispatch,
        bus: Notify,
    ) -> None:
        self.settings = settings
        self.db = db
        self.writer = writer
        self.reviews = reviews
        self._dispatch = dispatch
        self.bus = bus

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """`fn` on a read connection, on a thread."""

        def run() -> T:
            with self.db.read() as conn:
                return fn(conn)

        return await anyio.to_thread.run_sync(run)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """`fn` on the batching writer; the bus is woken after commit."""
        result = await self.writer.run(fn)
        self.bus.notify()
        return result

    # --- authentication --------------------------------------------------------------

    async def authenticate(
        self, api_key: str, ts: str, api_sig: str, fingerprint: str | None
    ) -> Organization:
        """The organization of a signed request; AuthenticationError (Gengo 1000) for an
        unknown key, a bad signature, a stale `ts` or (with `fingerprint`) a replay."""
        key = await self.read(lambda c: gengo_keys.find_key(c, api_key))
        gengo_keys.check_signature(key, ts, api_sig, time.time())
        if fingerprint is not None:
            await self.writer.run(lambda c: gengo_keys.remember(c, fingerprint))
        return await self.read(lambda c: _organization(c, key.org_id))

    # --- orders ----------------------------------------------------------------------

    async def submit_order(self, org: Organization, order: OrderRequest) -> OrderResult:
        """Place an order: its URLs screened (DNS), bodies looked up in the TM, then one
        write that creates the jobs and pays for them; new jobs are dispatched after."""
        policy = ssrf.NetworkPolicy.from_cidrs(self.settings.webhook_allow_networks)
        for job in order.jobs:
            if job.callback_url is not None:
                await anyio.to_thread.run_sync(
                    screen_callback_url, job.callback_url, self.settings, f"{job.key}.callback_url"
                )
            for index, attachment in enumerate(job.attachments):
                await anyio.to_thread.run_sync(
                    ssrf.resolve, attachment["url"], policy, f"{job.key}.attachments[{index}].url"
                )
        memory = await anyio.to_thread.run_sync(self._memory, org.id, order)
        hours = self.settings.preferred_translator_hours
        result = await self.write(
            lambda c: submit_order(c, org, order, memory, preferred_hours=hours)
        )
        if result.created_job_ids:
            self._dispatch.dispatch(result.created_job_ids, tenant=org.id)
        return result

    def _memory(self, org_id: str, order: OrderRequest) -> dict[str, str]:
        """Approved human translations the TM holds for whole bodies, by job key."""
        found: dict[str, str] = {}
        wanted = [j for j in order.jobs if not j.force and j.type == "text"]
        if not wanted:
            return found
        tm = self.reviews.tm()
        for job in wanted:
            pair = pair_of(job.lc_src, job.lc_tgt)
            match = tm.lookup(org_id, pair, [Segment(job.body_src, key="body")], touch=False)[0]
            if match is not None and match.score >= 100 and match.origin == Origin.HUMAN:
                found[job.key] = match.target
        return found

    # --- customer moves by integer id --------------------------------------------------

    async def core_id(self, org_id: str, number: int) -> str:
        return await self.read(lambda c: gengo_views.core_id(c, org_id, number))

    async def approve(
        self, org_id: str, number: int, rating: int | None, feedback: str | None
    ) -> JobStatus:
        job_id = await self.core_id(org_id, number)
        return await self.reviews.approve(org_id, job_id, rating=rating, feedback=feedback)

    async def revise(self, org_id: str, number: int, comment: str) -> JobStatus:
        return await self.reviews.revise(org_id, await self.core_id(org_id, number), comment)

    async def reject(
        self, org_id: str, number: int, follow_up: review.FollowUp, comment: str
    ) -> JobStatus:
        """Reject: requeued for another translator, or cancelled (shown as rejected)."""
        job_id = await self.core_id(org_id, number)

        def move(conn: Connection) -> JobStatus:
            status = review.reject(conn, org_id, job_id, follow_up, comment)
            if status == JobStatus.CANCELLED:
                conn.execute(
                    update(gengo_jobs).where(gengo_jobs.c.job_id == job_id).values(rejected=True)
                )
            return status

        return await self.write(move)

    async def cancel(self, org_id: str, number: int) -> JobStatus:
        """Cancel a job nobody has started; its credits go back to the balance."""
        job_id = await self.core_id(org_id, number)

        def move(conn: Connection) -> JobStatus:
            status = review.cancel(conn, org_id, job_id)
            cost = conn.execute(
                select(human_jobs.c.credits_micros).where(human_jobs.c.job_id == job_id)
            ).scalar()
            if cost:
                credits.add_credits(conn, org_id, credits.from_micros(int(cost)))
            return status

        return await self.write(move)

    async def comment(self, org_id: str, number: int, body: str) -> review.Comment:
        return await self.reviews.customer_comment(org_id, await self.core_id(org_id, number), body)

    # --- catalog and account -------------------------------------------------------------

    async def offers(self, org_id: str) -> list[tuple[str, str, Tier, int]]:
        """(source, target, tier, micro-credits per unit) for each pair and tier the
        organization's translators serve."""

        def read(conn: Connection) -> list[tuple[str, str, Tier, int]]:
            seen: dict[tuple[str, str, Tier], int] = {}
            people: list[Translator] = offered(conn, org_id)
            for person in people:
                for pair in person.pairs:
                    source, target = pair.split(":")
                    key = (source, target, person.tier)
                    if key not in seen:
                        seen[key] = credits.rate(conn, org_id, person.tier, source, target)
            return [(s, t, tier, rate) for (s, t, tier), rate in sorted(seen.items())]

        return await self.read(read)

    async def quote(
        self, org: Organization, jobs: list[JobRequest], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, tuple[credits.Price, str | None]]:
        """Unit count, credits and ETA per job key (Gengo 1551 for a pair not served); a file
        job's upload (`files` by job key: name and bytes) is parsed by its codec, stored,
        and given the identifier that orders it."""
        await self.read(lambda c: check_pairs(c, org.id, jobs))
        identifiers: dict[str, tuple[str, int]] = {}
        for job in jobs:
            if job.type == "file":
                name, data = files[job.key]
                identifiers[job.key] = await self._store_file(org, job, name, data)

        def read(conn: Connection) -> dict[str, tuple[credits.Price, str | None]]:
            found: dict[str, tuple[credits.Price, str | None]] = {}
            for j in jobs:
                ident, units = identifiers.get(j.key) or (
                    None,
                    credits.unit_count([j.body_src], j.lc_src),
                )
                edit = "edit" in j.services
                price = credits.price(conn, org.id, j.tier, j.lc_src, j.lc_tgt, units, edit=edit)
                found[j.key] = (price, ident)
            return found

        return await self.read(read)

    async def _store_file(
        self, org: Organization, job: JobRequest, name: str, data: bytes
    ) -> tuple[str, int]:
        request = FileSubmitRequest(
            source_locale=job.lc_src, target_locales=[job.lc_tgt], filename=name, data=data,
            surface="gengo",
        )  # fmt: skip
        try:
            prepared = await anyio.to_thread.run_sync(prepare, org, request, self.settings)
        except DragomanError as exc:
            raise jobs_error({job.key: [(1802, f"file upload failed: {exc.message}")]}) from None
        blobs = self.reviews.blobs
        await anyio.to_thread.run_sync(blobs.put_bytes, prepared.blob_key, data)
        try:
            ident = await self.write(lambda c: record_quote(c, org.id, prepared, len(data)))
        except BaseException:
            await anyio.to_thread.run_sync(blobs.delete, prepared.blob_key)
            raise
        return ident, prepared.words

    async def open_file(
        self, org_id: str, number: int, which: str
    ) -> tuple[str, str, Iterator[bytes]]:
        """A file job's source or shown translation: (filename, media type, chunks)."""
        key, filename, media = await self.read(
            lambda c: gengo_views.file_of(c, org_id, number, which)
        )
        handle = await anyio.to_thread.run_sync(self.reviews.blobs.open, key)

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(256 * 1024):
                    yield chunk

        return filename, media, chunks()


def _organization(conn: Connection, org_id: str) -> Organization:
    row = conn.execute(select(organizations).where(organizations.c.id == org_id)).one()
    return Organization(row.id, row.name, row.default_callback_url)
