"""Webhook benchmark: completion-to-webhook latency (p50, p99) for 1,000 jobs delivered to an
HTTPS receiver on 127.0.0.1, and translation throughput with a healthy receiver versus one
that hangs for the whole per-attempt timeout.

    .venv/bin/python bench/bench_webhooks.py [--jobs 1000] [--throughput-jobs 400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.apptools import running_api  # noqa: E402
from tests.webhook_receiver import Reply, https_receiver  # noqa: E402

from dragoman.settings import Settings  # noqa: E402
from dragoman.store import migrate  # noqa: E402
from dragoman.store.db import Database  # noqa: E402
from dragoman.store.tables import jobs  # noqa: E402

LOCALES = ["de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl"]


def settings_for(tmp: Path, ca: Path, timeout: float) -> Settings:
    url = f"sqlite:///{tmp / 'bench.db'}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    return Settings(
        data_dir=tmp, database_url=url, default_engine_provider="pseudo",
        webhook_allow_networks=("127.0.0.0/8",), webhook_ca_bundle=ca,
        webhook_timeout_seconds=timeout, webhook_retry_schedule=(3600,),
        sweep_interval_seconds=1.0,
    )  # fmt: skip


def data(strings: int) -> dict[str, Any]:
    return {f"k{i}": f"Sentence number {i} says hello to {{name}} and the world." for i in
            range(strings)}  # fmt: skip


def submit_all(api: Any, key: str, groups: int, url: str, strings: int) -> list[str]:
    ids: list[str] = []
    for _ in range(groups):
        body = {"sourceLocale": "en", "targetLocales": LOCALES, "data": data(strings),
                "callbackUrl": url}  # fmt: skip
        response = api.post(key, body)
        response.raise_for_status()
        ids += [j["id"] for j in response.json()["jobs"]]
    return ids


def wait_final(api: Any, expected: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with api.services.db.read() as conn:
            done = conn.execute(select(func.count()).select_from(jobs).where(
                jobs.c.status.in_(["completed", "failed"]))).scalar()  # fmt: skip
        if done >= expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{done}/{expected} jobs final")
        time.sleep(0.05)


def latency(job_count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp_name, https_receiver(Path(tmp_name)) as receiver:
        tmp = Path(tmp_name)
        settings = settings_for(tmp, receiver.ca_path, 15.0)
        with running_api(settings) as api:
            key = api.new_key("bench")
            ids = submit_all(api, key, job_count // len(LOCALES), receiver.url("/hook"), 20)
            got = receiver.wait("/hook", len(ids) + len(ids) // len(LOCALES), timeout=600)
            with api.services.db.read() as conn:
                completed = {r.id: r.completed_at.timestamp() for r in conn.execute(
                    select(jobs.c.id, jobs.c.completed_at).where(jobs.c.id.in_(ids)))}  # fmt: skip
        # The receiver stamps arrival with time.monotonic(); convert to wall time.
        offset = time.time() - time.monotonic()
        delays = []
        for record in got:
            body = json.loads(record.body)
            if body["type"].startswith("job."):
                delays.append((record.at + offset - completed[body["data"]["id"]]) * 1000)
    delays.sort()
    return {"deliveries": len(delays), "p50_ms": statistics.median(delays),
            "p99_ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))],
            "max_ms": delays[-1]}  # fmt: skip


def throughput(job_count: int, hang: bool, timeout: float) -> float:
    with tempfile.TemporaryDirectory() as tmp_name, https_receiver(Path(tmp_name)) as receiver:
        if hang:
            receiver.script["/hook"] = [Reply(200, delay=timeout + 1)]
        settings = settings_for(Path(tmp_name), receiver.ca_path, timeout)
        with running_api(settings) as api:
            key = api.new_key("bench")
            start = time.monotonic()
            submit_all(api, key, job_count // len(LOCALES), receiver.url("/hook"), 200)
            wait_final(api, job_count)
            elapsed = time.monotonic() - start
        return job_count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--throughput-jobs", type=int, default=400)
    parser.add_argument("--hang-timeout", type=float, default=5.0)
    args = parser.parse_args()
    lat = latency(args.jobs)
    print(f"latency over {lat['deliveries']} job webhooks: p50 {lat['p50_ms']:.1f} ms, "
          f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms")  # fmt: skip
    throughput(args.throughput_jobs // 4, False, args.hang_timeout)  # warm-up, not counted
    runs: dict[bool, list[float]] = {False: [], True: []}
    for hang in (False, True, False, True):  # interleaved, so drift hits both alike
        runs[hang].append(throughput(args.throughput_jobs, hang, args.hang_timeout))
    healthy, hanging = statistics.mean(runs[False]), statistics.mean(runs[True])
    print(f"throughput, healthy receiver: {healthy:.1f} jobs/s")
    print(f"throughput, receiver hanging {args.hang_timeout:g}s per attempt: {hanging:.1f} jobs/s"
          f" (ratio {hanging / healthy:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
