"""A real HTTPS webhook receiver on 127.0.0.1 with a test CA (trustme), scripted per test."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Receiver:
    """`script[path]` lists replies for successive attempts of one webhook-id at `path` (the
    last repeats)."""

    base: str
    ca_path: Path
    received: list[Received] = field(default_factory=list)
    script: dict[str, list[Reply]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def wait(self, path: str, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.on(path)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(got)} of {count} deliveries after {timeout}s")
            time.sleep(0.02)

    def reply_for(self, path: str, index: int) -> Reply:
        replies = self.script.get(path) or [Reply()]
        return replies[min(index, len(replies) - 1)]


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:  # the sender died mid-request: not a delivery, nobody to answer
            self.close_connection = True
            return
        record = Received(
            self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()
        )
        with self.receiver.lock:
            index = sum(
                r.path == self.path
                and r.headers.get("webhook-id") == record.headers.get("webhook-id")
                for r in self.receiver.received
            )
            self.receiver.received.append(record)
        reply = self.receiver.reply_for(self.path, index)
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()
        except OSError:  # the sender gave up first (timeout tests)
            pass

    do_PUT = do_POST  # Lingo24's callbacks are PUTs

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def https_receiver(tmp_path: Path, host: str = "127.0.0.1") -> Iterator[Receiver]:
    """An HTTPS server whose certificate (for `host` and localhost) a fresh test CA signed;
    `receiver.ca_path` is the CA's PEM for DRAGOMAN_WEBHOOK_CA_BUNDLE."""
    ca = trustme.CA()
    cert = ca.issue_cert(host, "localhost")
    ca_path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = ThreadingHTTPServer((host, 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver = Receiver(f"https://{host}:{server.server_address[1]}", ca_path)
    handler = type("Handler", (_Handler,), {"receiver": receiver})
    server.RequestHandlerClass = handler
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
