"""Translation memory inside real jobs (issue 12): a `dragoman serve` with Apertium en -> es and
a 1,300-string catalogue (Wagtail's English strings as one JSON object, bench/catalogue.py).

1. All units 100% matches: the organization's TM holds every source. Target: the engine is
   never started (no Apertium process under the server, before or after) and each job
   completes <= 0.3 s after submission (client clock: POST sent -> completed seen, polling
   every 2 ms; the server's completedAt - createdAt is printed too).
2. A TM of 100,000 entries for the pair (bench_tm's generated sentences, none matching the
   catalogue) against an organization whose TM is empty, the same catalogue through Apertium,
   alternated in one run. Target: the TM adds <= 15% to the job's time (median of --runs).

    .venv/bin/python bench/bench_tm_jobs.py [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalogue
from bench_tm import OUT, generate
from common import median, start_server, wait_job

from dragoman.core import orgs
from dragoman.core.assets import tm_io
from dragoman.core.assets.tm import Segment, TranslationMemory, new_entry, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin
from dragoman.settings import Settings
from dragoman.store.db import Database
from dragoman.timefmt import parse_iso

PAIR = parse_pair("en-es")
ENGINE_PROGRAMS = ("apertium", "lt-", "cg-", "lrx-", "hfst-", "vislcg3")


def engine_processes(pid: int) -> list[str]:
    """Names of Apertium's programs running under the server process."""
    children = psutil.Process(pid).children(recursive=True)
    return [p.name() for p in children if p.name().startswith(ENGINE_PROGRAMS)]


def run_job(client: httpx.Client, data: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    """(client seconds, server seconds, job view) of one job of `data`, en -> es."""
    started = time.perf_counter()
    response = client.post(
        "/jobs/localization", json={"sourceLocale": "en", "targetLocales": ["es"], "data": data}
    )
    response.raise_for_status()
    job = wait_job(client, response.json()["jobs"][0]["id"], poll=0.002)
    wall = time.perf_counter() - started
    assert job["status"] == "completed", job
    server = (parse_iso(str(job["completedAt"])) - parse_iso(str(job["createdAt"]))).total_seconds()
    return wall, server, job


def new_org(db: Database, name: str) -> tuple[str, str]:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, name)
        return org.id, orgs.create_key(conn, org.id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = catalogue.load(1300)
    small = OUT / "tm_100000.tmx"
    generate(small, 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        server, _ = start_server(data_dir, DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        db = Database(Settings(data_dir=data_dir).resolved_database_url())
        tm = TranslationMemory(for_database(db))
        try:
            assert server.proc is not None
            pid = server.proc.pid
            full_org, full_key = new_org(db, "all-matches")
            tm.add(full_org, PAIR, [new_entry(s, f"ES {s}", origin=Origin.HUMAN)
                                    for s in data.values()])  # fmt: skip
            print(
                f"catalogue: {len(data)} strings; Apertium programs before: {engine_processes(pid)}"
            )
            walls, servers = [], []
            with httpx.Client(base_url=server.base, headers={"X-API-Key": full_key}) as c:
                for _ in range(args.runs):
                    wall, served, job = run_job(c, data)
                    walls.append(wall)
                    servers.append(served)
                from_tm = job["tm"]["unitsFromTm"]
            left = engine_processes(pid)
            ok = max(walls) <= 0.3 and not left
            print(
                f"1. all 100% matches ({from_tm} units from the TM): client median "
                f"{median(walls):.3f} s, max {max(walls):.3f} s; server median "
                f"{median(servers):.3f} s; Apertium programs after: {left} "
                f"(<= 0.3 s, engine never started: {'PASS' if ok else 'FAIL'})"
            )

            _, plain_key = new_org(db, "no-tm")
            big_org, big_key = new_org(db, "tm-100k")
            started = time.perf_counter()
            added = sum(tm_io.import_tmx(tm, big_org, str(small), pair=PAIR).values())
            print(f"   TM of {added:,} entries imported in {time.perf_counter() - started:.1f} s")
            segments = [Segment(s, key=k) for k, s in data.items()]
            started = time.perf_counter()
            found = tm.lookup(big_org, PAIR, segments, fuzzy_floor=100, touch=False)
            lookup_s = time.perf_counter() - started
            hits = sum(m is not None for m in found)
            print(f"   a job's exact look-up of {len(segments)} units against it, in process: "
                  f"{lookup_s * 1000:.0f} ms ({hits} matches)")  # fmt: skip
            times: dict[str, list[float]] = {"no-tm": [], "tm-100k": []}
            with (
                httpx.Client(base_url=server.base, headers={"X-API-Key": plain_key}) as plain,
                httpx.Client(base_url=server.base, headers={"X-API-Key": big_key}) as big,
            ):
                run_job(plain, data)  # warm: Apertium's pipelines start here
                run_job(big, data)
                for _ in range(args.runs):
                    times["no-tm"].append(run_job(plain, data)[0])
                    times["tm-100k"].append(run_job(big, data)[0])
            base, with_tm = median(times["no-tm"]), median(times["tm-100k"])
            extra = with_tm / base - 1
            print(
                f"2. job of {len(data)} strings through Apertium, median of {args.runs}: "
                f"empty TM {base:.3f} s, TM of 100,000 entries {with_tm:.3f} s: "
                f"{extra * 100:+.1f}% (<= +15%: {'PASS' if extra <= 0.15 else 'FAIL'})"
            )
            print(f"   runs no-tm: {[round(t, 3) for t in times['no-tm']]}")
            print(f"   runs tm-100k: {[round(t, 3) for t in times['tm-100k']]}")
        finally:
            db.dispose()
            server.stop()


if __name__ == "__main__":
    main()
