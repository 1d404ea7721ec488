"""What the scale-out benchmarks share: a fresh PostgreSQL database, a Redis of their own,
`dragoman serve` / `dragoman worker` processes, an API key."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.acceptance.serverproc import ServerProcess, cli  # noqa: E402
from tests.processes import RedisServer  # noqa: E402
from tests.services import PG_URL  # noqa: E402


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server; dropped afterwards."""
    admin = create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"dragoman_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def own_redis() -> Iterator[str]:
    """A `redis-server` of our own on a free port (never the machine's shared one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def env_for(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DRAGOMAN_DATA_DIR": str(workdir),
        "DRAGOMAN_DATABASE_URL": database_url,
        # Every process of a benchmark runs on this one machine: the blob path is shared.
        "DRAGOMAN_BLOB_PATH_SHARED": "true",
    }
    env.pop("DRAGOMAN_BROKER_URL", None)
    env.update(extra)
    return env


def new_key(env: dict[str, str], org: str = "bench") -> str:
    made = cli(env, "keys", "create", "--org", org, timeout=120)
    if made.returncode != 0:
        raise RuntimeError(made.stderr)
    return made.stdout.strip().splitlines()[-1]


@contextmanager
def serve(env: dict[str, str], log: Path, *args: str) -> Iterator[str]:
    """`dragoman serve ARGS` on a free port; yields its base URL once /readyz answers."""
    server = ServerProcess({k: v for k, v in env.items() if k != "DRAGOMAN_PORT"}, log)
    server.start("--log-level", "warning", *args)
    try:
        yield server.base
    finally:
        server.stop()


@contextmanager
def workers(env: dict[str, str], count: int, logdir: Path, *args: str) -> Iterator[None]:
    """`count` `dragoman worker ARGS` processes."""
    procs = []
    for index in range(count):
        with (logdir / f"worker{index}.log").open("ab") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dragoman", "worker", "--log-level", "warning", *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def machine() -> str:
    """CPU model and core count, for the report."""
    model = "unknown CPU"
    if shutil.which("lscpu"):
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    return f"{model}, {os.cpu_count()} cores"
