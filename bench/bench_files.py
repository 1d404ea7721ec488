"""File jobs against the engine's limit, codec cost, and memory on a 20 MiB file.

1. A real ~1,300-entry catalogue as PO and as Rails YAML, en -> es, through the file API
   (upload to download), against raw `apertium -u eng-spa` on the same strings in one
   process, measured in the same run. Target: job <= 1.3x raw.
2. Parse + render of each file, in process, against the engine's time. Target: <= 10%.
3. A 20 MiB PO to 10 target locales with the identity engine, in the embedded layout (one
   `dragoman serve` that also runs the jobs) and in the scale-out one (`serve --no-worker`
   plus one `dragoman worker` on PostgreSQL and Redis): peak RSS sampled, target <= 512 MB
   for the worker; the source parsed once per process for its 10 jobs (counted from logs).

Run: .venv/bin/python bench/bench_files.py [--runs 3] [--skip-big]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import file_catalogue
from bench_throughput import raw_apertium
from common import median, start_server

from dragoman.content.formats import registry
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import target_forms

LOCALES_10 = ["es", "fr", "de", "it", "pt", "ca", "gl", "ru", "ja", "ar"]


def strings_of(units: list[Unit]) -> list[str]:
    """What the engine translates: every source form, one line each."""
    out: list[str] = []
    for unit in units:
        if not unit.translatable:
            continue
        forms = list(target_forms(unit.plural, "es").values()) if unit.plural else [unit.source]
        out.extend(" ".join(text.split()) for text in forms)
    return out


def codec_cost(name: str, data: bytes, runs: int) -> float:
    """Median seconds of parse + render (every unit given a target) for `data`."""
    codec = registry.get(name)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        extraction = codec.parse(data, source_locale="en", limits=Limits())
        units = [
            dataclasses.replace(
                u,
                target=None if u.plural else f"{u.source}!",
                target_plural=(
                    {c: f"{t}!" for c, t in target_forms(u.plural, "es").items()}
                    if u.plural
                    else None
                ),
            )
            for u in extraction.units
        ]
        codec.render(extraction.skeleton, units, target_locale="es")
        times.append(time.perf_counter() - start)
    return median(times[1:])


def file_job(
    client: httpx.Client, path: Path, targets: list[str], timeout: float = 600
) -> tuple[float, list[dict[str, object]]]:
    start = time.perf_counter()
    response = client.post(
        "/jobs/localization/files",
        files={"file": (path.name, path.read_bytes())},
        data={"sourceLocale": "en", "targetLocales": ",".join(targets)},
    )
    response.raise_for_status()
    group_id = response.json()["groupId"]
    deadline = time.monotonic() + timeout
    while True:
        group = client.get(f"/jobs/localization/groups/{group_id}").json()
        if all(j["status"] in ("completed", "failed") for j in group["jobs"]):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(group_id)
        time.sleep(0.005)
    for job in group["jobs"]:
        assert job["status"] == "completed", job
        client.get(f"/jobs/localization/{job['id']}/file").raise_for_status()
    return time.perf_counter() - start, group["jobs"]


def speed(runs: int) -> None:
    files = {"po": file_catalogue.merged_po(), "yaml": file_catalogue.rails_yaml()}
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(Path(tmp) / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        try:
            with httpx.Client(base_url=server.base, headers={"X-API-Key": key}, timeout=120) as c:
                for name, path in files.items():
                    data = path.read_bytes()
                    units = registry.get(name).parse(data, source_locale="en", limits=Limits())
                    lines = strings_of(units.units)
                    raw = raw_apertium(lines, runs)
                    file_job(c, path, ["es"])  # warm the engine
                    jobs = median([file_job(c, path, ["es"])[0] for _ in range(runs)])
                    cost = codec_cost(name, data, runs)
                    print(
                        f"{name:>4}: {len(units.units)} units, {len(lines)} strings, "
                        f"{len(data) / 1024:.0f} KiB"
                    )
                    print(f"      raw `apertium -u eng-spa`:   {raw:7.3f} s")
                    print(
                        f"      dragoman file job (median {runs}): {jobs:7.3f} s  ratio "
                        f"{jobs / raw:5.2f}x  target <= 1.30x: {_verdict(jobs / raw <= 1.3)}"
                    )
                    print(
                        f"      parse + render:              {cost * 1000:7.1f} ms = "
                        f"{cost / raw:6.1%} of the engine  target <= 10%: "
                        f"{_verdict(cost / raw <= 0.10)}"
                    )
        finally:
            server.stop()


def memory() -> None:
    path = file_catalogue.big_po()
    with tempfile.TemporaryDirectory() as tmp:
        server, key = start_server(
            Path(tmp) / "data",
            DRAGOMAN_DEFAULT_ENGINE_PROVIDER="identity",
            DRAGOMAN_MAX_FILE_UNITS="1000000",
        )
        try:
            assert server.proc is not None
            process = psutil.Process(server.proc.pid)
            base = process.memory_info().rss
            peak = [base, base]  # the server process (API + workers), and with its children
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(0.05):
                    try:
                        rss = process.memory_info().rss
                        children = sum(ch.memory_info().rss for ch in process.children(True))
                    except psutil.Error:
                        continue
                    peak[0] = max(peak[0], rss)
                    peak[1] = max(peak[1], rss + children)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with httpx.Client(base_url=server.base, headers={"X-API-Key": key}, timeout=600) as c:
                seconds, _jobs = file_job(c, path, LOCALES_10, timeout=1800)
            stop.set()
            sampler.join()
            parses = server.log.read_text().count("parsed the source of group")
            size = path.stat().st_size / (1024 * 1024)
            print(f"20 MiB: {size:.1f} MiB PO to {len(LOCALES_10)} locales in {seconds:.1f} s")
            print(
                f"      peak RSS of the server process (API and workers) {peak[0] / 2**20:.0f} MB "
                f"(idle {base / 2**20:.0f} MB)  target <= 512 MB: "
                f"{_verdict(peak[0] <= 512 * 2**20)}"
            )
            print(
                f"      peak RSS with its children (the upload check's parse, Apertium) "
                f"{peak[1] / 2**20:.0f} MB"
            )
            print(
                f"      source parsed {parses} time(s) by the workers for {len(LOCALES_10)} "
                f"jobs  target 1: {_verdict(parses == 1)}"
            )
        finally:
            server.stop()


def memory_worker() -> None:
    """The same 20 MiB job with the scale-out layout: `serve --no-worker` takes the upload,
    one `dragoman worker` (PostgreSQL, Redis) runs the 10 jobs; the worker's RSS is sampled."""
    import subprocess

    from bench_scale_support import env_for, fresh_postgres, new_key, own_redis, serve

    path = file_catalogue.big_po()
    workdir = Path(tempfile.mkdtemp(prefix="bench-files-worker-"))
    with fresh_postgres() as url, own_redis() as broker:
        env = env_for(
            url,
            workdir,
            DRAGOMAN_BROKER_URL=broker,
            DRAGOMAN_DEFAULT_ENGINE_PROVIDER="identity",
            DRAGOMAN_MAX_FILE_UNITS="1000000",
        )
        key = new_key(env)
        with serve(env, workdir / "serve.log", "--no-worker") as base:
            log = (workdir / "worker.log").open("ab")
            worker = subprocess.Popen(
                [sys.executable, "-m", "dragoman", "worker", "--log-level", "info"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                time.sleep(3)
                process = psutil.Process(worker.pid)
                base_rss = process.memory_info().rss
                peak = [base_rss]
                stop = threading.Event()

                def sample() -> None:
                    while not stop.wait(0.05):
                        try:
                            peak[0] = max(peak[0], process.memory_info().rss)
                        except psutil.Error:
                            continue

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=600) as c:
                    seconds, _jobs = file_job(c, path, LOCALES_10, timeout=1800)
                stop.set()
                sampler.join()
            finally:
                worker.terminate()
                worker.wait(30)
                log.close()
    parses = (workdir / "worker.log").read_text().count("parsed the source of group")
    print(f"20 MiB, scale-out: one `dragoman worker` ran the 10 jobs in {seconds:.1f} s")
    print(
        f"      peak worker RSS {peak[0] / 2**20:.0f} MB (idle {base_rss / 2**20:.0f} MB)  "
        f"target <= 512 MB: {_verdict(peak[0] <= 512 * 2**20)}"
    )
    print(f"      source parsed {parses} time(s) by the worker  target 1: {_verdict(parses == 1)}")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-big", action="store_true", help="skip the 20 MiB file")
    args = parser.parse_args()
    speed(args.runs)
    if not args.skip_big:
        memory()
        memory_worker()


if __name__ == "__main__":
    main()
