"""Per-request work limit, per-organization usage meter and rate limiter (issue 9 item 4)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, update

from dragoman.core import orgs, quotas
from dragoman.core.submission import SubmitRequest, submit
from dragoman.errors import PayloadTooLargeError, QuotaExceededError, RateLimitedError
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import jobs


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the per-request work limit ---------------------------------------------------------


def test_work_within_the_limit_passes() -> None:
    settings = Settings(max_request_work_bytes=1000)
    quotas.check_request_work(100, 10, settings, "data")  # exactly the limit


def test_work_over_the_limit_names_the_numbers_and_the_setting() -> None:
    settings = Settings(max_request_work_bytes=1000)
    with pytest.raises(PayloadTooLargeError) as caught:
        quotas.check_request_work(101, 10, settings, "data")
    message = caught.value.message
    assert "101 bytes x 10 target locales = 1010 bytes" in message
    assert "1000" in message and "DRAGOMAN_MAX_REQUEST_WORK_BYTES" in message
    assert caught.value.field == "data" and caught.value.status_code == 413


def test_work_limit_zero_is_off() -> None:
    quotas.check_request_work(10**12, 100, Settings(max_request_work_bytes=0), "file")


def test_default_work_limit_refuses_the_reported_request() -> None:
    # Issue 9: one 4.95 MB string to 100 targets wrote 1.09 GB.
    with pytest.raises(PayloadTooLargeError):
        quotas.check_request_work(4_950_000, 100, Settings(), "data")
    quotas.check_request_work(4_950_000, 3, Settings(), "data")


def test_json_bytes_counts_utf8_bytes_as_stored() -> None:
    data = {"t": "é" * 10}
    assert quotas.json_bytes(data) == len(json.dumps(data, ensure_ascii=False).encode())
    assert quotas.json_bytes(data) == len('{"t": ""}') + 20


def test_json_bytes_of_unserializable_data_is_none() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert quotas.json_bytes(deep) is None
    assert quotas.json_bytes({"t": "a\ud800b"}) == len('{"t": "ab"}') + 3  # no 500 here


# --- the rate limiter -------------------------------------------------------------------


def test_rate_limiter_allows_a_minutes_worth_then_refills_evenly() -> None:
    clock = Clock()
    limiter = quotas.RateLimiter(3, clock=clock)
    assert [limiter.wait("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("a") == pytest.approx(20.0)  # one token every 60/3 s
    assert limiter.wait("b") == 0.0  # keys are independent
    clock.now += 20.0
    assert limiter.wait("a") == 0.0
    assert limiter.wait("a") > 0


def test_rate_limiter_check_raises_with_retry_after_and_the_setting() -> None:
    clock = Clock()
    limiter = quotas.RateLimiter(60, clock=clock)
    for _ in range(60):
        limiter.check("org")
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("org")
    assert caught.value.status_code == 429
    assert caught.value.extra["retry_after"] == 1
    assert "60 requests a minute" in caught.value.message
    assert "DRAGOMAN_QUOTA_REQUESTS_PER_MINUTE" in caught.value.message


def test_rate_limiter_zero_is_off() -> None:
    limiter = quotas.RateLimiter(0)
    assert all(limiter.wait("a") == 0.0 for _ in range(10_000))


# --- the usage meter, on a real database ------------------------------------------------


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _submit(db: Database, settings: Settings, org_name: str, data: Any, targets: list[str]) -> str:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, org_name)
        submit(conn, org, SubmitRequest("en", targets, data), settings)
        return org.id


def test_queued_and_stored_are_read_from_the_database(
    db: Database, settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url)
    data = {"t": "x" * 1000}
    org_id = _submit(db, settings, "a", data, ["de", "fr"])
    _submit(db, settings, "b", data, ["de"])  # another organization's work is not counted
    content = len(json.dumps(data, ensure_ascii=False))
    with db.write() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.org_id == org_id, jobs.c.target_locale == "de")
            # "é" is two bytes: the figure is bytes, not characters.
            .values(status="completed", output=json.dumps({"t": "é" * 500}, ensure_ascii=False))
        )
    with db.read() as conn:
        assert quotas.queued_jobs(conn, org_id) == 1
        assert quotas.stored_bytes(conn, org_id) == content + len('{"t": ""}') + 1000


def test_meter_refuses_work_over_the_queued_quota_and_names_it(
    db: Database, settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url, quota_queued_jobs=4, quota_refresh_seconds=5)
    org_id = _submit(db, settings, "a", {"t": "hi"}, ["de", "fr", "es"])
    clock = Clock()
    meter = quotas.UsageMeter(settings, db.read, clock=clock)
    first = meter.reserve(org_id, jobs=1, stored=10)  # 3 in the database + 1
    with pytest.raises(QuotaExceededError) as caught:
        meter.reserve(org_id, jobs=1, stored=10)
    assert caught.value.status_code == 429
    assert caught.value.extra["retry_after"] == 5
    assert "4 jobs queued or translating" in caught.value.message
    assert "DRAGOMAN_QUOTA_QUEUED_JOBS" in caught.value.message
    first.release()
    first.release()  # twice gives back once
    second = meter.reserve(org_id, jobs=1, stored=10)
    with pytest.raises(QuotaExceededError):
        meter.reserve(org_id, jobs=1, stored=10)
    meter.reserve("another-org", jobs=4, stored=10)  # each organization has its own quota
    # Finished work is seen at the next reading, not before.
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.org_id == org_id).values(status="completed"))
    with pytest.raises(QuotaExceededError):
        meter.reserve(org_id, jobs=1, stored=10)
    clock.now += 5
    # The reading holds what was reserved before it (`second` is a bare reservation here,
    # so 0 jobs in all), and giving that back after the reading changes nothing.
    meter.reserve(org_id, jobs=3, stored=10)
    second.release()
    meter.reserve(org_id, jobs=1, stored=10)
    with pytest.raises(QuotaExceededError):
        meter.reserve(org_id, jobs=1, stored=10)


def test_meter_refuses_work_over_the_stored_quota_and_names_it(
    db: Database, settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url, quota_stored_bytes=5000)
    org_id = _submit(db, settings, "a", {"t": "x" * 3000}, ["de"])
    meter = quotas.UsageMeter(settings, db.read, clock=Clock())
    meter.reserve(org_id, jobs=1, stored=1900)
    with pytest.raises(QuotaExceededError) as caught:
        meter.reserve(org_id, jobs=1, stored=200)
    message = caught.value.message
    assert "stores 3009 bytes" not in message  # what was reserved since counts too
    assert "stores 4909 bytes" in message and "about 200" in message
    assert "5000" in message and "DRAGOMAN_QUOTA_STORED_BYTES" in message
    assert caught.value.extra["retry_after"] == int(settings.retention_interval_seconds)


def test_meter_with_quotas_off_reads_nothing(
    settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url, quota_stored_bytes=0, quota_queued_jobs=0)

    def read() -> Any:
        raise AssertionError("the database was read with every quota off")

    meter = quotas.UsageMeter(settings, read)
    for _ in range(3):
        meter.reserve("org", jobs=10**6, stored=10**12).release()


def test_stored_estimate_counts_the_source_and_one_output_per_target() -> None:
    assert quotas.stored_estimate(100, 3) == 400
    assert quotas.request_work(100, 3) == 300


def test_a_slow_reading_is_repeated_less_often(
    db: Database, settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url, quota_queued_jobs=2, quota_refresh_seconds=5)
    org_id = _submit(db, settings, "a", {"t": "hi"}, ["de", "fr"])
    clock = Clock()
    readings = 0

    @contextmanager
    def slow_read() -> Iterator[Connection]:
        nonlocal readings
        readings += 1
        clock.now += 2.0  # each reading takes 2 s: the next one waits 20 x 2 s
        with db.read() as conn:
            yield conn

    meter = quotas.UsageMeter(settings, slow_read, clock=clock)
    with pytest.raises(QuotaExceededError):
        meter.reserve(org_id, jobs=1, stored=1)
    with db.write() as conn:
        conn.execute(update(jobs).where(jobs.c.org_id == org_id).values(status="completed"))
    clock.now += 30  # past the refresh interval, not yet past 20 x the reading's time
    with pytest.raises(QuotaExceededError):
        meter.reserve(org_id, jobs=1, stored=1)
    assert readings == 1
    clock.now += 10
    meter.reserve(org_id, jobs=2, stored=1)
    assert readings == 2


def test_try_reserve_never_reads_the_database(
    db: Database, settings_factory: Callable[..., Settings], database_url: str
) -> None:
    settings = settings_factory(database_url, quota_queued_jobs=3, quota_refresh_seconds=5)
    org_id = _submit(db, settings, "a", {"t": "hi"}, ["de"])
    clock = Clock()
    readings = 0

    @contextmanager
    def counted_read() -> Iterator[Connection]:
        nonlocal readings
        readings += 1
        with db.read() as conn:
            yield conn

    meter = quotas.UsageMeter(settings, counted_read, clock=clock)
    assert meter.try_reserve(org_id, jobs=1, stored=1) is None  # no figures yet
    meter.reserve(org_id, jobs=1, stored=1)  # reads: 1 queued + 1
    assert readings == 1
    assert meter.try_reserve(org_id, jobs=1, stored=1) is not None  # 3
    with pytest.raises(QuotaExceededError):
        meter.try_reserve(org_id, jobs=1, stored=1)
    # Refused with an idempotency key: maybe a replay, which only a reading can tell.
    assert meter.try_reserve(org_id, jobs=1, stored=1, idempotency_key="k") is None
    clock.now += 5
    assert meter.try_reserve(org_id, jobs=1, stored=1) is None  # a reading is due
    assert readings == 1
