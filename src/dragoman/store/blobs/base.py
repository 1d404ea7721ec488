"""The blob store interface: named byte streams (sources, outputs) kept outside the database."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dragoman.errors import PayloadTooLargeError

CHUNK_SIZE = 1024 * 1024
# S3's own limit on key length; the other stores keep to it so a key works everywhere.
MAX_KEY_BYTES = 1024
# Printable ASCII without space and backslash: one spelling on every store and OS.
_SEGMENT = re.compile(r"[!-\[\]-~]+")


@dataclass(frozen=True, slots=True)
class BlobRef:
    """Where a stored blob lives and what it holds: its key, length and SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


def validate_key(key: str) -> str:
    """Return `key` when it is a safe blob key (`org/src/artifact`), else raise ValueError."""
    if not isinstance(key, str) or not key:
        raise ValueError("a blob key must be a non-empty string")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise ValueError(f"blob key is longer than {MAX_KEY_BYTES} bytes")
    if key.startswith("/"):
        raise ValueError(f"blob key {key!r} must not start with '/'")
    for segment in key.split("/"):
        if not segment:
            raise ValueError(f"blob key {key!r} has an empty segment")
        # Dot-names are refused: '..' escapes the root, and the filesystem store keeps its
        # temporary files under names starting with '.', which must never equal a key.
        if segment.startswith("."):
            raise ValueError(f"blob key {key!r} has a segment starting with '.'")
        if not _SEGMENT.fullmatch(segment):
            raise ValueError(
                f"blob key {key!r} has a segment that is not printable ASCII "
                "(no spaces, backslashes, NUL or control characters)"
            )
    return key


def validate_prefix(prefix: str) -> str:
    """Return `prefix` without a trailing '/' when it is '' or a valid key, else raise."""
    stripped = prefix[:-1] if prefix.endswith("/") else prefix
    if stripped:
        validate_key(stripped)
    elif prefix:
        raise ValueError("a blob prefix of just '/' is not allowed; use '' for every key")
    return stripped


def under(prefix: str) -> str:
    """The string every key below the folder `prefix` starts with ('' for the whole store)."""
    return f"{prefix}/" if prefix else ""


class Hasher:
    """Counts and hashes bytes as they stream past, and enforces an optional size cap."""

    def __init__(self, max_size: int | None = None) -> None:
        self.size = 0
        self._sha = hashlib.sha256()
        self._max_size = max_size

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._max_size is not None and self.size > self._max_size:
            raise PayloadTooLargeError(f"the content is larger than {self._max_size} bytes")
        self._sha.update(chunk)

    def ref(self, key: str) -> BlobRef:
        return BlobRef(key=key, size=self.size, sha256=self._sha.hexdigest())


def read_chunks(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The bytes of a readable file object (an upload's spooled file) in chunks, for `put`."""
    while chunk := stream.read(chunk_size):
        yield chunk


class BlobStore(ABC):
    """Stores blobs under keys like `{org}/src/{artifact}` and `{org}/out/{job}/{attempt}`.

    Every store is safe to share between threads. Methods block: async callers run them in a
    thread. A put either stores the whole blob under its key or leaves the key as it was.
    Prefixes name folders: `delete_prefix("org1")` removes `org1/...`, never `org10/...`."""

    name: str

    @abstractmethod
    def put(self, key: str, chunks: Iterable[bytes], *, max_size: int | None = None) -> BlobRef:
        """Stream `chunks` into the blob `key` (replacing it); raise PayloadTooLargeError and
        store nothing when more than `max_size` bytes arrive."""

    def put_bytes(self, key: str, data: bytes) -> BlobRef:
        """Store `data` under `key` (replacing it)."""
        return self.put(key, [data])

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable file object streaming the blob (close it: `with store.open(key) as f`);
        NotFoundError when there is none."""

    def read(self, key: str) -> bytes:
        """The whole blob in memory (small blobs only); NotFoundError when there is none."""
        with self.open(key) as stream:
            return stream.read()

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a blob is stored under `key`."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob `key`; a missing one is not an error."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every blob below the folder `prefix` and return how many there were."""

    @abstractmethod
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """The keys below the folder `prefix` ('' for all), in sorted order."""

    def url(self, key: str, ttl_seconds: int) -> str | None:
        """A URL that reads the blob without credentials for `ttl_seconds`, or None when the
        store has no such URL (the API serves the bytes itself)."""
        validate_key(key)
        return None

    def close(self) -> None:  # noqa: B027 - stores without connections need not override
        """Release connections and handles."""


def checked_delete_prefix(prefix: str) -> str:
    """Validate a prefix for deletion: the empty prefix (everything) is refused."""
    folder = validate_prefix(prefix)
    if not folder:
        raise ValueError("delete_prefix needs a non-empty prefix; it never empties the store")
    return folder
