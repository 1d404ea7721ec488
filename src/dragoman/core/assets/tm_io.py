"""Filling and emptying a translation memory: TMX import and export, bilingual files.

Imports stream: entries are built and stored in batches, so a TMX of a million units never
sits in memory; a thread of its own stores each batch while the next is read (the database
works outside the GIL). After an import the index persists what makes look-ups fast in a new
process. `progress` (if given) is called with the number of units read so far.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import IO

from dragoman.content.formats import registry
from dragoman.content.model import Limits
from dragoman.core.assets import tmx
from dragoman.core.assets.tm import TranslationMemory, new_entry, pair_of
from dragoman.core.assets.tm_index.base import NewEntry, Origin, Pair
from dragoman.core.assets.tm_text import entry_hash
from dragoman.errors import FileFormatError, ValidationError
from dragoman.timefmt import utcnow

BATCH = 5_000
Progress = Callable[[int], None]


@lru_cache(maxsize=1024)
def _same_language(tag: str, locale: str) -> bool:
    """True when a file's language tag names `locale` or its primary language."""
    tag = tag.replace("_", "-").lower()
    locale = locale.lower()
    return tag == locale or tag.split("-")[0] == locale.split("-")[0]


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
    batches: dict[Pair, list[NewEntry]] = {}
    pairs: dict[tuple[str, str], Pair] = {}
    read = 0
    now = utcnow()  # units without a creation date
    writer = _Writer(tm, org_id)
    try:
        for unit in tmx.read(stream):
            read += 1
            for entry_pair, source, target in _unit_pairs(unit, pair, pairs):
                entry = new_entry(
                    source, target, origin=Origin.IMPORT, key=unit.props.get(tmx.PROP_KEY),
                    created_at=unit.created_at or now,
                )  # fmt: skip
                if prev := unit.props.get(tmx.PROP_PREV, "").strip():
                    entry = _with_prev(entry, prev, unit.line)
                batch = batches.setdefault(entry_pair, [])
                batch.append(entry)
                if len(batch) >= BATCH:
                    writer.put(entry_pair, batch)
                    batches[entry_pair] = []
            if progress is not None and read % 1000 == 0:
                progress(read)
        for entry_pair, batch in batches.items():
            writer.put(entry_pair, batch)
    finally:
        writer.stop()
    added = writer.result()
    for entry_pair in added:
        tm.index.persist(org_id, entry_pair)
    if progress is not None:
        progress(read)
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


def _with_prev(entry: NewEntry, prev: str, line: int) -> NewEntry:
    """The entry with the previous-segment hash a Dragoman export carried."""
    try:
        prev_hash = int(prev)
    except ValueError:
        raise FileFormatError(f"prop {tmx.PROP_PREV} must be an integer", line=line) from None
    return replace(
        entry,
        prev_hash=prev_hash,
        entry_hash=entry_hash(entry.source, entry.target, entry.context_key, prev_hash),
    )


def _unit_pairs(
    unit: tmx.TmxUnit, pair: Pair | None, cache: dict[tuple[str, str], Pair]
) -> Iterator[tuple[Pair, str, str]]:
    if pair is not None:
        source = next(
            (t for lang, t in unit.variants.items() if _same_language(lang, pair.source)), None
        )
        target = next(
            (t for lang, t in unit.variants.items() if _same_language(lang, pair.target)), None
        )
        if source is not None and target is not None:
            yield pair, source, target
        return
    srclang = unit.srclang
    if not srclang or srclang == "*all*":
        raise FileFormatError("the TMX file names no srclang: give the pair", line=unit.line)
    source = next((t for lang, t in unit.variants.items() if _same_language(lang, srclang)), None)
    if source is None:
        return
    for lang, target in unit.variants.items():
        if _same_language(lang, srclang):
            continue
        found = cache.get((srclang, lang))
        if found is None:
            try:
                found = cache[(srclang, lang)] = pair_of(srclang, lang)
            except ValidationError as exc:
                raise FileFormatError(exc.message, line=unit.line) from None
        yield found, source, target


def import_bilingual(
    tm: TranslationMemory,
    org_id: str,
    data: bytes,
    filename: str,
    pair: Pair,
    *,
    limits: Limits | None = None,
) -> int:
    """Import the translations a bilingual file holds (PO msgstr, XLIFF targets) through
    its codec; the unit's id is the context key. Returns how many entries were new."""
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
