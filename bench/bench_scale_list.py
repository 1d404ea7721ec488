"""List and get latency through the real HTTP API with 10 thousand and 1 million jobs in
PostgreSQL (one organization holds them all: the worst case for its listings).

Run: .venv/bin/python bench/bench_scale_list.py [--large 1000000] [--requests 200]
Target (issue 4): at most 1.5x slower at 1 million than at 10 thousand, for every request.
Rows are bulk-inserted with generate_series in a fresh database (dropped afterwards); the
server is `dragoman serve --no-worker`; requests are sequential on one keep-alive connection.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale_support import env_for, fresh_postgres, machine, serve

from dragoman.core import orgs, queries
from dragoman.core.engine_records import default_engine
from dragoman.store import migrate
from dragoman.store.db import Database
from dragoman.timefmt import iso_ms, utcnow
from dragoman.worker.sweeper import due_jobs

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# Two jobs per group; 1% failed, 0.1% queued, the rest completed; 20 ms between groups.
GROUPS_SQL = """
INSERT INTO job_groups (id, org_id, engine_id, source_locale, target_locales, content,
                        request_hash, created_at)
SELECT 'ljg_' || substr(md5(g::text), 1, 16), CAST(:org AS text), CAST(:engine AS text),
       'en', '["de", "fr"]',
       '{"title": "Hello"}', md5(g::text), CAST(:t0 AS timestamptz) + g * interval '20 milliseconds'
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
"""
JOBS_SQL = """
INSERT INTO jobs (id, group_id, org_id, engine_id, target_locale, status, output,
                  units_total, units_done, attempts, created_at, started_at, completed_at,
                  dispatched_at)
SELECT 'ljb_' || substr(md5('j' || j::text), 1, 16), 'ljg_' || substr(md5((j / 2)::text), 1, 16),
       CAST(:org AS text), CAST(:engine AS text), CASE j % 2 WHEN 0 THEN 'de' ELSE 'fr' END,
       CASE WHEN j % 1000 = 7 THEN 'queued' WHEN j % 100 = 3 THEN 'failed' ELSE 'completed' END,
       CASE WHEN j % 1000 = 7 OR j % 100 = 3 THEN NULL ELSE '{"title": "Hallo"}' END,
       1, 1, 1, CAST(:t0 AS timestamptz) + (j / 2) * interval '20 milliseconds',
       CAST(:t0 AS timestamptz) + (j / 2) * interval '20 milliseconds',
       CAST(:t0 AS timestamptz) + (j / 2) * interval '20 milliseconds',
       CAST(:t0 AS timestamptz) + (j / 2) * interval '20 milliseconds'
FROM generate_series(CAST(:first AS bigint) * 2, CAST(:last AS bigint) * 2 + 1) AS j
"""


def populate(db: Database, org: str, engine: str, first_group: int, last_group: int) -> float:
    started = time.perf_counter()
    params = {"org": org, "engine": engine, "t0": T0, "first": first_group, "last": last_group}
    with db.write() as conn:
        conn.execute(text(GROUPS_SQL), params)
        conn.execute(text(JOBS_SQL), params)
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def cursor_at(db: Database, offset: int) -> str:
    with db.read() as conn:
        row = conn.execute(
            text(
                "SELECT created_at, id FROM jobs ORDER BY created_at DESC, id DESC "
                "OFFSET :offset LIMIT 1"
            ),
            {"offset": offset},
        ).one()
    raw = json.dumps({"t": iso_ms(row.created_at), "i": row.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def sample(db: Database, table: str, count: int) -> list[str]:
    with db.read() as conn:
        return [
            r.id
            for r in conn.execute(
                text(f"SELECT id FROM {table} TABLESAMPLE SYSTEM (10) LIMIT :n"), {"n": count * 20}
            )
        ]


class Target:
    """One database and the server in front of it, with the ids its requests use."""

    def __init__(self, db: Database, size: int, base: str, key: str, requests: int) -> None:
        rng = random.Random(size)
        self.size = size
        self.client = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)
        self.job_ids = rng.sample(sample(db, "jobs", requests), requests)
        self.group_ids = rng.sample(sample(db, "job_groups", requests), requests)
        self.deep = cursor_at(db, size // 2)
        self.times: dict[str, list[float]] = {}

    def request(self, name: str, i: int, record: bool = True) -> None:
        path, params = {
            "list first page": ("/jobs/localization", {"limit": 20}),
            "list page at the middle": ("/jobs/localization", {"limit": 20, "cursor": self.deep}),
            "list status=failed": ("/jobs/localization", {"status": "failed"}),
            "list status=queued": ("/jobs/localization", {"status": "queued"}),
            "list status=processing (none)": ("/jobs/localization", {"status": "processing"}),
            "get job": (f"/jobs/localization/{self.job_ids[i]}", {}),
            "get group": (f"/jobs/localization/groups/{self.group_ids[i]}", {}),
        }[name]
        start = time.perf_counter()
        self.client.get(path, params=params).raise_for_status()
        if record:
            self.times.setdefault(name, []).append((time.perf_counter() - start) * 1000)


SCENARIOS = [
    "list first page",
    "list page at the middle",
    "list status=failed",
    "list status=queued",
    "list status=processing (none)",
    "get job",
    "get group",
]


def measure(targets: list[Target], requests: int) -> None:
    """Requests alternate between the sizes, so that noise from other work on the machine
    falls on both alike."""
    for name in SCENARIOS:
        for i in range(20):  # warm up: connections, plans, caches
            for target in targets:
                target.request(name, i, record=False)
        for i in range(requests):
            for target in targets if i % 2 else reversed(targets):
                target.request(name, i)


def load(url: str, size: int) -> tuple[Database, str, str]:
    """A migrated database at `url` holding `size` jobs of one organization."""
    db = Database(url)
    migrate.upgrade(db)
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "bench")
        key = orgs.create_key(conn, org.id)
        engine = default_engine(conn, org.id, "pseudo")
    took = populate(db, org.id, engine.id, 0, size // 2 - 1)
    print(f"{size:>9,} jobs loaded ({took:.1f}s)")
    return db, org.id, key


def sql_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + str(value).replace("'", "''") + "'"
    return repr(value)


def explain(db: Database, org: str, cursor: str) -> None:
    """The plans of the listing queries at the large size, for the record."""

    class Explaining:
        def __init__(self, conn: Any) -> None:
            self.conn = conn

        def execute(self, statement: Any) -> Any:
            compiled = statement.compile(
                dialect=self.conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            sql = compiled.string % {k: sql_literal(v) for k, v in compiled.params.items()}
            plan = self.conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}").all()
            print("\n".join("    " + r[0] for r in plan if "Planning" not in r[0]))
            return self.conn.execute(statement)

    for label, kwargs in [
        ("middle page", {"cursor": cursor}),
        ("status=failed", {"statuses": ["failed", "cancelled"]}),
        ("status=queued", {"statuses": ["created", "analyzing", "quoted", "queued"]}),
    ]:
        print(f"  EXPLAIN list {label}:")
        with db.read() as conn:
            queries.list_jobs(Explaining(conn), org, limit=20, **kwargs)  # type: ignore[arg-type]
    print("  EXPLAIN sweeper (queued jobs untouched for 60 s, expired leases):")
    with db.read() as conn:
        Explaining(conn).execute(due_jobs(utcnow(), 60.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-list-"))
    sizes = (args.small, args.large)
    with ExitStack() as stack:
        targets: list[Target] = []
        for size in sizes:
            url = stack.enter_context(fresh_postgres())
            db, org, key = load(url, size)
            stack.callback(db.dispose)
            base = stack.enter_context(
                serve(env_for(url, workdir), workdir / f"serve-{size}.log", "--no-worker")
            )
            targets.append(Target(db, size, base, key, args.requests))
            stack.callback(targets[-1].client.close)
        measure(targets, args.requests)
        explain(db, org, targets[-1].deep)
    small, large = targets
    print(f"\n{'request (median ms / p95)':<32}{args.small:>13,}{args.large:>13,}{'ratio':>8}")
    worst = 0.0
    for name in SCENARIOS:
        a, b = statistics.median(small.times[name]), statistics.median(large.times[name])
        worst = max(worst, b / a)
        print(
            f"{name:<32}{a:>7.2f} / {p95(small.times[name]):<4.1f}"
            f"{b:>7.2f} / {p95(large.times[name]):<4.1f}{b / a:>6.2f}x"
        )
    print(f"\nworst median ratio {worst:.2f}x (target <= 1.5x)")


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


if __name__ == "__main__":
    main()
