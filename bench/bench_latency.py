"""Latency: a warm one-key job en -> es, from POST to completed (seen by polling GET every 2 ms).

Baseline in the same run: the same string through a one-shot `apertium -u eng-spa` process,
which is what a script without a server pays per request.
Run: .venv/bin/python bench/bench_latency.py [--jobs 200]. Target (issue 2): p50 <= 100 ms.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, percentile, start_server, wait_job

TEXT = "Your changes have been saved."


def one_shot_apertium(runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["apertium", "-u", "eng-spa"], input=TEXT.encode(), capture_output=True, check=True
        )
        times.append(time.perf_counter() - start)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(Path(tmp) / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        try:
            with httpx.Client(
                base_url=server.base, headers={"X-API-Key": key}, timeout=30
            ) as client:
                body = {"sourceLocale": "en", "targetLocales": ["es"], "data": {"saved": TEXT}}
                times = []
                for index in range(args.jobs + 10):
                    start = time.perf_counter()
                    created = client.post("/jobs/localization", json=body).json()
                    job = wait_job(client, created["jobs"][0]["id"])
                    elapsed = time.perf_counter() - start
                    assert job["status"] == "completed", job
                    if index >= 10:  # the first jobs warm the pipeline and the connection pool
                        times.append(elapsed * 1000)
        finally:
            server.stop()
    baseline = one_shot_apertium(20) * 1000
    p50, p99 = median(times), percentile(times, 99)
    print(f"{args.jobs} sequential one-key jobs en -> es, POST to completed (polling every 2 ms)")
    print(
        f"dragoman: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  (target p50 <= 100 ms: "
        f"{'PASS' if p50 <= 100 else 'FAIL'})"
    )
    print(
        f"baseline one-shot `apertium -u eng-spa` process: {baseline:6.1f} ms; "
        f"ratio p50/baseline {p50 / baseline:.2f}x"
    )
    print(f"output: {job['outputData']}")


if __name__ == "__main__":
    main()
