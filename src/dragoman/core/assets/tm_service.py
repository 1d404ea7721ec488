"""Translation memories for the surfaces: async methods over `tm`, `tm_io` and `tm_search`,
each on a thread (the Core exposes one as `core.tm`)."""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING, cast

import anyio.to_thread

from dragoman.core.assets import tm_io
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Entry, Pair
from dragoman.core.assets.tm_search import ScoredEntry, search_scored
from dragoman.core.files import file_limits
from dragoman.errors import FileFormatError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from dragoman.settings import Settings
    from dragoman.store.db import Database

# An export whose reader takes no chunk for this long is abandoned (the client went away).
STALL_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What an import did: units read, new entries (also per pair), and units skipped."""

    read: int
    added: int
    skipped: int
    pairs: dict[Pair, int]

    @classmethod
    def of(cls, read: int, added: dict[Pair, int]) -> ImportCounts:
        """Counts from the units read and the new entries per pair: a unit that added no
        entry to a pair (known already, repeated, or lacking a language) is skipped there."""
        total = sum(added.values())
        return cls(read, total, max(0, read * max(1, len(added)) - total), added)


class TmService:
    """An organization's translation memory: entries by pair, search, import and export."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._tm: TranslationMemory | None = None

    def memory(self) -> TranslationMemory:
        """The TM (built on first use)."""
        if self._tm is None:
            self._tm = TranslationMemory(for_database(self.db))
        return self._tm

    async def list_entries(
        self, org_id: str, pair: Pair | None, *, limit: int, offset: int
    ) -> tuple[list[Entry], int]:
        """A page of the entries (of `pair`, or of every pair), newest first, and their total."""

        def read() -> tuple[list[Entry], int]:
            tm = self.memory()
            total = sum(n for p, n in tm.pairs(org_id) if pair is None or p == pair)
            if offset >= total:
                return [], total
            return tm.search(org_id, pair, None, limit=limit, offset=offset), total

        return await anyio.to_thread.run_sync(read)

    async def search(
        self, org_id: str, pair: Pair | None, q: str, *, limit: int, offset: int
    ) -> tuple[list[ScoredEntry], int]:
        """A page of the entries matching `q`, best score first, and how many matched."""

        def read() -> tuple[list[ScoredEntry], int]:
            found = search_scored(self.memory(), org_id, pair, q)
            return found[offset : offset + limit], len(found)

        return await anyio.to_thread.run_sync(read)

    async def delete_entry(self, org_id: str, entry_id: int) -> None:
        """Delete an entry (NotFoundError for unknown ids and other organizations')."""
        deleted = await anyio.to_thread.run_sync(self.memory().delete, org_id, [entry_id])
        if not deleted:
            raise NotFoundError(f"translation-memory entry {entry_id} not found")

    async def import_file(
        self, org_id: str, data: bytes, filename: str, pair: Pair | None
    ) -> ImportCounts:
        """Import a TMX file, or the translations of a PO or XLIFF file (which needs `pair`
        unless it names its languages), as `dragoman tm import` does."""
        return await anyio.to_thread.run_sync(self._import, org_id, data, filename, pair)

    def _import(self, org_id: str, data: bytes, filename: str, pair: Pair | None) -> ImportCounts:
        tm = self.memory()
        read = 0

        def progress(units: int) -> None:
            nonlocal read
            read = max(read, units)

        try:
            if is_tmx(filename, data):
                added = _import_tmx(tm, org_id, data, pair, progress)
            else:
                chosen = pair or tm_io.file_pair(data)
                if chosen is None:
                    raise ValidationError(
                        f"{filename} does not name its languages: give pair", field="pair"
                    )
                count = tm_io.import_bilingual(
                    tm, org_id, data, filename, chosen,
                    limits=file_limits(self.settings), progress=progress,
                )  # fmt: skip
                added = {chosen: count}
        except FileFormatError as exc:
            exc.field = exc.field or "file"
            raise
        return ImportCounts.of(read, added)

    def export_chunks(self, org_id: str, pair: Pair) -> Iterator[bytes]:
        """A pair's entries as a TMX 1.4 file, in chunks as they are written (a blocking
        iterator: consume it on a thread); closing it early stops the export."""
        pipe = _Pipe()
        tm = self.memory()

        def produce() -> None:
            try:
                tm_io.export_tmx(tm, org_id, pair, cast(IO[bytes], pipe))  # write() is enough
            except _AbandonedError:
                return
            except BaseException as exc:  # handed to the reader, which raises it
                pipe.end(exc)
            else:
                pipe.end(None)

        thread = threading.Thread(target=produce, name="dragoman-tm-export", daemon=True)
        thread.start()
        try:
            while True:
                item = pipe.items.get()
                if isinstance(item, bytes):
                    yield item
                elif item is None:
                    return
                else:
                    raise item
        finally:
            pipe.abandoned.set()


def is_tmx(filename: str, data: bytes) -> bool:
    """Whether an upload is TMX: by its extension, or by its root element when its name
    has no extension a bilingual format claims."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".tmx":
        return True
    return suffix not in {".po", ".pot", ".xlf", ".xliff", ".sdlxliff"} and b"<tmx" in data[:4096]


def _import_tmx(
    tm: TranslationMemory, org_id: str, data: bytes, pair: Pair | None, progress: tm_io.Progress
) -> dict[Pair, int]:
    """The CLI's import, from a file: a large one is then parsed in a reader process."""
    fd, path = tempfile.mkstemp(prefix="dragoman-tm-", suffix=".tmx")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return tm_io.import_tmx(tm, org_id, path, pair=pair, progress=progress)
    finally:
        os.unlink(path)


class _AbandonedError(Exception):
    """The export's reader went away."""


class _Pipe:
    """What `export_tmx` writes, handed to the reader chunk by chunk (a few held at most)."""

    def __init__(self) -> None:
        self.items: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=4)
        self.abandoned = threading.Event()

    def write(self, data: bytes) -> int:
        self._put(bytes(data))
        return len(data)

    def end(self, error: BaseException | None) -> None:
        """The export is done (None) or failed."""
        with contextlib.suppress(_AbandonedError):
            self._put(error)

    def _put(self, item: bytes | BaseException | None) -> None:
        deadline = time.monotonic() + STALL_SECONDS
        while not self.abandoned.is_set() and time.monotonic() < deadline:
            try:
                self.items.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _AbandonedError
