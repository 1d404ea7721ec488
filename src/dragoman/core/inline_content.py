"""The pure steps of a synchronous translation: which strings to send, which the request's
reference translations already answer, the context they give, and cost estimates."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dragoman.content.filters import is_translatable
from dragoman.content.formats.structured import JsonPath, hints_for, iter_strings
from dragoman.content.signature import placeholder_signature
from dragoman.content.words import count_words
from dragoman.core.locales import normalize_locale
from dragoman.errors import ValidationError

CHARS_PER_TOKEN = 4  # the usual rule of thumb for output tokens; Lingo.dev's SDK says "approximate"


@dataclass(frozen=True, slots=True)
class Leaves:
    """The string leaves of a request's `data`, in document order."""

    paths: list[JsonPath]
    texts: list[str]

    @classmethod
    def of(cls, data: Any) -> Leaves:
        pairs = list(iter_strings(data))
        return cls([p for p, _ in pairs], [t for _, t in pairs])


def reference_tables(
    reference: Mapping[str, Any] | None,
) -> dict[str, dict[JsonPath, str]]:
    """Each reference locale's strings by path; locales normalised, malformed ones named."""
    tables: dict[str, dict[JsonPath, str]] = {}
    for tag, content in (reference or {}).items():
        locale = normalize_locale(tag, field=f"reference.{tag}")
        if not isinstance(content, dict):
            raise ValidationError(
                f"reference.{tag} must be an object of the same keys as data",
                field=f"reference.{tag}",
            )
        tables[locale] = dict(iter_strings(content))
    return tables


def known_answers(
    leaves: Leaves,
    tables: Mapping[str, Mapping[JsonPath, str]],
    source: str,
    target: str,
    *,
    changed_only: bool,
) -> dict[int, str]:
    """Leaf index -> a translation the reference already holds, with the same placeholders.

    A key's own reference translation answers it when its reference source is the text sent
    now, unless the client sends only new and changed keys (Lingo.dev's CLI: its target file
    still holds the stale translation of a changed key, next to the current source). Any other
    key the request does not ask for, whose source is the same text, answers it too.
    Translation memory and glossary lookups (issue 12) belong beside this one."""
    src, tgt = tables.get(source), tables.get(target)
    if not src or not tgt:
        return {}
    asked = set(leaves.paths)
    by_text: dict[str, str] = {}
    for path, text in src.items():
        found = tgt.get(path)
        if path not in asked and found and text not in by_text:
            by_text[text] = found
    answers: dict[int, str] = {}
    for index, (path, text) in enumerate(zip(leaves.paths, leaves.texts, strict=True)):
        found = None
        if not changed_only and src.get(path) == text:
            found = tgt.get(path)
        found = found or by_text.get(text)
        if found and placeholder_signature(found) == placeholder_signature(text):
            answers[index] = found
    return answers


def leaf_hints(
    leaves: Leaves,
    hints: Mapping[str, Sequence[str]] | None,
    tables: Mapping[str, Mapping[JsonPath, str]],
    source: str,
    *,
    with_references: bool,
) -> list[tuple[str, ...]] | None:
    """Breadcrumbs per leaf: the request's `hints`, then (for engines that read hints) the
    key's translations in the other reference locales as `locale: text`."""
    others = [(loc, table) for loc, table in sorted(tables.items()) if loc != source]
    if not hints and not (with_references and others):
        return None
    out: list[tuple[str, ...]] = []
    for path in leaves.paths:
        crumbs = hints_for(path, hints) if hints else ()
        if with_references:
            crumbs += tuple(f"{loc}: {table[path]}" for loc, table in others if path in table)
        out.append(crumbs)
    return out


def check_hints(hints: Any) -> Mapping[str, Sequence[str]] | None:
    """`hints` as key -> breadcrumbs; ValidationError naming the bad key otherwise."""
    if hints is None:
        return None
    if not isinstance(hints, dict):
        raise ValidationError("hints must be an object of key -> [breadcrumb, ...]", field="hints")
    for key, crumbs in hints.items():
        if not isinstance(crumbs, list) or not all(isinstance(c, str) for c in crumbs):
            raise ValidationError(f"hints.{key} must be an array of strings", field=f"hints.{key}")
    return hints


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a content's translatable strings amount to."""

    strings: int
    words: int
    chars: int


def analyze(texts: Sequence[str]) -> Analysis:
    """Translatable strings, their words (CJK and Thai by character) and characters."""
    kept = [t for t in texts if is_translatable(t)]
    return Analysis(len(kept), sum(count_words(t) for t in kept), sum(len(t) for t in kept))


def estimate(items: Sequence[tuple[str, int]], words: int | None = None) -> dict[str, Any]:
    """Lingo.dev's `/process/estimate` answer for (target locale, source characters) items:
    duplicate locales summed; self-hosted engines cost nothing, so every price is 0."""
    by_locale: dict[str, int] = {}
    for locale, chars in items:
        by_locale[locale] = by_locale.get(locale, 0) + chars
    rows = [
        {
            "targetLocale": locale,
            "sourceChars": chars,
            "estimatedOutputTokens": math.ceil(chars / CHARS_PER_TOKEN),
            "estimatedCostUsd": 0,
        }
        for locale, chars in by_locale.items()
    ]
    totals: dict[str, Any] = {
        "sourceChars": sum(r["sourceChars"] for r in rows),
        "estimatedOutputTokens": sum(r["estimatedOutputTokens"] for r in rows),
        "estimatedLlmCostUsd": 0,
        "estimatedLocalizationCostUsd": 0,
        "estimatedTotalCostUsd": 0,
    }
    if words is not None:
        totals["sourceWords"] = words * len(rows)
    return {"approximate": True, "totals": totals, "byLocale": rows}
