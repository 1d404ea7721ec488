"""`dragoman serve`'s HTTP layer (issue 9, items 3 and 6): headers past the limit are refused
with 431 before authentication and without buffering, and WebSocket tokens stay out of logs."""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from websockets.sync.client import connect

from dragoman.cli.server_http import RedactTokensFilter
from tests.acceptance.serverproc import ServerProcess, server_env

LIMIT = 16 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    env = server_env(
        tmp_path / "data",
        DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo",
        DRAGOMAN_MAX_HEADER_BYTES=str(LIMIT),
    )
    process = ServerProcess(env, tmp_path / "server.log").start()
    try:
        yield process
    finally:
        process.stop()


def _huge_header(port: int, total: int) -> tuple[bytes, int]:
    """Send a request whose one header is `total` bytes; return the reply and bytes sent."""
    sent = 0
    reply = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        chunk = b"a" * CHUNK
        try:
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed) before the end of the headers
            reply = sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass  # refused: the server closed with our excess unread
    return reply, sent


def _rss(pid: int) -> int:
    process = psutil.Process(pid)
    return process.memory_info().rss + sum(
        child.memory_info().rss for child in process.children(recursive=True)
    )


def test_huge_headers_get_431_and_are_not_buffered(server: ServerProcess) -> None:
    assert server.proc is not None
    total = 20 * 1024 * 1024
    reply, sent = _huge_header(server.port, total)
    assert reply.startswith(b"HTTP/1.1 431"), reply[:200]
    # The server answered and stopped reading long before the end: what we got to send on
    # is only what the kernel's socket buffers took.
    assert sent < total // 2

    before = _rss(server.proc.pid)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(_huge_header(server.port, total)[1]))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    growth = _rss(server.proc.pid) - before
    assert growth < 40 * 1024 * 1024, f"RSS grew by {growth >> 20} MiB"
    assert len(results) == 5 and max(results) < total // 2

    # Headers within the limit still work, on a fresh and on a kept-alive connection.
    with httpx.Client(base_url=server.base) as client:
        for _ in range(2):
            ok = client.get("/healthz", headers={"X-Fine": "b" * (LIMIT // 2)})
            assert ok.status_code == 200
        big_body = client.post("/jobs/localization", content=b"x" * (1 << 20))
        assert big_body.status_code != 431  # a body is not a header


def test_websocket_token_is_redacted_from_the_log(server: ServerProcess) -> None:
    token = "wstok_" + "S3cr3tV4lue" * 3
    with connect(f"ws://127.0.0.1:{server.port}/ws?token={token}&x=1") as ws:
        ws.recv(5)  # the error frame for an unknown token
    server.stop()
    log = server.log.read_text()
    assert "/ws?token=[redacted]&x=1" in log
    assert "S3cr3tV4lue" not in log


def test_filter_redacts_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1,
        '%s - "WebSocket %s" [accepted] /a?Token=abc', ("127.0.0.1:5", "/ws?token=abc&b=2"),
        None,
    )  # fmt: skip
    assert RedactTokensFilter().filter(record)
    assert record.getMessage() == (
        '127.0.0.1:5 - "WebSocket /ws?token=[redacted]&b=2" [accepted] /a?Token=[redacted]'
    )
