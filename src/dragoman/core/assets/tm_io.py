"""Filling and emptying a translation memory: TMX import and export, bilingual files.

Imports stream: entries are built and stored in batches, so a TMX of a million units never
sits in memory. A large file (a path) is parsed in a reader process while this one stores
and indexes each batch; otherwise a thread of its own stores each batch while the next is
read (the database works outside the GIL). After an import the index persists what makes
look-ups fast in a new process. `progress` (if given) is called with the units read so far.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Callable
from typing import IO

from dragoman.content.formats import registry
from dragoman.content.model import Limits
from dragoman.core.assets import tmx, tmx_entries
from dragoman.core.assets.tm import TranslationMemory, new_entry, pair_of
from dragoman.core.assets.tm_index.base import NewEntry, Origin, Pair
from dragoman.core.assets.tm_index.rows import Row
from dragoman.core.assets.tm_index.sqlite import SqlTmIndex
from dragoman.errors import DragomanError, FileFormatError, ValidationError

Progress = Callable[[int], None]
# Files this large are parsed in a reader process (starting one costs about a second).
IN_PROCESS_BYTES = 32 * 1024 * 1024
# Rows per transaction there: each commit rewrites every index page its rows touched, and
# a million random hashes touch most pages of the unique index at every commit.
COMMIT_ROWS = 50_000


def import_tmx(
    tm: TranslationMemory,
    org_id: str,
    stream: IO[bytes] | str,
    *,
    pair: Pair | None = None,
    progress: Progress | None = None,
) -> dict[Pair, int]:
    """Import a TMX file; returns new entries per pair. Without `pair`, the header's (or the
    unit's) `srclang` is the source and every other language a target; with it, the
    variants of its two languages (primary subtags match) are stored under its tags."""
    index = tm.index
    if (
        isinstance(stream, str)
        and isinstance(index, SqlTmIndex)
        and os.path.getsize(stream) >= IN_PROCESS_BYTES
    ):
        added = _import_with_reader(index, org_id, stream, pair, progress)
    else:
        writer = _Writer(tm, org_id)
        try:
            for read, entry_pair, batch in tmx_entries.batches(stream, pair):
                if batch:
                    writer.put(entry_pair, batch)
                if progress is not None:
                    progress(read)
        finally:
            writer.stop()
        added = writer.result()
    for entry_pair in added:
        index.persist(org_id, entry_pair)
    return added


def _import_with_reader(
    index: SqlTmIndex, org_id: str, path: str, pair: Pair | None, progress: Progress | None
) -> dict[Pair, int]:
    """Parse in a reader process while this one stores each batch and indexes its words."""
    sqlite = index.db.engine.dialect.name == "sqlite"
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    reader = context.Process(
        target=tmx_entries.read_in_process,
        args=(path, org_id, pair, sqlite, send),
        name="dragoman-tmx-reader",
        daemon=True,
    )
    reader.start()
    send.close()
    added: dict[Pair, int] = {}
    pending: dict[Pair, list[Row]] = {}

    def store(entry_pair: Pair) -> None:
        rows = pending.pop(entry_pair, [])
        if rows:
            added[entry_pair] = added.get(entry_pair, 0) + index.add_rows(org_id, entry_pair, rows)
            index.catch_up(org_id, entry_pair)  # indexed while the reader parses on

    try:
        while True:
            try:
                kind, read, entry_pair, rows = receive.recv()
            except EOFError:
                raise DragomanError("the TMX reader process stopped unexpectedly") from None
            if kind == "error":
                line, message = read, str(entry_pair)
                if line is not None:
                    message = message.removesuffix(f" (line {line})")
                raise FileFormatError(message, line=line)
            if kind == "done":
                for left in list(pending):
                    store(left)
                break
            if rows:
                waiting = pending.setdefault(entry_pair, [])
                waiting.extend(rows)
                if len(waiting) >= COMMIT_ROWS:
                    store(entry_pair)
            if progress is not None:
                progress(read)
    finally:
        receive.close()
        reader.join(timeout=10)
        if reader.is_alive():
            reader.kill()
    return added


class _Writer:
    """Stores batches of entries on a thread of its own, in order; the first error stops
    the storing and is raised to the reader."""

    def __init__(self, tm: TranslationMemory, org_id: str) -> None:
        self.tm = tm
        self.org_id = org_id
        self.added: dict[Pair, int] = {}
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[Pair, list[NewEntry]] | None] = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._run, name="dragoman-tm-import", daemon=True)
        self._thread.start()

    def put(self, pair: Pair, batch: list[NewEntry]) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((pair, batch))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the reader raises at its next put
            pair, batch = item
            try:
                self.added[pair] = self.added.get(pair, 0) + self.tm.add(self.org_id, pair, batch)
            except BaseException as exc:
                self.error = exc

    def stop(self) -> None:
        """Let the queued batches be stored, then end the thread."""
        self._queue.put(None)
        self._thread.join()

    def result(self) -> dict[Pair, int]:
        """New entries per pair; the storing error, if any."""
        if self.error is not None:
            raise self.error
        return self.added


def import_bilingual(
    tm: TranslationMemory,
    org_id: str,
    data: bytes,
    filename: str,
    pair: Pair,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> int:
    """Import the translations a bilingual file holds (PO msgstr, XLIFF targets) through
    its codec; the unit's id is the context key. Returns how many entries were new;
    `progress` (if given) is told how many translatable units the file holds."""
    codec = registry.for_file(filename, data)
    if not codec.bilingual:
        raise ValidationError(
            f"{codec.name} files hold no translations to import; use TMX, PO or XLIFF",
            field="file",
        )
    extraction = codec.parse(data, source_locale=pair.source, limits=limits or Limits())
    targets: dict[str, str] = extraction.meta.get("targets", {})
    entries: list[NewEntry] = []
    previous: str | None = None
    for unit in extraction.units:
        target = targets.get(unit.id)
        if target and unit.translatable:
            entries.append(
                new_entry(unit.source, target, origin=Origin.IMPORT, key=unit.id, previous=previous)
            )
        previous = unit.source
    if progress is not None:
        progress(sum(1 for unit in extraction.units if unit.translatable))
    added = tm.add(org_id, pair, entries)
    tm.index.persist(org_id, pair)
    return added


def export_tmx(tm: TranslationMemory, org_id: str, pair: Pair, out: IO[bytes]) -> int:
    """Write a pair's entries as TMX 1.4; returns how many."""
    records = (
        tmx.TmxRecord(
            e.source,
            e.target,
            {
                k: v
                for k, v in (
                    (tmx.PROP_KEY, e.context_key),
                    (tmx.PROP_PREV, None if e.prev_hash is None else str(e.prev_hash)),
                    (tmx.PROP_ORIGIN, e.origin.value),
                )
                if v is not None
            },
            e.created_at,
            e.last_used_at,
        )
        for e in tm.entries(org_id, pair)
    )
    return tmx.write(out, pair.source, pair.target, records)


def file_pair(data: bytes) -> Pair | None:
    """The pair a bilingual file names itself (XLIFF source and target languages), if any."""
    head = data[:4096].decode("utf-8", "replace")
    source = re.search(r"""(?:source-language|srcLang)\s*=\s*["']([^"']+)""", head)
    target = re.search(r"""(?:target-language|trgLang)\s*=\s*["']([^"']+)""", head)
    if source and target:
        return pair_of(source.group(1), target.group(1))
    return None
