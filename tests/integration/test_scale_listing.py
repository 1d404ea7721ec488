"""Keyset listing on real SQLite and PostgreSQL: row-comparison cursors and the per-status
merge walk every matching job exactly once, newest first, ties broken by id."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from dragoman.core import orgs, queries
from dragoman.core.engine_records import default_engine
from dragoman.core.status import JobStatus
from dragoman.store.db import Database
from dragoman.store.tables import job_groups, jobs

STATUSES = [
    JobStatus.QUEUED,
    JobStatus.CREATED,
    JobStatus.TRANSLATING,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
]


@pytest.fixture
def db(database_url: str) -> Database:
    database = Database(database_url)
    yield database
    database.dispose()


def test_pages_walk_every_matching_job_once_in_order(db: Database) -> None:
    rng = random.Random(7)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "listing")
        other = orgs.get_or_create_org(conn, "someone-else")
        engine = default_engine(conn, org.id, "pseudo")
        other_engine = default_engine(conn, other.id, "pseudo")
        rows = []
        for g in range(120):
            owner, eng = (other.id, other_engine.id) if g % 10 == 0 else (org.id, engine.id)
            conn.execute(
                insert(job_groups).values(
                    id=f"ljg_{g:016d}",
                    org_id=owner,
                    engine_id=eng,
                    source_locale="en",
                    target_locales=["de", "fr"],
                    request_hash="x",
                    created_at=t0,
                )
            )
            # Groups share timestamps three by three: ties must be broken by id.
            created = t0 + timedelta(milliseconds=10 * (g // 3))
            for locale in ("de", "fr"):
                rows.append(
                    {
                        "id": f"ljb_{rng.getrandbits(60):016x}",
                        "group_id": f"ljg_{g:016d}",
                        "org_id": owner,
                        "engine_id": eng,
                        "target_locale": locale,
                        "status": rng.choice(STATUSES),
                        "units_total": 0,
                        "units_done": 0,
                        "attempts": 0,
                        "created_at": created,
                    }
                )
        conn.execute(insert(jobs), rows)

    def walk(statuses: list[str] | None, limit: int) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            with db.read() as conn:
                items, cursor = queries.list_jobs(
                    conn, org.id, statuses=statuses, limit=limit, cursor=cursor
                )
            seen += [item.id for item in items]
            assert len(items) <= limit
            if cursor is None:
                return seen

    mine = [r for r in rows if r["org_id"] == org.id]
    for statuses in (
        None,
        ["completed"],
        ["queued", "created"],
        ["failed", "cancelled", "translating"],
        ["queued", "queued", "failed"],
    ):
        expected = sorted(
            (r for r in mine if statuses is None or r["status"] in statuses),
            key=lambda r: (r["created_at"], r["id"]),
            reverse=True,
        )
        for limit in (1, 7, 100):
            assert walk(statuses, limit) == [r["id"] for r in expected], (statuses, limit)
