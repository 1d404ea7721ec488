"""Submission throughput (`POST /jobs/localization`, 3 target locales) against PostgreSQL with
2 API processes (`dragoman serve --no-worker --workers 2`) vs 1, dispatching to a Redis of
our own (the Dramatiq path; no worker consumes, so only the accept path is measured).

Needs `wrk` (apt-get install wrk). Run: .venv/bin/python bench/bench_scale_ingest.py [--seconds 10]
Issue 4 asks for the figure and the ratio; on 2 cores the load generator, PostgreSQL and Redis
share the CPUs with the API processes, which bounds what a second process can add.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import wrk
from bench_scale_support import env_for, fresh_postgres, machine, new_key, own_redis, serve


def run(processes: int, seconds: int, connections: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-scale-ingest-{processes}-"))
    with fresh_postgres() as url, own_redis() as broker:
        env = env_for(
            url, workdir, DRAGOMAN_BROKER_URL=broker, DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo"
        )
        key = new_key(env)
        args = ["--no-worker", "--workers", str(processes)] if processes > 1 else ["--no-worker"]
        with serve(env, workdir / "serve.log", *args) as base:
            target = f"{base}/jobs/localization"
            wrk(target, key, 2, connections)  # warm up every process
            return wrk(target, key, seconds, connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    results = {n: run(n, args.seconds, args.connections) for n in (1, 2)}
    for n, r in results.items():
        print(
            f"{n} API process(es): {r['rps']:7.0f} submissions/s "
            f"(p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {args.connections} connections)"
        )
    print(f"\n2 processes / 1 process: {results[2]['rps'] / results[1]['rps']:.2f}x")


if __name__ == "__main__":
    main()
