"""Limits on what one request and one organization may ask of the server: source size x
targets per request (413), stored bytes and queued jobs per organization, and requests per
minute (429 with `retry_after`, which surfaces send as `Retry-After`).

Usage is per process: each one reads an organization's figures from the database at most
every `quota_refresh_seconds` (off the writer) and counts what it accepted itself in
between, so several API processes may together overshoot a quota by what they accept
within one refresh interval.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, LargeBinary, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from dragoman.core.status import JobStatus
from dragoman.errors import PayloadTooLargeError, QuotaExceededError, RateLimitedError
from dragoman.settings import Settings
from dragoman.store.tables import artifacts, job_groups, jobs

OPEN_STATUSES = (JobStatus.QUEUED, JobStatus.TRANSLATING)
Clock = Callable[[], float]
_READING_SHARE = 20


def request_work(source_bytes: int, targets: int) -> int:
    """The bytes a request asks engines to translate: its source once per target locale."""
    return source_bytes * targets


def stored_estimate(source_bytes: int, targets: int) -> int:
    """The bytes a request will keep stored: its source, and an output of about the same
    size per target locale."""
    return source_bytes * (1 + targets)


def check_request_work(source_bytes: int, targets: int, settings: Settings, field: str) -> None:
    """PayloadTooLargeError when `source_bytes` x `targets` is over max_request_work_bytes."""
    limit = settings.max_request_work_bytes
    work = request_work(source_bytes, targets)
    if limit and work > limit:
        raise PayloadTooLargeError(
            f"{field} is {source_bytes} bytes x {targets} target locales = {work} bytes of "
            f"work; the limit per request is {limit} (DRAGOMAN_MAX_REQUEST_WORK_BYTES): send "
            "fewer target locales per request or split the content",
            field=field,
            work_bytes=work,
            limit=limit,
        )


def json_bytes(data: Any) -> int | None:
    """The size of `data` as the UTF-8 JSON text that is stored, or None when it cannot be
    serialized (too deep, say: validation then names the fault)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        return None
    # surrogatepass: a lone surrogate is refused by validation, not here with a 500.
    return len(text.encode("utf-8", "surrogatepass"))


def queued_jobs(conn: Connection, org_id: str) -> int:
    """Jobs of the organization waiting or running (an index range on org and status)."""
    query = (
        select(func.count())
        .select_from(jobs)
        .where(jobs.c.org_id == org_id, jobs.c.status.in_(OPEN_STATUSES))
    )
    return int(conn.execute(query).scalar_one())


def stored_bytes(conn: Connection, org_id: str) -> int:
    """Bytes the organization keeps: files (source and output artifacts), inline JSON
    sources and inline JSON outputs."""
    total = 0
    for column, org_column in (
        (artifacts.c.size, artifacts.c.org_id),
        (_byte_length(conn, job_groups.c.content), job_groups.c.org_id),
        (_byte_length(conn, jobs.c.output), jobs.c.org_id),
    ):
        query = select(func.coalesce(func.sum(column), 0)).where(org_column == org_id)
        total += int(conn.execute(query).scalar_one())
    return total


def _byte_length(conn: Connection, column: Any) -> ColumnElement[Any]:
    # PostgreSQL's octet_length reads a TOASTed value's size without decompressing it;
    # SQLite's length() counts characters, its byte count needs the value as a blob.
    if conn.dialect.name == "postgresql":
        return func.octet_length(column)
    return func.length(cast(column, LargeBinary))


@dataclass
class _Usage:
    """One organization's figures as last read, plus what this process accepted since."""

    stored: int = 0
    queued: int = 0
    due_at: float = -math.inf  # when to read the database again
    generation: int = 0  # bumped by each reading; older reservations are in the figures
    added_stored: int = 0
    added_queued: int = 0
    carried_stored: int = 0  # added before a reading in progress began
    carried_queued: int = 0
    measuring: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Reservation:
    """Work counted against an organization's quotas until `release` (or the next reading
    of the database, which then holds it)."""

    meter: UsageMeter | None
    org_id: str
    jobs: int
    stored: int
    generation: int
    released: bool = False

    def release(self) -> None:
        """Give the work back: the request failed, or replayed an earlier group."""
        if self.meter is not None and not self.released:
            self.released = True
            self.meter._release(self)


class UsageMeter:
    """Per-organization stored bytes and queued jobs, checked and reserved atomically."""

    def __init__(
        self,
        settings: Settings,
        read: Callable[[], AbstractContextManager[Connection]],
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self._read = read
        self._clock = clock
        self._lock = threading.Lock()
        self._orgs: dict[str, _Usage] = {}

    @property
    def enabled(self) -> bool:
        return bool(self.settings.quota_stored_bytes or self.settings.quota_queued_jobs)

    def reserve(
        self, org_id: str, *, jobs: int, stored: int, idempotency_key: str | None = None
    ) -> Reservation:
        """Count `jobs` and `stored` bytes against the organization, or raise
        QuotaExceededError, unless the request replays one with the same idempotency key
        (it adds no work); may read the database: call it on a worker thread."""
        if not self.enabled:
            return Reservation(None, org_id, jobs, stored, 0)
        try:
            return self._reserve(org_id, jobs, stored)
        except QuotaExceededError:
            if idempotency_key is None or not self._key_used(org_id, idempotency_key):
                raise
            return Reservation(None, org_id, 0, 0, 0)

    def _key_used(self, org_id: str, key: str) -> bool:
        with self._read() as conn:
            found = conn.execute(
                select(job_groups.c.id)
                .where(job_groups.c.org_id == org_id, job_groups.c.idempotency_key == key)
                .limit(1)
            ).first()
        return found is not None

    def try_reserve(
        self, org_id: str, *, jobs: int, stored: int, idempotency_key: str | None = None
    ) -> Reservation | None:
        """`reserve` from the figures at hand, never reading the database (so the event loop
        may call it): None when a reading is due, or when a refused request may be a replay."""
        if not self.enabled:
            return Reservation(None, org_id, jobs, stored, 0)
        with self._lock:
            usage = self._orgs.get(org_id)
            if usage is None or self._clock() >= usage.due_at:
                return None
            try:
                return self._count(usage, org_id, jobs, stored)
            except QuotaExceededError:
                if idempotency_key is None:
                    raise
                return None

    def _reserve(self, org_id: str, jobs: int, stored: int) -> Reservation:
        usage = self._current(org_id)
        with self._lock:
            return self._count(usage, org_id, jobs, stored)

    def _count(self, usage: _Usage, org_id: str, jobs: int, stored: int) -> Reservation:
        """Check and add the work (the caller holds the lock)."""
        settings = self.settings
        queued = usage.queued + usage.carried_queued + usage.added_queued
        if settings.quota_queued_jobs and queued + jobs > settings.quota_queued_jobs:
            raise QuotaExceededError(
                f"this organization has {queued} jobs queued or translating and the "
                f"request adds {jobs}; the quota is {settings.quota_queued_jobs} "
                "(DRAGOMAN_QUOTA_QUEUED_JOBS): retry once some have finished",
                retry_after=math.ceil(settings.quota_refresh_seconds),
            )
        kept = usage.stored + usage.carried_stored + usage.added_stored
        if settings.quota_stored_bytes and kept + stored > settings.quota_stored_bytes:
            raise QuotaExceededError(
                f"this organization stores {kept} bytes and the request would add about "
                f"{stored}; the quota is {settings.quota_stored_bytes} bytes "
                "(DRAGOMAN_QUOTA_STORED_BYTES): delete finished groups, or retry once "
                "retention has removed old ones",
                retry_after=math.ceil(settings.retention_interval_seconds),
            )
        usage.added_queued += jobs
        usage.added_stored += stored
        return Reservation(self, org_id, jobs, stored, usage.generation)

    def _release(self, reservation: Reservation) -> None:
        with self._lock:
            usage = self._orgs.get(reservation.org_id)
            if usage is not None and usage.generation == reservation.generation:
                usage.added_queued -= reservation.jobs
                usage.added_stored -= reservation.stored

    def _current(self, org_id: str) -> _Usage:
        """The organization's usage, read again when older than the refresh interval (by one
        request at a time; the others go on with the figures they have)."""
        with self._lock:
            usage = self._orgs.setdefault(org_id, _Usage())
            stale = self._clock() >= usage.due_at
            never = usage.due_at == -math.inf
        if not stale:
            return usage
        if not usage.measuring.acquire(blocking=never):
            return usage
        try:
            if self._clock() >= usage.due_at:
                self._measure(org_id, usage)
        finally:
            usage.measuring.release()
        return usage

    def _measure(self, org_id: str, usage: _Usage) -> None:
        with self._lock:
            # What was accepted so far is in the reading (or about to be, as the writer
            # commits); it stays counted until the reading is in. Later work stays counted.
            usage.generation += 1
            usage.carried_queued, usage.carried_stored = usage.added_queued, usage.added_stored
            usage.added_queued = usage.added_stored = 0
        started = self._clock()
        try:
            with self._read() as conn:
                queued = queued_jobs(conn, org_id) if self.settings.quota_queued_jobs else 0
                stored = stored_bytes(conn, org_id) if self.settings.quota_stored_bytes else 0
        except BaseException:
            with self._lock:  # keep counting what was accepted; read again next time
                usage.added_queued += usage.carried_queued
                usage.added_stored += usage.carried_stored
                usage.carried_queued = usage.carried_stored = 0
            raise
        with self._lock:
            usage.queued, usage.stored = queued, stored
            usage.carried_queued = usage.carried_stored = 0
            now = self._clock()
            # An organization with much stored takes long to sum: read it less often, so
            # that readings cost at most about 1/_READING_SHARE of one thread.
            usage.due_at = now + max(
                self.settings.quota_refresh_seconds, _READING_SHARE * (now - started)
            )


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, refilled evenly, with bursts
    up to a minute's worth; 0 lets everything through."""

    def __init__(self, per_minute: int, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated at)

    def wait(self, key: str) -> float:
        """Take one token for `key`: 0.0 when allowed, else seconds until one is due."""
        if not self.per_minute:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - updated) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate

    def check(self, key: str) -> None:
        """RateLimitedError naming the limit when `key` has no request left this minute."""
        wait = self.wait(key)
        if wait:
            raise RateLimitedError(
                f"more than {self.per_minute} requests a minute from this organization "
                f"(DRAGOMAN_QUOTA_REQUESTS_PER_MINUTE); retry in {math.ceil(wait)} s",
                retry_after=max(1, math.ceil(wait)),
            )
