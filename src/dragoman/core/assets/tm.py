"""Translation memory: entries per organization and language pair, and batch look-ups.

`TranslationMemory(index)` is what callers use. The pipeline calls `lookup` once per job
with all its units: exact matches come from one hash query, and the remaining distinct
sources go to the index for fuzzy candidates in one call, scored with rapidfuzz's ratio on
the normalised text. Scores: 101 (in context: same source and same key or previous
segment), 100 (exact), 99 (exact but for placeholders, adapted into the target), 50-99
(fuzzy). Sources are filled from approved human work, machine output when an organization
allows it (the caller checks), and imports (TMX, bilingual files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rapidfuzz import fuzz

from dragoman.core.assets.tm_index.base import (
    ORIGIN_RANK,
    Candidate,
    Entry,
    NewEntry,
    Origin,
    Pair,
    TmIndex,
)
from dragoman.core.assets.tm_text import MASK, Normalised, adapt, entry_hash, normalise
from dragoman.core.locales import normalize_locale
from dragoman.errors import ValidationError
from dragoman.timefmt import utcnow

FUZZY_FLOOR = 50
PLACEHOLDER_PENALTY = 1
CANDIDATES = 20


class Band(StrEnum):
    """Match bands of analysis and price (Lingo24's and Gengo's grids)."""

    IN_CONTEXT = "101"
    EXACT = "100"
    FUZZY_95 = "95-99"
    FUZZY_85 = "85-94"
    FUZZY_75 = "75-84"
    FUZZY_50 = "50-74"


def band_for(score: int) -> Band:
    """The band of a score of 50 or more."""
    if score >= 101:
        return Band.IN_CONTEXT
    if score == 100:
        return Band.EXACT
    for floor, band in ((95, Band.FUZZY_95), (85, Band.FUZZY_85), (75, Band.FUZZY_75)):
        if score >= floor:
            return band
    return Band.FUZZY_50


def pair_of(source: str, target: str) -> Pair:
    """A Pair of canonical tags (`en_us` -> `en-US`); ValidationError names the bad one."""
    return Pair(
        normalize_locale(source.replace("_", "-"), field="source_locale"),
        normalize_locale(target.replace("_", "-"), field="target_locale"),
    )


def parse_pair(text: str) -> Pair:
    """`en-es`, `en:pt-BR` or `en_US-pt_BR` as a Pair."""
    for sep in (":", "/", ">"):
        if sep in text:
            source, _, target = text.partition(sep)
            return pair_of(source, target)
    parts = text.split("-")
    for cut in range(1, len(parts)):  # the first cut where both sides are tags
        try:
            return pair_of("-".join(parts[:cut]), "-".join(parts[cut:]))
        except ValidationError:
            continue
    raise ValidationError(
        f"pair {text!r} is not SOURCE-TARGET (e.g. en-es, en:pt-BR)", field="pair"
    )


@dataclass(frozen=True, slots=True)
class Segment:
    """A source to look up, with its context: the unit's key and the previous segment."""

    source: str
    key: str | None = None
    previous: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """The best entry for a segment: its score, band and the target to use."""

    score: int
    band: Band
    target: str
    source: str
    entry_id: int
    origin: Origin
    placeholders_differ: bool = False


def new_entry(
    source: str,
    target: str,
    *,
    origin: Origin,
    key: str | None = None,
    previous: str | None = None,
    created_at: datetime | None = None,
) -> NewEntry:
    """An entry ready for `TranslationMemory.add`."""
    norm = normalise(source)
    prev = normalise(previous).hash if previous else None
    return NewEntry(
        source, target, norm.text, norm.hash, entry_hash(source, target, key, prev), key or None,
        prev, origin, created_at or utcnow(),
    )  # fmt: skip


def _rank(match: Match) -> tuple[int, int, int]:
    return (match.score, -ORIGIN_RANK[match.origin], match.entry_id)


class TranslationMemory:
    """Add, look up, search and delete entries through a TmIndex."""

    def __init__(self, index: TmIndex) -> None:
        self.index = index

    def add(self, org_id: str, pair: Pair, entries: Iterable[NewEntry]) -> int:
        """Store entries (empty sources or targets skipped); returns how many were new."""
        return self.index.add(org_id, pair, (e for e in entries if e.source_norm and e.target))

    def record(
        self, org_id: str, pair: Pair, items: Iterable[tuple[Segment, str]], origin: Origin
    ) -> int:
        """Store translated segments: approved human work, or machine output where the
        organization has turned that on (the caller checks its setting)."""
        return self.add(
            org_id,
            pair,
            (
                new_entry(s.source, target, origin=origin, key=s.key, previous=s.previous)
                for s, target in items
            ),
        )

    def lookup(
        self,
        org_id: str,
        pair: Pair,
        segments: Sequence[Segment],
        *,
        fuzzy_floor: int = FUZZY_FLOOR,
        touch: bool = True,
    ) -> list[Match | None]:
        """The best match of each segment (None below `fuzzy_floor`), in order; `touch`
        records the use of matched entries (analysis passes False)."""
        norms = [normalise(s.source) for s in segments]
        exact = self.index.exact(org_id, pair, {n.hash for n in norms})
        results: list[Match | None] = [None] * len(segments)
        pending: dict[str, list[int]] = {}
        for i, (segment, norm) in enumerate(zip(segments, norms, strict=True)):
            prev = normalise(segment.previous).hash if segment.previous else None
            for entry in exact.get(norm.hash, ()):
                if entry.source_norm == norm.text:
                    match = _exact(entry, segment, norm, prev)
                    best = results[i]
                    if best is None or _rank(match) > _rank(best):
                        results[i] = match
            if results[i] is None and fuzzy_floor < 100 and norm.text.strip(MASK + " "):
                pending.setdefault(norm.text, []).append(i)
        if pending:
            texts = list(pending)
            found = self.index.fuzzy(org_id, pair, texts, CANDIDATES)
            winners: dict[str, tuple[int, int]] = {}
            for text, candidates in zip(texts, found, strict=True):
                best_id, score = _best_fuzzy(text, candidates, fuzzy_floor)
                if best_id is not None:
                    winners[text] = (best_id, score)
            entries = self.index.fetch(org_id, {entry_id for entry_id, _ in winners.values()})
            for text, (entry_id, score) in winners.items():
                winner = entries.get(entry_id)
                if winner is not None:  # else deleted meanwhile
                    for i in pending[text]:
                        results[i] = _fuzzy(winner, score, norms[i])
        if touch:
            used = {m.entry_id for m in results if m is not None}
            if used:
                self.index.touch(used, utcnow())
        return results

    def search(
        self, org_id: str, pair: Pair | None = None, q: str | None = None, *,
        limit: int = 50, offset: int = 0,
    ) -> list[Entry]:  # fmt: skip
        """Entries newest first, `q` matched in source or target, case-insensitively."""
        if not 1 <= limit <= 1000:
            raise ValidationError("limit must be 1-1000", field="limit")
        if offset < 0:
            raise ValidationError("offset must be 0 or more", field="offset")
        return self.index.search(org_id, pair, q or None, limit=limit, offset=offset)

    def delete(self, org_id: str, ids: Iterable[int]) -> int:
        """Delete entries of the organization (other organizations' ids are ignored)."""
        return self.index.delete(org_id, ids)

    def entries(self, org_id: str, pair: Pair) -> Iterator[Entry]:
        """Every entry of a pair, oldest first."""
        return self.index.iter_entries(org_id, pair)

    def pairs(self, org_id: str) -> list[tuple[Pair, int]]:
        """The organization's pairs with their entry counts."""
        return self.index.pairs(org_id)

    def has_entries(self, org_id: str, pair: Pair) -> bool:
        """Whether the organization has any entry for the pair (cheap: one indexed row)."""
        return self.index.has_entries(org_id, pair)


def _exact(entry: Entry, segment: Segment, norm: Normalised, prev: int | None) -> Match:
    entry_spans = normalise(entry.source).spans if MASK in entry.source_norm else ()
    if entry_spans != norm.spans:
        target = adapt(entry.target, entry_spans, norm.spans) or entry.target
        score = 100 - PLACEHOLDER_PENALTY
        return Match(score, band_for(score), target, entry.source, entry.id, entry.origin, True)
    in_context = (segment.key is not None and segment.key == entry.context_key) or (
        prev is not None and prev == entry.prev_hash
    )
    score = 101 if in_context else 100
    return Match(score, band_for(score), entry.target, entry.source, entry.id, entry.origin)


def _best_fuzzy(text: str, candidates: list[Candidate], floor: int) -> tuple[int | None, int]:
    best: int | None = None
    best_key = (floor - 1, 0, 0)
    for entry in candidates:
        score = min(99, int(fuzz.ratio(text, entry.source_norm, score_cutoff=floor)))
        key = (score, -ORIGIN_RANK[entry.origin], entry.id)
        if score >= floor and key > best_key:
            best, best_key = entry.id, key
    return best, best_key[0]


def _fuzzy(entry: Entry, score: int, norm: Normalised) -> Match:
    entry_spans = normalise(entry.source).spans if MASK in entry.source_norm else ()
    target = adapt(entry.target, entry_spans, norm.spans)
    return Match(
        score, band_for(score), entry.target if target is None else target, entry.source,
        entry.id, entry.origin, entry_spans != norm.spans,
    )  # fmt: skip
