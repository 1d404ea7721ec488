"""The TmIndex family: where translation-memory entries live and how candidates are found.

An index stores entries per organization and language pair, answers exact look-ups by the
hash of the normalised source, and proposes fuzzy candidates (the caller scores them with
rapidfuzz, so every index ranks alike). Implementations: `memory.py` (the fake, and the
in-process word index), `sqlite.py` (any SQL database; fuzzy through a cached word index)
and `postgres.py` (fuzzy through a pg_trgm index).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Origin(StrEnum):
    """Where an entry came from; also the preference order when matches tie."""

    HUMAN = "human"
    IMPORT = "import"
    MACHINE = "machine"


ORIGIN_RANK = {Origin.HUMAN: 0, Origin.IMPORT: 1, Origin.MACHINE: 2}


@dataclass(frozen=True, slots=True)
class Pair:
    """A language pair of canonical BCP-47 tags."""

    source: str
    target: str

    def __str__(self) -> str:
        return f"{self.source}:{self.target}"


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry ready to store: texts, normalised source, hashes and context."""

    source: str
    target: str
    source_norm: str
    source_hash: int
    entry_hash: int
    context_key: str | None
    prev_hash: int | None
    origin: Origin
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored entry."""

    id: int
    pair: Pair
    source: str
    target: str
    source_norm: str
    context_key: str | None
    prev_hash: int | None
    origin: Origin
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fuzzy candidate: enough to score it; the winner is fetched whole."""

    id: int
    source_norm: str
    origin: Origin


class TmIndex(ABC):
    """Stores entries of every organization, isolated by `org_id`, and finds matches."""

    @abstractmethod
    def add(self, org_id: str, pair: Pair, entries: Iterable[NewEntry]) -> int:
        """Store entries, skipping exact duplicates (same source, target and context);
        returns how many were new."""

    @abstractmethod
    def exact(self, org_id: str, pair: Pair, hashes: Iterable[int]) -> dict[int, list[Entry]]:
        """The entries whose normalised source has one of `hashes`, by hash."""

    @abstractmethod
    def fuzzy(
        self, org_id: str, pair: Pair, queries: Sequence[str], limit: int
    ) -> list[list[Candidate]]:
        """Up to `limit` likely-similar entries per normalised query (unscored)."""

    @abstractmethod
    def fetch(self, org_id: str, ids: Iterable[int]) -> dict[int, Entry]:
        """Entries of the organization by id (missing ones, other organizations' too, left out)."""

    @abstractmethod
    def search(
        self, org_id: str, pair: Pair | None, q: str | None, *, limit: int, offset: int = 0
    ) -> list[Entry]:
        """Entries, newest first, whose source or target contains `q` (all when None)."""

    def get(self, org_id: str, entry_id: int) -> Entry | None:
        """One entry of the organization, or None (another organization's entry too)."""
        return self.fetch(org_id, [entry_id]).get(entry_id)

    @abstractmethod
    def delete(self, org_id: str, ids: Iterable[int]) -> int:
        """Delete entries of the organization; returns how many went."""

    @abstractmethod
    def iter_entries(self, org_id: str, pair: Pair) -> Iterator[Entry]:
        """Every entry of a pair, oldest first (for export)."""

    @abstractmethod
    def pairs(self, org_id: str) -> list[tuple[Pair, int]]:
        """The organization's pairs with their entry counts."""

    def has_entries(self, org_id: str, pair: Pair) -> bool:
        """Whether the organization has any entry for the pair (a job skips the look-up
        otherwise); indexes with a cheaper way override it."""
        return any(found == pair and count for found, count in self.pairs(org_id))

    @abstractmethod
    def touch(self, ids: Iterable[int], when: datetime) -> None:
        """Record that entries were used."""

    def persist(self, org_id: str, pair: Pair) -> None:  # noqa: B027 - optional hook
        """Store what makes the pair's look-ups fast in a new process (after an import)."""

    def close(self) -> None:  # noqa: B027 - optional hook, most indexes hold nothing
        """Release what the index holds."""
