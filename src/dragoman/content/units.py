"""Translate a job's strings: filter, protect, dedupe, two passes through the engine, and QA."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dragoman.content import icu
from dragoman.content.filters import is_translatable
from dragoman.content.placeholders import (
    check_markers,
    find_spans,
    marker,
    protect,
    restore,
    split_markers,
)
from dragoman.content.signature import placeholder_signature
from dragoman.engines.base import Segment
from dragoman.errors import EngineError, PlaceholderMismatchError

TranslateFn = Callable[[Sequence[Segment]], list[str]]
_Key = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class UnitIssue:
    """A string that could not be translated safely and was returned as its source."""

    index: int
    source: str
    message: str


@dataclass
class Translated:
    """One output per input string, and the strings that fell back to their source."""

    texts: list[str]
    issues: list[UnitIssue]


@dataclass(slots=True)
class _Seg:
    """One marked text to translate; its edge whitespace never reaches the engine."""

    lead: str
    core: str
    trail: str
    count: int  # markers in `core`
    send: bool
    result: str = ""

    @classmethod
    def of(cls, marked: str, count: int, send: bool | None = None) -> _Seg:
        lead, core, trail = _edges(marked)
        return cls(lead, core, trail, count, is_translatable(core) if send is None else send)


@dataclass(slots=True)
class _Plan:
    """How one input string is split into segments and rebuilt."""

    indices: list[int]  # every input position holding this same (source, hints)
    source: str
    hints: tuple[str, ...]
    lead: str = ""
    trail: str = ""
    segs: list[_Seg] = field(default_factory=list)
    spans: tuple[str, ...] = ()
    message: icu.IcuMessage | None = None

    def render(self, target_locale: str) -> str:
        """The rebuilt string from the segments' current results; raises on broken markers."""
        texts = [s.lead + s.result + s.trail for s in self.segs]
        if self.message is not None:
            body = self.message.render(texts, target_locale)
        else:
            body = restore(texts[0], self.spans)
        return self.lead + body + self.trail


def _edges(text: str) -> tuple[str, str, str]:
    """Split `text` into leading whitespace, core and trailing whitespace."""
    # str.strip() is linear; a regex such as `^(\s*)(.*?)(\s*)$` is quadratic on long inner
    # whitespace runs (issue 9). strip() and `\s` agree on what whitespace is.
    start = len(text) - len(text.lstrip())
    if start == len(text):
        return text, "", ""
    end = len(text.rstrip())
    return text[:start], text[start:end], text[end:]


def _plan(strings: Sequence[str], hints: Sequence[tuple[str, ...]] | None) -> list[_Plan]:
    """One plan per distinct (string, hints); a repeated string costs a dict lookup."""
    plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
    for i, source in enumerate(strings):
        key = (source, tuple(hints[i]) if hints else ())
        plan = plans.get(key)
        if plan is not None:
            plan.indices.append(i)
            continue
        plan = plans[key] = _Plan([i], *key)
        if not is_translatable(source):
            continue
        plan.lead, core, plan.trail = _edges(source)
        plan.message = icu.parse(core)
        if plan.message is not None:
            plan.segs = [_Seg.of(text, count) for text, count in plan.message.segments]
        else:
            protected = protect(core)
            plan.spans = protected.spans
            # The whole string already passed the filter; no need to ask again.
            plan.segs = [_Seg.of(protected.text, len(protected.spans), send=True)]
    return list(plans.values())


def plan_segments(strings: Sequence[str], hints: Sequence[tuple[str, ...]] | None = None) -> int:
    """How many unique segments the first pass of `translate_strings` will send."""
    return len({(s.core, p.hints) for p in _plan(strings, hints) for s in p.segs if s.send})


def _call(translate: TranslateFn, keys: Sequence[_Key]) -> dict[_Key, str]:
    """Translate unique (text, hints) keys in one call; the callback does the batching."""
    if not keys:
        return {}
    results = translate([Segment(text, hints) for text, hints in keys])
    if len(results) != len(keys):
        raise EngineError(f"the engine returned {len(results)} translations for {len(keys)}")
    return dict(zip(keys, results, strict=True))


def _markers_ok(seg: _Seg) -> bool:
    """Whether a segment's result carries each of its markers exactly once."""
    try:
        check_markers(seg.result, seg.count)
    except PlaceholderMismatchError:
        return False
    return True


def _finish(plan: _Plan, target_locale: str) -> tuple[str | None, str]:
    """The rebuilt string if it passes QA, else None and the reason."""
    if plan.message is None and not plan.spans:
        # Fast path for the most common string: plain prose with nothing protected.
        seg = plan.segs[0]
        result = plan.lead + seg.lead + seg.result + seg.trail + plan.trail
        if find_spans(result) or (icu.looks_icu(result) and placeholder_signature(result)):
            return None, "the engine added placeholder-like text"
        return result, ""
    try:
        result = plan.render(target_locale)
    except PlaceholderMismatchError as exc:
        return None, exc.message
    if plan.message is not None:
        same = placeholder_signature(result) == plan.message.signature()
    elif icu.looks_icu(result):
        same = placeholder_signature(result) == Counter(plan.spans)
    else:
        # A plain string's spans are exactly its placeholders, already found by protect();
        # sorted lists compare faster than Counters.
        same = sorted(find_spans(result)) == sorted(plan.spans)
    if not same:
        return None, "placeholders differ from the source after translation"
    return result, ""


def translate_strings(
    strings: Sequence[str],
    translate: TranslateFn,
    *,
    source_locale: str,
    target_locale: str,
    hints: Sequence[tuple[str, ...]] | None = None,
) -> Translated:
    """Translate every string, keeping placeholders exactly; unsafe results fall back to source."""
    plans = _plan(strings, hints)
    keys = dict.fromkeys((s.core, p.hints) for p in plans for s in p.segs if s.send)
    first = _call(translate, list(keys))

    texts: list[str] = list(strings)
    retry: list[tuple[_Plan, list[_Seg]]] = []
    for plan in plans:
        if not plan.segs:
            continue
        for seg in plan.segs:
            seg.result = first[(seg.core, plan.hints)] if seg.send else seg.core
        result, _ = _finish(plan, target_locale)
        if result is not None:
            for i in plan.indices:
                texts[i] = result
            continue
        # Retry the segments with broken markers, or all when the whole string failed QA.
        sent = [s for s in plan.segs if s.send]
        retry.append((plan, [s for s in sent if not _markers_ok(s)] or sent))

    # Second pass: only the marker-free text runs, so the engine cannot damage a marker.
    run_keys: dict[_Key, None] = {}
    split: list[list[list[str | int]]] = []
    for plan, segs in retry:
        pieces = [split_markers(seg.core) for seg in segs]
        split.append(pieces)
        for runs in pieces:
            for run in runs:
                if isinstance(run, str) and is_translatable(run):
                    run_keys[(run.strip(), plan.hints)] = None
    second = _call(translate, list(run_keys))

    issues: list[UnitIssue] = []
    for (plan, segs), pieces in zip(retry, split, strict=True):
        for seg, runs in zip(segs, pieces, strict=True):
            seg.result = "".join(_rebuilt(run, plan.hints, second) for run in runs)
        result, why = _finish(plan, target_locale)
        for i in plan.indices:
            if result is None:
                issues.append(UnitIssue(i, plan.source, why))
            else:
                texts[i] = result
    issues.sort(key=lambda issue: issue.index)
    return Translated(texts, issues)


def _rebuilt(run: str | int, hints: tuple[str, ...], second: dict[_Key, str]) -> str:
    """A run's translation with its own edge whitespace, or a marker put back as it was."""
    if isinstance(run, int):
        return marker(run)
    lead, core, trail = _edges(run)
    translated = second.get((core, hints))
    return run if translated is None else lead + translated + trail
