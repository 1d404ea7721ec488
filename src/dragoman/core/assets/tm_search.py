"""Searching a translation memory by a query text: entries ranked by how closely their
source matches it, as the TM scores a look-up.

The hits are the entries containing the query in their source or target (the library's
`search`, newest `MAX_CONTAINING` of them) and the nearest `NEAREST` fuzzy candidates of
each pair searched (the same word index a job's look-up uses), kept where they score at
least the fuzzy floor. Each hit's score is the look-up's: 100 for the same normalised
source, 99 when only placeholders differ, else rapidfuzz's ratio (at most 99); an entry
found only because it contains the query may score below the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from dragoman.core.assets.tm import FUZZY_FLOOR, PLACEHOLDER_PENALTY, TranslationMemory
from dragoman.core.assets.tm_index.base import Entry, Pair
from dragoman.core.assets.tm_text import MASK, Normalised, normalise

MAX_CONTAINING = 1000  # the most the library's search returns at once
NEAREST = 100  # fuzzy candidates per pair


@dataclass(frozen=True, slots=True)
class ScoredEntry:
    """An entry found by a query, with its match score (0-100)."""

    entry: Entry
    score: int


def score_of(entry: Entry, query: Normalised) -> int:
    """How closely an entry's source matches a normalised query, as a look-up scores it."""
    if entry.source_norm == query.text:
        spans = normalise(entry.source).spans if MASK in entry.source_norm else ()
        return 100 if spans == query.spans else 100 - PLACEHOLDER_PENALTY
    return min(99, int(fuzz.ratio(query.text, entry.source_norm)))


def search_scored(
    tm: TranslationMemory, org_id: str, pair: Pair | None, q: str
) -> list[ScoredEntry]:
    """The organization's entries matching `q` (in `pair`, or in every pair it has), best
    score first, newest first among equals."""
    query = normalise(q)
    hits = {e.id: e for e in tm.search(org_id, pair, q, limit=MAX_CONTAINING)}
    pairs = [pair] if pair is not None else [p for p, _ in tm.pairs(org_id)]
    near: set[int] = set()
    if query.text.strip(MASK + " "):
        for each in pairs:
            exact = tm.index.exact(org_id, each, {query.hash}).get(query.hash, [])
            hits.update((e.id, e) for e in exact)
            (candidates,) = tm.index.fuzzy(org_id, each, [query.text], NEAREST)
            near.update(
                c.id
                for c in candidates
                if c.id not in hits and fuzz.ratio(query.text, c.source_norm) >= FUZZY_FLOOR
            )
    if near:
        hits.update(tm.index.fetch(org_id, near))  # deleted meanwhile: left out
    scored = [ScoredEntry(e, score_of(e, query)) for e in hits.values()]
    scored.sort(key=lambda s: (-s.score, -s.entry.id))
    return scored
