"""`kill -9` of the server mid-job, then a restart: every accepted job completes, once."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env

pytestmark = [pytest.mark.apertium, pytest.mark.slow]

WORDS = [
    "the",
    "house",
    "is",
    "big",
    "and",
    "the",
    "cat",
    "is",
    "black",
    "while",
    "the",
    "dog",
    "runs",
    "quickly",
    "to",
    "the",
    "green",
    "garden",
    "near",
    "our",
    "old",
    "school",
]


def catalogue(group: int, size: int) -> dict[str, str]:
    """Distinct sentences per group, so that each job's output is its own."""
    return {
        f"key_{i}": " ".join(
            WORDS[(group * 7 + i * 3 + k) % len(WORDS)] for k in range(9)
        ).capitalize()
        + f" {{name}} {group}-{i}."
        for i in range(size)
    }


def test_kill_9_mid_job_then_restart_loses_nothing(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    env = server_env(
        tmp_path / "data", DRAGOMAN_LEASE_SECONDS="2", DRAGOMAN_SWEEP_INTERVAL_SECONDS="0.5"
    )
    made = cli(env, "keys", "create", "--org", "restart")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    server = ServerProcess(env, tmp_path / "server.log").start()
    headers = {"X-API-Key": key}
    groups = []
    try:
        for g in range(10):
            body = {"sourceLocale": "en", "targetLocales": ["es", "ca"], "data": catalogue(g, 300)}
            response = httpx.post(f"{server.base}/jobs/localization", json=body, headers=headers)
            assert response.status_code == 202
            groups.append(response.json()["groupId"])
        deadline = time.monotonic() + 60
        while True:  # kill once some work is done and some is running
            states = [
                j["status"]
                for g in groups
                for j in httpx.get(
                    f"{server.base}/jobs/localization/groups/{g}", headers=headers
                ).json()["jobs"]
            ]
            if states.count("completed") >= 2 and "processing" in states:
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.05)
        server.kill()
        assert states.count("completed") < len(states)

        server.start()
        deadline = time.monotonic() + 120
        finals: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            finals = [
                httpx.get(f"{server.base}/jobs/localization/groups/{g}", headers=headers).json()
                for g in groups
            ]
            if all(f["status"] in ("completed", "partial", "failed") for f in finals):
                break
            time.sleep(0.2)
        assert [f["status"] for f in finals] == ["completed"] * len(groups)
        for g, final in enumerate(finals):
            for job in final["jobs"]:  # type: ignore[attr-defined]
                detail = httpx.get(
                    f"{server.base}/jobs/localization/{job['id']}", headers=headers
                ).json()
                out = detail["outputData"]
                assert list(out) == list(catalogue(g, 300))
                assert all("{name}" in v and f"{g}-" in v for v in out.values())
    finally:
        server.stop()
    db = sqlite3.connect(tmp_path / "data" / "dragoman.db")
    counts = db.execute(
        "SELECT job_id, COUNT(*) FROM events WHERE type = 'job.completed' GROUP BY job_id"
    ).fetchall()
    db.close()
    assert len(counts) == 20 and all(n == 1 for _, n in counts)
