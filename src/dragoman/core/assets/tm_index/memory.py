"""MemoryTmIndex: every entry in dictionaries (the fake of the family, for tests and tools)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from dragoman.core.assets.tm_index.base import Candidate, Entry, NewEntry, Pair, TmIndex
from dragoman.core.assets.tm_index.words import WordIndex


class MemoryTmIndex(TmIndex):
    """Entries by id, a hash table per organization and pair, and a word index per pair."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 1
        self._entries: dict[int, tuple[str, Entry, int]] = {}  # id -> (org, entry, entry hash)
        self._by_hash: dict[tuple[str, Pair], dict[int, list[int]]] = {}
        self._keys: dict[tuple[str, Pair], set[int]] = {}
        self._words: dict[tuple[str, Pair], WordIndex] = {}

    def add(self, org_id: str, pair: Pair, entries: Iterable[NewEntry]) -> int:
        added = 0
        with self._lock:
            seen = self._keys.setdefault((org_id, pair), set())
            hashes = self._by_hash.setdefault((org_id, pair), {})
            words = self._words.setdefault((org_id, pair), WordIndex())
            for new in entries:
                if new.entry_hash in seen:
                    continue
                seen.add(new.entry_hash)
                entry_id = self._next_id
                self._next_id += 1
                entry = Entry(
                    entry_id, pair, new.source, new.target, new.source_norm, new.context_key,
                    new.prev_hash, new.origin, new.created_at, None,
                )  # fmt: skip
                self._entries[entry_id] = (org_id, entry, new.entry_hash)
                hashes.setdefault(new.source_hash, []).append(entry_id)
                words.add([(entry_id, new.source_norm)])
                added += 1
        return added

    def _live(self, org_id: str, ids: Iterable[int]) -> list[Entry]:
        out = []
        for entry_id in ids:
            item = self._entries.get(entry_id)
            if item is not None and item[0] == org_id:
                out.append(item[1])
        return out

    def exact(self, org_id: str, pair: Pair, hashes: Iterable[int]) -> dict[int, list[Entry]]:
        with self._lock:
            table = self._by_hash.get((org_id, pair), {})
            found = {h: self._live(org_id, table.get(h, ())) for h in set(hashes)}
        return {h: entries for h, entries in found.items() if entries}

    def fuzzy(
        self, org_id: str, pair: Pair, queries: Sequence[str], limit: int
    ) -> list[list[Candidate]]:
        with self._lock:
            words = self._words.get((org_id, pair))
            if words is None:
                return [[] for _ in queries]
            found = [self._live(org_id, words.candidates(q, limit)) for q in queries]
        return [[Candidate(e.id, e.source_norm, e.origin) for e in entries] for entries in found]

    def fetch(self, org_id: str, ids: Iterable[int]) -> dict[int, Entry]:
        with self._lock:
            return {e.id: e for e in self._live(org_id, ids)}

    def search(
        self, org_id: str, pair: Pair | None, q: str | None, *, limit: int, offset: int = 0
    ) -> list[Entry]:
        needle = q.casefold() if q else None
        with self._lock:
            found = [
                entry
                for owner, entry, _ in reversed(list(self._entries.values()))
                if owner == org_id
                and (pair is None or entry.pair == pair)
                and (
                    needle is None
                    or needle in entry.source.casefold()
                    or needle in entry.target.casefold()
                )
            ]
        return found[offset : offset + limit]

    def delete(self, org_id: str, ids: Iterable[int]) -> int:
        deleted = 0
        with self._lock:
            for entry_id in set(ids):
                item = self._entries.get(entry_id)
                if item is None or item[0] != org_id:
                    continue
                del self._entries[entry_id]
                self._keys[(org_id, item[1].pair)].discard(item[2])
                deleted += 1
        return deleted

    def iter_entries(self, org_id: str, pair: Pair) -> Iterator[Entry]:
        with self._lock:
            entries = [
                item[1]
                for item in self._entries.values()
                if item[0] == org_id and item[1].pair == pair
            ]
        return iter(entries)

    def pairs(self, org_id: str) -> list[tuple[Pair, int]]:
        counts: dict[Pair, int] = {}
        with self._lock:
            for owner, entry, *_ in self._entries.values():
                if owner == org_id:
                    counts[entry.pair] = counts.get(entry.pair, 0) + 1
        return sorted(counts.items(), key=lambda item: str(item[0]))

    def touch(self, ids: Iterable[int], when: datetime) -> None:
        with self._lock:
            for entry_id in ids:
                item = self._entries.get(entry_id)
                if item is not None:
                    owner, entry, key = item
                    self._entries[entry_id] = (owner, replace(entry, last_used_at=when), key)
