"""An in-memory blob store: the test double, and `memory://` for a single-process demo."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from dragoman.errors import NotFoundError
from dragoman.store.blobs.base import (
    BlobRef,
    BlobStore,
    Hasher,
    checked_delete_prefix,
    under,
    validate_key,
    validate_prefix,
)


class MemoryBlobStore(BlobStore):
    """Blobs in a dict guarded by a lock; everything is lost with the process."""

    name = "memory"

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, chunks: Iterable[bytes], *, max_size: int | None = None) -> BlobRef:
        validate_key(key)
        hasher = Hasher(max_size)
        parts: list[bytes] = []
        for chunk in chunks:
            hasher.update(chunk)
            parts.append(bytes(chunk))
        data = b"".join(parts)
        with self._lock:
            self._blobs[key] = data
        return hasher.ref(key)

    def open(self, key: str) -> BinaryIO:
        validate_key(key)
        with self._lock:
            data = self._blobs.get(key)
        if data is None:
            raise NotFoundError(f"no blob {key!r}")
        return io.BytesIO(data)

    def exists(self, key: str) -> bool:
        validate_key(key)
        with self._lock:
            return key in self._blobs

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._lock:
            self._blobs.pop(key, None)

    def delete_prefix(self, prefix: str) -> int:
        start = under(checked_delete_prefix(prefix))
        with self._lock:
            doomed = [key for key in self._blobs if key.startswith(start)]
            for key in doomed:
                del self._blobs[key]
        return len(doomed)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        start = under(validate_prefix(prefix))
        with self._lock:
            keys = sorted(key for key in self._blobs if key.startswith(start))
        return iter(keys)
