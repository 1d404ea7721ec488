"""Engine-bound throughput with 1 and 2 `dragoman worker` processes (Apertium en -> es) on
PostgreSQL and a Redis of our own, behind `dragoman serve --no-worker`.

Run: .venv/bin/python bench/bench_scale_workers.py [--jobs 48] [--strings 250]
Target (issue 4): at least 1.7x the 1-process throughput with 2 processes on a 2-core machine.
Throughput is strings translated per second between the first claim and the last completion
of the measured jobs (process start-up and the warm-up jobs are not counted); CPU use of the
whole machine over the same span is shown beside it, to say what limits the figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale_support import (
    env_for,
    fresh_postgres,
    machine,
    new_key,
    own_redis,
    serve,
    workers,
)
from catalogue import load

from dragoman.store.db import Database
from dragoman.store.tables import jobs


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_by_command() -> dict[str, int]:
    """CPU jiffies used so far by each kind of process alive now (Apertium stages by name)."""
    used: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        if "dragoman worker" in cmdline:
            name = "dragoman worker (Python)"
        elif "dragoman serve" in cmdline:
            name = "dragoman serve (Python)"
        elif name.startswith("postgres"):
            name = "postgres"
        used[name] = used.get(name, 0) + int(fields[11]) + int(fields[12])
    return used


def wait_all(db: Database, count: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as conn:
            done = conn.execute(
                select(func.count()).where(jobs.c.status.in_(["completed", "failed"]))
            ).scalar_one()
        if done >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{done} of {count} jobs final")
        time.sleep(0.1)


def run(processes: int, args: argparse.Namespace, strings: list[tuple[str, str]]) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-scale-workers-{processes}-"))
    with fresh_postgres() as url, own_redis() as broker:
        env = env_for(
            url, workdir, DRAGOMAN_BROKER_URL=broker, DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium"
        )
        key = new_key(env)
        db = Database(url)
        try:
            with (
                serve(env, workdir / "serve.log", "--no-worker") as base,
                workers(env, processes, workdir, "--concurrency", str(args.concurrency)),
                httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client,
            ):

                def submit(job: int, size: int) -> None:
                    part = strings[(job * size) % len(strings) :][:size]
                    body = {"sourceLocale": "en", "targetLocales": ["es"], "data": dict(part)}
                    client.post("/jobs/localization", json=body).raise_for_status()

                warm = 4 * processes  # every process starts its Apertium pipeline
                for job in range(warm):
                    submit(job, 20)
                wait_all(db, warm)
                with db.read() as conn:
                    measured_after = conn.execute(select(func.max(jobs.c.created_at))).scalar_one()
                busy0, total0 = cpu_ticks()
                by_command0 = cpu_by_command()
                wall = time.perf_counter()
                for job in range(args.jobs):
                    submit(job, args.strings)
                wait_all(db, warm + args.jobs)
                wall = time.perf_counter() - wall
                busy1, total1 = cpu_ticks()
                by_command = {k: v - by_command0.get(k, 0) for k, v in cpu_by_command().items()}
                with db.read() as conn:
                    first, last, failed = conn.execute(
                        select(
                            func.min(jobs.c.started_at),
                            func.max(jobs.c.completed_at),
                            func.count().filter(jobs.c.status == "failed"),
                        ).where(jobs.c.created_at > measured_after)
                    ).one()
        finally:
            db.dispose()
    span = (last - first).total_seconds()
    return {
        "strings_per_s": args.jobs * args.strings / span,
        "span_s": span,
        "wall_s": wall,
        "cpu_busy": (busy1 - busy0) / max(1, total1 - total0),
        "failed": failed,
        "top": sorted(by_command.items(), key=lambda kv: -kv[1])[:8],
        "ticks": busy1 - busy0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=48)
    parser.add_argument("--strings", type=int, default=250, help="strings per job")
    parser.add_argument("--concurrency", type=int, default=2, help="threads per worker process")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    strings = sorted(load().items())
    print(
        f"{args.jobs} jobs x {args.strings} strings (Wagtail catalogue), en -> es, "
        f"--concurrency {args.concurrency}"
    )
    results = {n: run(n, args, strings) for n in (1, 2)}
    for n, r in results.items():
        print(
            f"{n} worker process(es): {r['strings_per_s']:8.0f} strings/s "
            f"({r['span_s']:.1f}s claim-to-completion, {r['wall_s']:.1f}s wall, "
            f"CPU {r['cpu_busy']:.0%} of {os.cpu_count()} cores, {r['failed']} failed)"
        )
        shares = ", ".join(f"{k} {v / max(1, r['ticks']):.0%}" for k, v in r["top"])
        print(f"    CPU by process: {shares}")
    ratio = results[2]["strings_per_s"] / results[1]["strings_per_s"]
    print(f"\n2 processes / 1 process: {ratio:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
