"""Ingest: `POST /jobs/localization` (3 target locales) at 64 concurrent connections, against
a bare endpoint of the same framework (FastAPI + uvicorn, same body model) in the same run.

Needs `wrk` (apt-get install wrk). Run: .venv/bin/python bench/bench_ingest.py [--seconds 10]
Targets (issue 2): at least 0.25x the bare endpoint's throughput, p99 at most 50 ms.
The server runs with --no-worker so that only the accept path is measured on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, start_server

BODY = {
    "sourceLocale": "en",
    "targetLocales": ["es", "ca", "gl"],
    "data": {"title": "Introduction to Machine Learning", "steps": [{"body": "Saved %d files."}]},
}


def wrk(url: str, key: str, seconds: int, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(BODY))}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["X-API-Key"] = "{key}"\n'
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def latency(pct: str) -> float:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        return float(match.group(1)) * units[match.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": latency("50"), "p99": latency("99")}


def bare(seconds: int, connections: int) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=Path(__file__).parent,
    )
    try:
        url = f"http://127.0.0.1:{port}/jobs/localization"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(url, json=BODY, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return wrk(url, "none", seconds, connections)
    finally:
        proc.terminate()
        proc.wait(10)


def dragoman(seconds: int, connections: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(
            Path(tmp) / "data", "--no-worker", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo"
        )
        try:
            url = f"{server.base}/jobs/localization"
            assert httpx.post(url, json=BODY, headers={"X-API-Key": key}).status_code == 202
            return wrk(url, key, seconds, connections)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    bare_runs, our_runs = [], []
    for _ in range(args.rounds):  # alternate, so that machine noise falls on both alike
        bare_runs.append(bare(args.seconds, args.connections))
        our_runs.append(dragoman(args.seconds, args.connections))
    base = {k: statistics.median(r[k] for r in bare_runs) for k in ("rps", "p50", "p99")}
    ours = {k: statistics.median(r[k] for r in our_runs) for k in ("rps", "p50", "p99")}
    ratio = ours["rps"] / base["rps"]
    print(
        f"{args.connections} connections, {args.seconds} s per round, {args.rounds} alternating "
        f"rounds (medians), wrk -t1"
    )
    print(
        "per round, req/s: bare "
        + ", ".join(f"{r['rps']:.0f}" for r in bare_runs)
        + "; dragoman "
        + ", ".join(f"{r['rps']:.0f}" for r in our_runs)
    )
    for name, r in (("bare FastAPI endpoint", base), ("dragoman POST (SQLite)", ours)):
        print(f"{name:24} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms")
    print(
        f"throughput ratio {ratio:.2f}x (target >= 0.25x: {'PASS' if ratio >= 0.25 else 'FAIL'}); "
        f"p99 {ours['p99']:.1f} ms (target <= 50 ms: {'PASS' if ours['p99'] <= 50 else 'FAIL'}; "
        f"the bare endpoint's own p99 here: {base['p99']:.1f} ms)"
    )


if __name__ == "__main__":
    main()
