"""Analysis of a source artifact for one target: segments, words and characters per match band,
as CAT tools report them (Trados, memoQ, Lingo24's metrics).

Each translatable unit is one segment (a document's units are already sentences; each form of
a plural unit is a segment of its own). A segment falls in the first band that applies:

1. `IN_CONTEXT_EXACT` (101%): the TM holds the same source with the same key or previous
   segment;
2. `EXACT` (100%): the TM holds the same normalised source (placeholders alike);
3. `REPETITION`: the same normalised source (whitespace collapsed, placeholders and tags
   masked) came earlier in the artifact; as in Trados, a repetition is counted only for a
   segment without a better TM match, so 101% and 100% win over it, and it wins over fuzzy
   matches (a placeholder-adapted exact match scores 99 and is fuzzy);
4. the fuzzy bands 95-99, 85-94, 75-84, 50-74, by the TM's score;
5. `NO_MATCH`.

Words follow `content.words.count_words` (CJK and Thai by character); characters exclude
whitespace, placeholders and tags; `white_spaces` counts the whitespace characters. Machine
translation covers what the pipeline would send to an engine: the fuzzy and no-match bands
but for 99% matches that differ only in placeholders (the TM stage applies 101%, 100% and
those, adapted; repetitions reuse the first occurrence's translation).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from dragoman.content.documents.inline import plain
from dragoman.content.filters import is_translatable
from dragoman.content.model import Unit
from dragoman.content.placeholders import mask_spans
from dragoman.content.words import count_words
from dragoman.core.assets.tm import Band, Match, Segment, TranslationMemory, pair_of
from dragoman.core.assets.tm_text import normalise

REPETITION = "REPETITION"
IN_CONTEXT_EXACT = "IN_CONTEXT_EXACT"
EXACT = "EXACT"
FUZZY_95_99 = "FUZZY_95_99"
FUZZY_85_94 = "FUZZY_85_94"
FUZZY_75_84 = "FUZZY_75_84"
FUZZY_50_74 = "FUZZY_50_74"
NO_MATCH = "NO_MATCH"
# Lingo24's metric names, in the order a CAT report lists them.
BANDS = (
    REPETITION,
    IN_CONTEXT_EXACT,
    EXACT,
    FUZZY_95_99,
    FUZZY_85_94,
    FUZZY_75_84,
    FUZZY_50_74,
    NO_MATCH,
)
CAT_LABELS = {
    REPETITION: "Repetitions",
    IN_CONTEXT_EXACT: "101% (in context)",
    EXACT: "100%",
    FUZZY_95_99: "95-99%",
    FUZZY_85_94: "85-94%",
    FUZZY_75_84: "75-84%",
    FUZZY_50_74: "50-74%",
    NO_MATCH: "No match",
}
_TM_BANDS = {
    Band.IN_CONTEXT: IN_CONTEXT_EXACT,
    Band.EXACT: EXACT,
    Band.FUZZY_95: FUZZY_95_99,
    Band.FUZZY_85: FUZZY_85_94,
    Band.FUZZY_75: FUZZY_75_84,
    Band.FUZZY_50: FUZZY_50_74,
}
_APPLIED = (IN_CONTEXT_EXACT, EXACT)  # the TM stage fills these; MT never sees them
MACHINE_BANDS = (FUZZY_95_99, FUZZY_85_94, FUZZY_75_84, FUZZY_50_74, NO_MATCH)


@dataclass(slots=True)
class Counts:
    """Segments, words, characters (no whitespace) and whitespace characters."""

    segments: int = 0
    words: int = 0
    characters: int = 0
    white_spaces: int = 0

    def add(self, other: Counts) -> None:
        """Add `other` into this one."""
        self.segments += other.segments
        self.words += other.words
        self.characters += other.characters
        self.white_spaces += other.white_spaces


@dataclass(slots=True)
class Analysis:
    """Counts per band (every name of BANDS present), their total, and what MT would cover."""

    bands: dict[str, Counts] = field(default_factory=lambda: {b: Counts() for b in BANDS})
    total: Counts = field(default_factory=Counts)
    machine_translatable: Counts = field(default_factory=Counts)

    def words(self, band: str) -> int:
        """The words of one band."""
        return self.bands[band].words


@dataclass(frozen=True, slots=True)
class Piece:
    """One segment to analyse: its source, its TM segment (None: never looked up) and its
    reader text's counts."""

    source: str
    segment: Segment | None
    counts: Counts


def measure(text: str) -> Counts:
    """The counts of one segment of reader text (placeholders and tags are not counted)."""
    bare = mask_spans(text, "")
    spaces = sum(1 for ch in bare if ch.isspace())
    return Counts(1, count_words(text), len(bare) - spaces, spaces)


def pieces(units: Sequence[Unit], *, tagged: bool = False) -> Iterator[Piece]:
    """The segments of translatable units in order; `tagged`: documents' tagged text.

    TM segments are those the pipeline looks up (worker/tm_stage.py): key = unit id,
    previous = the previous translatable unit's source. Each form of a plural unit is a
    segment of its own that the TM never serves (an entry holds one form)."""
    previous: str | None = None
    for unit in units:
        if not unit.translatable:
            continue
        if unit.plural:
            for source in unit.plural.values():
                reader = plain(source) if tagged else source
                if is_translatable(reader):
                    yield Piece(source, None, measure(reader))
        else:
            reader = plain(unit.source) if tagged else unit.source
            if is_translatable(reader):
                segment = Segment(unit.source, key=unit.id, previous=previous)
                yield Piece(unit.source, segment, measure(reader))
        previous = unit.source


def band_of(match: Match | None, repeated: bool) -> str:
    """The band of one segment from its TM match and whether its source came earlier."""
    if match is not None and _TM_BANDS[match.band] in _APPLIED:
        return _TM_BANDS[match.band]
    if repeated:
        return REPETITION
    return NO_MATCH if match is None else _TM_BANDS[match.band]


def analyse(
    units: Sequence[Unit],
    *,
    source_locale: str,
    target_locale: str,
    tm: TranslationMemory | None,
    org_id: str,
    tagged: bool = False,
) -> Analysis:
    """Band counts of `units` for one target: one TM look-up (read-only) with every segment."""
    segments = list(pieces(units, tagged=tagged))
    looked_up = [p.segment for p in segments if p.segment is not None]
    found: list[Match | None] = []
    if tm is not None and looked_up:
        pair = pair_of(source_locale, target_locale)
        found = tm.lookup(org_id, pair, looked_up, touch=False)
    matches = iter(found)
    analysis = Analysis()
    seen: set[str] = set()
    for piece in segments:
        match = next(matches, None) if piece.segment is not None else None
        norm = normalise(piece.source).text
        band = band_of(match, norm in seen)
        seen.add(norm)
        analysis.bands[band].add(piece.counts)
        analysis.total.add(piece.counts)
        if band in MACHINE_BANDS and not _adapted(match):
            analysis.machine_translatable.add(piece.counts)
    return analysis


def _adapted(match: Match | None) -> bool:
    """An exact match but for its placeholders, which the TM stage applies (adapted)."""
    return match is not None and match.placeholders_differ and match.score >= 99
