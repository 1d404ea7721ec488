"""The workbench's browser session: a sealed cookie (the translator key encrypted and
authenticated with a server secret, so the key is never readable in the browser or a log)
and a CSRF token per session, checked on every state-changing request."""

from __future__ import annotations

import base64
import hmac
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request, Response

from dragoman.errors import ForbiddenError
from dragoman.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "dragoman_workbench"
COOKIE_PATH = "/workbench"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
SECRET_FILE = "workbench.secret"  # noqa: S105 - a file name, not a secret
_VERSION = b"\x01"
_NONCE = 16
_TAG = 32
_MAX_COOKIE = 4096


@dataclass(frozen=True, slots=True)
class Session:
    """What the cookie holds: the translator key (None before sign-in) and the CSRF token."""

    key: str | None
    csrf: str
    issued: float

    @classmethod
    def new(cls, key: str | None = None) -> Session:
        """A fresh session with a new CSRF token."""
        return cls(key, secrets.token_urlsafe(32), time.time())


class SessionSealer:
    """Seals sessions into cookie values and opens them: HMAC-SHA256 in counter mode as the
    stream cipher, then HMAC-SHA256 over nonce and ciphertext (encrypt-then-MAC), with
    separate keys derived from one secret; the standard library has no AES, and the
    construction needs nothing but a PRF."""

    def __init__(self, secret: bytes, max_age: float = SESSION_SECONDS) -> None:
        self._enc = hmac.digest(secret, b"dragoman workbench session: encryption", "sha256")
        self._mac = hmac.digest(secret, b"dragoman workbench session: authentication", "sha256")
        self.max_age = max_age

    def _stream(self, nonce: bytes, length: int) -> bytes:
        blocks = (
            hmac.digest(self._enc, nonce + i.to_bytes(4, "big"), "sha256")
            for i in range((length + 31) // 32)
        )
        return b"".join(blocks)[:length]

    def seal(self, session: Session) -> str:
        """The cookie value for `session`."""
        plain = json.dumps(
            {"k": session.key, "c": session.csrf, "t": session.issued}, separators=(",", ":")
        ).encode()
        nonce = secrets.token_bytes(_NONCE)
        cipher = bytes(a ^ b for a, b in zip(plain, self._stream(nonce, len(plain)), strict=True))
        tag = hmac.digest(self._mac, _VERSION + nonce + cipher, "sha256")
        return base64.urlsafe_b64encode(_VERSION + nonce + cipher + tag).decode().rstrip("=")

    def open(self, value: str | None) -> Session | None:
        """The session sealed in `value`; None when it is missing, forged, or expired."""
        if not value or len(value) > _MAX_COOKIE:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError:
            return None
        if len(raw) < 1 + _NONCE + _TAG or raw[:1] != _VERSION:
            return None
        nonce, cipher, tag = raw[1 : 1 + _NONCE], raw[1 + _NONCE : -_TAG], raw[-_TAG:]
        expected = hmac.digest(self._mac, _VERSION + nonce + cipher, "sha256")
        if not hmac.compare_digest(tag, expected):
            return None
        plain = bytes(a ^ b for a, b in zip(cipher, self._stream(nonce, len(cipher)), strict=True))
        try:
            data = json.loads(plain)
            session = Session(data["k"], str(data["c"]), float(data["t"]))
        except (ValueError, KeyError, TypeError):
            return None
        if not 0 <= time.time() - session.issued <= self.max_age:
            return None
        return session


def load_secret(settings: Settings) -> bytes:
    """`workbench_secret` from the settings; else a random one kept in `data_dir` (shared by
    every `serve` process of one host); else, when that cannot be written, one for this
    process alone."""
    configured = settings.workbench_secret
    if configured is not None:
        return configured.get_secret_value().encode()
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        return _secret_file(path)
    except OSError as exc:
        log.warning("workbench sessions last only as long as this process: %s", exc)
        return secrets.token_bytes(32)


def _secret_file(path: Path) -> bytes:
    try:
        return path.read_bytes().strip() or _secret_file_retry(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this server wrote it first
        return _secret_file_retry(path)
    value = secrets.token_urlsafe(48).encode()
    with os.fdopen(fd, "wb") as out:
        out.write(value)
    return value


def _secret_file_retry(path: Path) -> bytes:
    for _ in range(50):
        value = path.read_bytes().strip()
        if value:
            return value
        time.sleep(0.01)  # the writer is between create and write
    raise OSError(f"{path} is empty")


def read_session(request: Request, sealer: SessionSealer) -> Session | None:
    """The request's session, if its cookie is valid."""
    return sealer.open(request.cookies.get(COOKIE))


def write_session(
    response: Response, request: Request, sealer: SessionSealer, session: Session
) -> None:
    """Set the session cookie: HttpOnly, SameSite=Strict, Secure over https."""
    response.set_cookie(
        COOKIE,
        sealer.seal(session),
        max_age=int(sealer.max_age),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response, request: Request) -> None:
    """Expire the session cookie."""
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def check_csrf(session: Session | None, sent: str | None) -> None:
    """ForbiddenError unless `sent` is the session's CSRF token."""
    if session is None or not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise ForbiddenError(
            "the CSRF token is missing or wrong: reload the page and try again", field="csrf"
        )
