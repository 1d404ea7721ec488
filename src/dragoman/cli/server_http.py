"""How `dragoman serve` configures uvicorn: a header size limit in the HTTP layer, and logs that
never carry a WebSocket token (issue 9, items 3 and 6)."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dragoman.settings import Settings

_TOKEN = re.compile(r"([?&]token=)[^&\s\"'#]*", re.IGNORECASE)


class RedactTokensFilter(logging.Filter):
    """Rewrites `token=...` in a record's message and arguments to `token=[redacted]`.

    uvicorn logs every WebSocket connection with its query string (`/ws?token=...`), and the
    access log every request line; a token there is a credential for anyone who reads logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg.lower():
            record.msg = _redact(record.msg)
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def _redact(text: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", text) if "token=" in text.lower() else text


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the token filter on every handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_tokens": {"()": f"{__name__}.RedactTokensFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_tokens"]
    return config


def install_redaction(logger_names: tuple[str, ...] = ("uvicorn.error", "uvicorn.access")) -> None:
    """Add the token filter to uvicorn's loggers (for servers configured without log_config)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokensFilter) for f in logger.filters):
            logger.addFilter(RedactTokensFilter())


class HeaderLimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request line plus headers longer than the limit
    with 431 before the parser buffers them (httptools itself sets no limit).

    The limit is the config's `h11_max_incomplete_event_size`, so one setting bounds both
    HTTP implementations.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_head = self.config.h11_max_incomplete_event_size or 64 * 1024
        self._in_head = True  # reading a request line and headers
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0  # a keep-alive request may follow

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            room = self._max_head - self._head_bytes
            if len(data) > room:
                # Feed only what fits; if the headers are still not complete, refuse.
                head, data = data[: max(room, 0)], data[max(room, 0) :]
                self._head_bytes += len(head)
                if head:
                    super().data_received(head)
                if self.transport.is_closing() or self.transport.get_protocol() is not self:
                    return  # answered already (400), or upgraded to a WebSocket
                if self._in_head:
                    self._refuse_431()
                    return
            else:
                self._head_bytes += len(data)
        super().data_received(data)

    def _refuse_431(self) -> None:
        message = f"request headers are larger than {self._max_head} bytes".encode()
        self.logger.warning("Request headers over %d bytes refused (431).", self._max_head)
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"connection: close\r\n"
            b"content-length: " + str(len(message)).encode() + b"\r\n\r\n" + message
        )
        self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run`/`uvicorn.Config` that every server process uses."""
    return {
        "http": HeaderLimitedHttpToolsProtocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "log_config": log_config(),
    }
