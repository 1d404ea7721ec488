"""Processes that tests and benchmarks start themselves: a `redis-server` of their own."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.apptools import free_port


class RedisServer:
    """A `redis-server` on a free port without persistence: a restart loses everything, and
    the machine's shared Redis is never touched."""

    def __init__(self, binary: str, log: Path | None = None) -> None:
        self.binary = binary
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no"]  # fmt: skip
        if self.log is None:
            self.proc = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        else:
            with self.log.open("ab") as out:
                self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            client = redis.Redis(port=self.port)
            try:
                if client.ping():
                    return
            except redis.ConnectionError:  # not listening yet
                time.sleep(0.05)
            finally:
                client.close()
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
