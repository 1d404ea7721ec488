"""Throughput against the engine's limit: one job of a real catalogue en -> es, POST to
completed, against the raw `apertium` command streaming the same strings in one process, and
against Apertium's own HTTP server (apertium-apy) fed one string per request.

Run: .venv/bin/python bench/bench_throughput.py [--runs 3] [--apy-sample 400]
Target (issue 2): server job at most 1.3x the raw pipeline.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalogue
from common import free_port, median, start_server, wait_job


def raw_apertium(lines: list[str], runs: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
        path = handle.name
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with open(path, encoding="utf-8") as source:
            subprocess.run(
                ["apertium", "-u", "eng-spa"], stdin=source, stdout=subprocess.DEVNULL, check=True
            )
        times.append(time.perf_counter() - start)
    Path(path).unlink()
    return median(times)


def server_job(data: dict[str, str], runs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(Path(tmp) / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        try:
            with httpx.Client(
                base_url=server.base, headers={"X-API-Key": key}, timeout=60
            ) as client:
                times = []
                for _ in range(runs + 1):
                    start = time.perf_counter()
                    created = client.post(
                        "/jobs/localization",
                        json={"sourceLocale": "en", "targetLocales": ["es"], "data": data},
                    ).json()
                    job = wait_job(client, created["jobs"][0]["id"], poll=0.005)
                    times.append(time.perf_counter() - start)
                    assert job["status"] == "completed", job
            return times[0], median(times[1:])
        finally:
            server.stop()


def apy(lines: list[str]) -> float | None:
    """Seconds for `lines` through apertium-apy, one GET /translate per string."""
    if shutil.which("apertium-apy") is None:
        return None
    port = free_port()
    proc = subprocess.Popen(
        ["apertium-apy", "-p", str(port), "/usr/share/apertium/modes"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (
                        client.get(
                            "/translate", params={"langpair": "eng|spa", "q": "warm"}
                        ).status_code
                        == 200
                    ):
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.2)
            start = time.perf_counter()
            for line in lines:
                client.get(
                    "/translate", params={"langpair": "eng|spa", "q": line, "markUnknown": "no"}
                )
            return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--apy-sample",
        type=int,
        default=400,
        help="strings sent to apertium-apy (its time is scaled to the catalogue)",
    )
    args = parser.parse_args()
    data = catalogue.load()
    lines = [" ".join(text.split()) for text in data.values()]
    words = sum(len(line.split()) for line in lines)
    print(f"catalogue: Wagtail en gettext catalogues, {len(lines)} strings, {words} words")
    raw = raw_apertium(lines, args.runs)
    cold, warm = server_job(data, args.runs)
    rate = len(lines) / raw
    print(f"raw `apertium -u eng-spa`, one process:   {raw:7.3f} s  ({rate:6.0f} strings/s)")
    print(f"dragoman job, cold engine (first job):   {cold:7.3f} s  ratio {cold / raw:5.2f}x")
    print(
        f"dragoman job, warm engine (median of {args.runs}): {warm:7.3f} s  "
        f"ratio {warm / raw:5.2f}x  target <= 1.30x: {'PASS' if warm / raw <= 1.3 else 'FAIL'}"
    )
    sample = lines[: args.apy_sample]
    apy_time = apy(sample)
    if apy_time is None:
        print("apertium-apy: not installed (apt-get install apertium-apy) - skipped")
    else:
        scaled = apy_time * len(lines) / len(sample)
        print(
            f"apertium-apy, one string per request:    {scaled:7.3f} s  ratio {scaled / raw:5.2f}x "
            f"(measured {apy_time:.2f} s on {len(sample)} strings, scaled)"
        )


if __name__ == "__main__":
    main()
