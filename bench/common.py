"""What the benchmarks share: a real `dragoman serve` process, an API key, timing helpers."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.acceptance.serverproc import ServerProcess, cli, server_env  # noqa: E402
from tests.apptools import free_port  # noqa: E402

__all__ = [
    "ROOT",
    "ServerProcess",
    "cli",
    "free_port",
    "median",
    "percentile",
    "server_env",
    "start_server",
    "wait_job",
]


def start_server(data_dir: Path, *args: str, **env: str) -> tuple[ServerProcess, str]:
    """A fresh `dragoman serve` with its own SQLite database, and an API key for it."""
    environment = server_env(data_dir, **env)
    made = cli(environment, "keys", "create", "--org", "bench")
    if made.returncode != 0:
        raise RuntimeError(made.stderr)
    key = made.stdout.strip().splitlines()[-1]
    log = data_dir.parent / f"{data_dir.name}.log"
    return ServerProcess(environment, log).start(*args), key


def wait_job(
    client: httpx.Client, job_id: str, poll: float = 0.002, timeout: float = 600
) -> dict[str, object]:
    """Poll one job until it is final."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, object] = client.get(f"/jobs/localization/{job_id}").json()
        if job["status"] in ("completed", "failed"):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(job_id)
        time.sleep(poll)


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
