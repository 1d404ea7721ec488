"""A real S3 endpoint for tests: moto's standalone server as a subprocess on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.apptools import free_port

# moto accepts any credentials; these keep boto3 from looking for real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoS3Server:
    """`python -m moto.server` on a free port; `start()` waits until it answers."""

    def __init__(self, log: Path | None = None) -> None:
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Start the server, or raise RuntimeError when it does not answer in `timeout`."""
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        env = {**os.environ, **CREDENTIALS}
        if self.log is None:
            self.proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        else:
            with self.log.open("ab") as out:
                self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited with status {self.proc.returncode}")
            try:
                httpx.get(f"{self.endpoint}/moto-api/", timeout=1.0)
                return
            except httpx.TransportError:  # not listening yet
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.endpoint} in {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_or_skip(log: Path | None = None) -> MotoS3Server:
    """A started server; skip the test when moto cannot run, except under CI (then fail)."""
    server = MotoS3Server(log)
    if importlib.util.find_spec("moto") is None:
        problem = "moto[server] is not installed"
    else:
        try:
            server.start()
            return server
        except (OSError, RuntimeError) as exc:
            problem = f"moto's S3 server could not start: {exc}"
    if os.environ.get("CI"):
        pytest.fail(f"{problem}, and CI is set: it must run")
    pytest.skip(problem)
