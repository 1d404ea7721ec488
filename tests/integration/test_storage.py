"""Leases, fencing and the outbox on real SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, update

from dragoman.core import orgs, transitions
from dragoman.core.submission import SubmitRequest, submit
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.store.tables import events, jobs
from dragoman.timefmt import utcnow


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


def make_group(db: Database, settings: Settings, targets: list[str]) -> list[str]:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, f"org-{time.perf_counter_ns()}")
        done = submit(conn, org, SubmitRequest("en", targets, {"a": "Hello"}), settings)
    return done.job_ids


def event_types(db: Database, job_id: str | None = None) -> list[str]:
    query = select(events.c.type).order_by(events.c.seq)
    if job_id:
        query = query.where(events.c.job_id == job_id)
    with db.read() as conn:
        return [r.type for r in conn.execute(query)]


def test_exactly_one_of_many_racing_workers_claims(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    (job_id,) = make_group(db, settings, ["de"])
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def race(owner: str) -> None:
        barrier.wait()
        with db.write() as conn:
            if transitions.claim(conn, job_id, owner, 30, 5) is not None:
                winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert event_types(db, job_id) == ["job.queued", "job.started"]


def test_expired_lease_is_claimable_and_fences_the_old_owner(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    (job_id,) = make_group(db, settings, ["de"])
    with db.write() as conn:
        job = transitions.claim(conn, job_id, "old", 30, 5)
    assert job is not None
    with db.write() as conn:
        assert transitions.claim(conn, job_id, "new", 30, 5) is None  # lease still live
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(lease_expires_at=utcnow()))
    time.sleep(0.01)
    with db.write() as conn:
        taken = transitions.claim(conn, job_id, "new", 30, 5)
    assert taken is not None and taken.attempts == 2
    with db.write() as conn:
        assert not transitions.complete(conn, job, "old", {"a": "stale"}, [], 1)
        assert transitions.complete(conn, taken, "new", {"a": "fresh"}, [], 1)
    with db.read() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
    assert row.status == "completed" and json.loads(row.output) == {"a": "fresh"}
    assert event_types(db, job_id).count("job.completed") == 1
    assert event_types(db, job_id).count("job.started") == 1


def test_group_completed_event_exactly_once_when_jobs_finish_together(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    job_ids = make_group(db, settings, ["de", "fr", "it", "ja", "ko", "nl"])
    claimed = []
    for job_id in job_ids:
        with db.write() as conn:
            claimed.append(transitions.claim(conn, job_id, "w", 30, 5))
    barrier = threading.Barrier(len(claimed))

    def finish(job: transitions.ClaimedJob) -> None:
        barrier.wait()
        with db.write() as conn:
            if job.target_locale == "ja":
                transitions.fail(conn, job.id, "w", "boom")
            else:
                transitions.complete(conn, job, "w", {"a": "x"}, [], 1)

    threads = [threading.Thread(target=finish, args=(job,)) for job in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as conn:
        rows = conn.execute(
            select(events.c.payload).where(events.c.type == "group.completed")
        ).all()
    assert len(rows) == 1
    assert rows[0].payload["status"] == "partial"


def test_rolled_back_change_leaves_no_event(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    (job_id,) = make_group(db, settings, ["de"])
    with pytest.raises(RuntimeError), db.write() as conn:
        transitions.claim(conn, job_id, "w", 30, 5)
        raise RuntimeError("crash before commit")
    with db.read() as conn:
        status = conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar_one()
    assert status == "queued"
    assert event_types(db, job_id) == ["job.queued"]


def test_poison_job_fails_after_max_attempts(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    (job_id,) = make_group(db, settings, ["de"])
    for attempt in range(3):
        with db.write() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(lease_expires_at=utcnow()))
        time.sleep(0.01)
        with db.write() as conn:
            job = transitions.claim(conn, job_id, f"w{attempt}", 30, 2)
        assert (job is None) == (attempt == 2)
    with db.read() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
        count = conn.execute(
            select(func.count()).select_from(events).where(events.c.type == "job.failed")
        ).scalar_one()
    assert row.status == "failed" and "2 attempts" in row.error_message
    assert count == 1


def test_renew_extends_leases_and_reports_only_takeovers(
    db: Database, database_url: str, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(database_url)
    finished, taken, held = make_group(db, settings, ["de", "fr", "it"])
    claimed = {}
    for job_id in (finished, taken, held):
        with db.write() as conn:
            claimed[job_id] = transitions.claim(conn, job_id, "me", 1, 5)

    def expiry(job_id: str) -> object:
        with db.read() as conn:
            return conn.execute(
                select(jobs.c.lease_expires_at).where(jobs.c.id == job_id)
            ).scalar_one()

    before = expiry(held)
    with db.write() as conn:
        transitions.complete(conn, claimed[finished], "me", {"a": "x"}, [], 1)
        conn.execute(update(jobs).where(jobs.c.id == taken).values(lease_expires_at=utcnow()))
    time.sleep(0.01)
    with db.write() as conn:
        assert transitions.claim(conn, taken, "other", 30, 5) is not None
    with db.write() as conn:
        lost = transitions.renew(conn, [finished, taken, held], "me", 60)
    assert lost == {taken}
    assert expiry(held) > before  # type: ignore[operator]
