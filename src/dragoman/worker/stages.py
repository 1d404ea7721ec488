"""The stages a job runs through between claim and finish: load, extract, translate, assemble.

Each is a small function over plain values, so the pipeline reads top to bottom and each
stage can be tested alone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.structured import StructuredCodec
from dragoman.content.model import Extraction, Limits, Unit, UnitState
from dragoman.content.plurals import target_forms
from dragoman.content.terms import Glossary, translate_with
from dragoman.content.units import Translated as TranslatedStrings
from dragoman.content.units import TranslateFn, UnitIssue, translate_strings
from dragoman.errors import DragomanError

STRUCTURED = StructuredCodec()
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Source:
    """A job's parsed source: the codec that reads it and what it extracted."""

    codec: Codec
    extraction: Extraction


@dataclass(slots=True)
class Translated:
    """Units with their targets, and the units that fell back to their source."""

    units: list[Unit]
    issues: list[dict[str, object]]
    failed: int


class ExtractionCache:
    """Parsed sources by group id, so N target locales of one group parse it once per
    process (a bounded LRU: a 20 MiB file's units are kept for its sibling jobs only)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._items: OrderedDict[str, Source] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, group_id: str, load: Callable[[], Source]) -> Source:
        """The cached source of `group_id`, loading it once even when threads race."""
        with self._lock:
            found = self._items.get(group_id)
            if found is not None:
                self._items.move_to_end(group_id)
                return found
            gate = self._loading.setdefault(group_id, threading.Lock())
        with gate:
            with self._lock:
                found = self._items.get(group_id)
            if found is not None:
                return found
            source = load()
            with self._lock:
                self._items[group_id] = source
                self._items.move_to_end(group_id)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._loading.pop(group_id, None)
            return source


def extract_structured(content: str) -> Source:
    """The inline JSON object of a native request."""
    return Source(STRUCTURED, STRUCTURED.extract(json.loads(content)))


def extract_file(
    group_id: str, data: bytes, format_name: str, source_locale: str, limits: Limits
) -> Source:
    """A file's units, through the codec recorded on the group at submission."""
    codec = registry.get(format_name)
    start = time.perf_counter()
    extraction = codec.parse(data, source_locale=source_locale, limits=limits)
    log.info(
        "parsed the source of group %s: %d %s units in %.3f s",
        group_id,
        len(extraction.units),
        codec.name,
        time.perf_counter() - start,
    )
    return Source(codec, extraction)


def translate_units(
    units: Sequence[Unit],
    translate: TranslateFn,
    *,
    source_locale: str,
    target_locale: str,
    hints: Sequence[tuple[str, ...]] | None = None,
    origin: str = "mt",
    glossary: Glossary | None = None,
) -> Translated:
    """Every translatable unit's target (plural units get the target's CLDR categories),
    through the placeholder-safe `translate_strings` with the glossary's terms protected and
    placed; units are copied, never changed. Units already given a target (state other
    than NEW: from the TM) are kept as they are."""
    texts: list[str] = []
    # Which unit (and plural category) each text is for; an array and a sparse dict rather
    # than a tuple per text: a 300,000-unit file would spend 20 MB on the tuples alone.
    owners = array("L")
    categories: dict[int, str] = {}
    for index, unit in enumerate(units):
        if not unit.translatable or unit.state is not UnitState.NEW:
            continue
        if unit.plural is not None:
            for cat, text in target_forms(unit.plural, target_locale).items():
                categories[len(texts)] = cat
                texts.append(text)
                owners.append(index)
        else:
            texts.append(unit.source)
            owners.append(index)
    slot_hints = [hints[i] for i in owners] if hints is not None else None
    result, term_issues = translate_with(
        glossary,
        texts,
        lambda sent: _translate_in_slices(
            sent, translate, source_locale, target_locale, slot_hints
        ),
    )
    out = list(units)
    plural_targets: dict[int, dict[str, str]] = {}
    for position, (index, translated) in enumerate(zip(owners, result.texts, strict=True)):
        category = categories.get(position)
        if category is None:
            out[index] = dataclasses.replace(
                units[index], target=translated, state=UnitState.MACHINE, origin=origin
            )
        else:
            plural_targets.setdefault(index, {})[category] = translated
    for index, forms in plural_targets.items():
        out[index] = dataclasses.replace(
            units[index], target_plural=forms, state=UnitState.MACHINE, origin=origin
        )
    issues: list[dict[str, object]] = []
    failed: set[int] = set()
    for issue in result.issues:
        index, form = owners[issue.index], categories.get(issue.index)
        failed.add(index)
        path = units[index].id if form is None else f"{units[index].id}[{form}]"
        issues.append({"path": path, "source": issue.source, "message": issue.message})
    for term_issue in term_issues:  # the unit was translated: reported, not failed
        index, form = owners[term_issue.index], categories.get(term_issue.index)
        path = units[index].id if form is None else f"{units[index].id}[{form}]"
        issues.append({"path": path, "source": term_issue.source,
                       "message": term_issue.message, "term": term_issue.term.source})  # fmt: skip
    return Translated(out, issues, len(failed))


SLICE = 20_000  # strings planned at once: bounds the planner's memory on huge files


def _translate_in_slices(
    texts: list[str],
    translate: TranslateFn,
    source_locale: str,
    target_locale: str,
    hints: list[tuple[str, ...]] | None,
) -> TranslatedStrings:
    """`translate_strings` over slices of `texts`: a 300,000-string file never has all its
    plans alive at once (a repeat across slices costs one more engine segment)."""
    if len(texts) <= SLICE:
        return translate_strings(
            texts, translate, source_locale=source_locale, target_locale=target_locale, hints=hints
        )
    out: list[str] = []
    issues: list[UnitIssue] = []
    for start in range(0, len(texts), SLICE):
        part = translate_strings(
            texts[start : start + SLICE],
            translate,
            source_locale=source_locale,
            target_locale=target_locale,
            hints=hints[start : start + SLICE] if hints is not None else None,
        )
        out.extend(part.texts)
        issues.extend(UnitIssue(i.index + start, i.source, i.message) for i in part.issues)
    return TranslatedStrings(out, issues)


def unit_hints(
    source: Source, request_hints: Mapping[str, Sequence[str]] | None, engine_uses_hints: bool
) -> list[tuple[str, ...]] | None:
    """Breadcrumbs per unit: the request's `hints` for JSON objects; a file's own context and
    translator notes for files, when the engine reads hints (else None: better dedupe)."""
    if isinstance(source.codec, StructuredCodec):
        if not request_hints:
            return None
        return StructuredCodec.hints(source.extraction.skeleton, request_hints)
    if not engine_uses_hints:
        return None
    return [(*u.context, *u.notes) for u in source.extraction.units]


def assemble(source: Source, translated: Translated, target_locale: str) -> Any:
    """The output: a JSON object for structured sources, else the rendered file's bytes."""
    skeleton = source.extraction.skeleton
    if isinstance(source.codec, StructuredCodec):
        return source.codec.rebuild(skeleton, translated.units)
    try:
        return source.codec.render(skeleton, translated.units, target_locale=target_locale)
    except DragomanError:
        raise
    except Exception as exc:  # a codec bug must fail the job with a reason, not crash a thread
        raise DragomanError(
            f"could not write the translated {source.codec.name} file: {type(exc).__name__}"
        ) from exc
