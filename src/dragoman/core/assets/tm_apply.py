"""Translation-memory matches applied to units (101%/100%, and 99% where only placeholders
differ, adapted) and machine output recorded: what a job's TM stage and a synchronous
`/process/localize` request share.

Applied matches get state TM_EXACT, origin `tm` and their score. Plural units always go to
the engine (a TM entry holds one form). Fuzzy matches are never applied: they are
suggestions for human work, computed only when asked for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from dragoman.content.filters import is_translatable
from dragoman.content.model import Unit, UnitState
from dragoman.content.signature import placeholder_signature
from dragoman.core.assets.tm import Match, Segment, TranslationMemory, pair_of
from dragoman.core.assets.tm_index.base import Origin, Pair
from dragoman.errors import ValidationError

ORIGIN = "tm"
APPLY_FLOOR = 99  # 101 in context, 100 exact, 99 exact but for placeholders (adapted)


@dataclass(slots=True)
class TmApplied:
    """The job's units with TM targets applied, and what the TM gave."""

    units: list[Unit]
    matches: dict[str, int] = field(default_factory=dict)  # unit id -> score applied
    suggestions: dict[str, Match] = field(default_factory=dict)  # unit id -> fuzzy match

    def metrics(self, per_unit: bool) -> dict[str, object]:
        """The `tm` part of the job's metrics; `per_unit` adds each unit's score."""
        used: dict[str, object] = {"units": len(self.matches)}
        if per_unit:
            used["matches"] = dict(self.matches)
        return used


def job_pair(source_locale: str, target_locale: str) -> Pair | None:
    """The TM pair of a job, or None when its locales are not canonical tags."""
    try:
        return pair_of(source_locale, target_locale)
    except ValidationError:
        return None


def segments_of(units: Sequence[Unit]) -> Iterator[tuple[int, Segment]]:
    """(unit index, TM segment) of each unit the TM may serve or learn from, lazily; the
    previous segment is the previous translatable unit's source."""
    previous: str | None = None
    for index, unit in enumerate(units):
        if not unit.translatable:
            continue
        if unit.plural is None and is_translatable(unit.source):
            yield index, Segment(unit.source, key=unit.id, previous=previous)
        previous = unit.source


SLICE = 20_000  # segments looked up at once: a 300,000-unit file never holds all its lookups


def _edged(source: str, target: str) -> str:
    """The target with the source's leading and trailing whitespace (the TM compares
    sources with whitespace collapsed)."""
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return lead + target.strip() + trail


def apply_matches(
    tm: TranslationMemory,
    org_id: str,
    pair: Pair,
    units: Sequence[Unit],
    *,
    suggestions: bool = False,
) -> TmApplied:
    """Units copied with 101%/100% (and adapted 99%) matches applied; the rest unchanged.
    Nothing is normalised or looked up when the organization has no memory for the pair."""
    applied = TmApplied(list(units))
    if not units or not tm.has_entries(org_id, pair):
        return applied
    batch: list[tuple[int, Segment]] = []
    for item in segments_of(units):
        batch.append(item)
        if len(batch) >= SLICE:
            _apply(tm, org_id, pair, units, batch, applied, suggestions)
            batch = []
    if batch:
        _apply(tm, org_id, pair, units, batch, applied, suggestions)
    return applied


def _apply(
    tm: TranslationMemory,
    org_id: str,
    pair: Pair,
    units: Sequence[Unit],
    wanted: list[tuple[int, Segment]],
    applied: TmApplied,
    suggestions: bool,
) -> None:
    """One batch look-up; its usable matches written into `applied`."""
    out = applied.units
    floor = 50 if suggestions else 100  # a floor of 100 skips the fuzzy search entirely
    found = tm.lookup(org_id, pair, [s for _, s in wanted], fuzzy_floor=floor)
    for (index, segment), match in zip(wanted, found, strict=True):
        if match is None:
            continue
        unit = units[index]
        usable = match.score >= 100 or (match.placeholders_differ and match.score >= APPLY_FLOOR)
        if not usable:
            applied.suggestions[unit.id] = match
            continue
        target = _edged(segment.source, match.target)
        if placeholder_signature(target) != placeholder_signature(segment.source):
            continue  # a stored target that lost a placeholder: the engine does better
        out[index] = dataclasses.replace(
            unit, target=target, state=UnitState.TM_EXACT, origin=ORIGIN, match=match.score
        )
        applied.matches[unit.id] = match.score


def record_machine(
    tm: TranslationMemory,
    org_id: str,
    pair: Pair,
    units: Sequence[Unit],
    issues: Sequence[dict[str, object]],
) -> int:
    """Store the engine's targets of a completed job (units that fell back to their source
    are skipped); returns how many entries were new."""
    failed = {str(issue.get("path")) for issue in issues if "term" not in issue}
    items = [
        (segment, units[index].target or "")
        for index, segment in segments_of(units)
        if units[index].state is UnitState.MACHINE
        and units[index].target
        and units[index].id not in failed
    ]
    return tm.record(org_id, pair, items, Origin.MACHINE) if items else 0
