"""Synchronous localize: a warm `POST /process/localize` of a 25-key object (the Lingo.dev SDK's
batch size) en -> es, 8 concurrent clients, latency percentiles.

Baseline in the same run: the same 25 strings through a one-shot `apertium -u eng-spa` process,
what a script without a server pays per batch.
Run: .venv/bin/python bench/bench_process.py [--requests 40]. Targets (issue 11): p50 <= 150 ms,
p99 <= 500 ms.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, percentile, start_server

CLIENTS = 8
KEYS = 25
STRINGS = [
    "Your changes have been saved.",
    "Hello {name}, you have {count} new messages.",
    "Delete this file?",
    "The page you requested could not be found.",
    "Sign in to continue",
    "{count, plural, one {# item in your cart} other {# items in your cart}}",
    "Forgot your password?",
    "Click <a href='/help'>here</a> for help.",
    "Settings",
    "Your session has expired. Please sign in again.",
    "Upload a new profile picture",
    "Search results for %{query}",
    "The house is big and the garden is green.",
]


def batch(index: int) -> dict[str, str]:
    """25 keys; the index makes each request's strings differ (nothing can be cached)."""
    return {f"key{k}": f"{STRINGS[k % len(STRINGS)]} ({index}.{k})" for k in range(KEYS)}


def one_shot_apertium(runs: int) -> float:
    text = "\n".join(batch(0).values()).encode()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["apertium", "-u", "eng-spa"], input=text, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return median(times)


def client_loop(base: str, key: str, first: int, count: int, out: list[float]) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        for index in range(first, first + count):
            body = {"sourceLocale": "en", "targetLocale": "es", "data": batch(index)}
            start = time.perf_counter()
            reply = client.post("/process/localize", json=body)
            elapsed = time.perf_counter() - start
            assert reply.status_code == 200, reply.text
            assert len(reply.json()["data"]) == KEYS
            out.append(elapsed * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(Path(tmp) / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        try:
            warm: list[float] = []
            client_loop(server.base, key, 10_000, 10, warm)  # pipeline, detector, connections
            times: list[float] = []
            threads = [
                threading.Thread(
                    target=client_loop, args=(server.base, key, c * 1000, args.requests, times)
                )
                for c in range(args.clients)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - start
        finally:
            server.stop()
    baseline = one_shot_apertium(10) * 1000
    p50, p99 = median(times), percentile(times, 99)
    ok = p50 <= 150 and p99 <= 500
    print(
        f"{args.clients} concurrent clients x {args.requests} requests, {KEYS}-key object "
        f"en -> es, warm; {len(times) / wall:.1f} requests/s"
    )
    print(
        f"dragoman /process/localize: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
        f"(targets p50 <= 150 ms, p99 <= 500 ms: {'PASS' if ok else 'FAIL'})"
    )
    print(
        f"baseline one-shot `apertium -u eng-spa` on the same 25 strings: {baseline:6.1f} ms; "
        f"ratio p50/baseline {p50 / baseline:.2f}x"
    )


if __name__ == "__main__":
    main()
