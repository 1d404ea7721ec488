"""Which language a set of texts is written in (a source locale of `auto`), with lingua."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

# Markup and placeholders carry no language and would pull short strings towards whichever
# language has `s`, `d` or `name` as frequent trigrams.
_NOISE = re.compile(
    r"""
      https?://\S+ | [\w.+-]+@[\w-]+\.[\w.]+       # URLs and e-mail addresses
    | %\{\w+\} | %<\w+>\w | \{\{?\s*[\w.]*\s*\}?\}   # %{name}, %<n>s, {name}, {{name}}, {0}
    | <[^<>]{0,200}>                                 # HTML/XML tags, inline markers
    | &[#\w]{1,10};                                  # entities
    | \{\s*\w+\s*,\s*\w+\s*,?                        # ICU argument heads `{n, plural,`
    | (?:=\d+|zero|one|two|few|many|other)\s*\{      # ICU selectors `one {`
    | %(?:\d+\$)?[-+ 0\#]*\d*(?:\.\d+)?[hlLqjzt]*[sdifuxXoeEgGcp@%]   # printf, %1$s, %@
    | [\[\]{}#|]                                     # leftover ICU braces and `#`
    """,
    re.VERBOSE,
)
# Low-accuracy mode reads trigrams only; a file's strings taken together are plenty, and a
# cap keeps a 20 MiB file from costing seconds.
_MAX_CHARS = 10_000
# ISO 639-1 codes that BCP-47 callers may still send for a language lingua knows by another.
_ALIASES = {"no": "nb", "iw": "he", "in": "id", "tw": "ak"}

_lock = threading.Lock()
HIGH_ACCURACY_MAX = 16  # languages; all 75 at high accuracy would cost about 1 GB


def detect_locale(
    texts: Sequence[str], candidates: Iterable[str] | None = None, *, high_accuracy: bool = False
) -> str | None:
    """The BCP-47 language of `texts` taken together (one of `candidates` when given), or None
    when there is no text to tell by; CPU-bound, so async callers run it on a thread.

    `high_accuracy` (with at most HIGH_ACCURACY_MAX candidates, else ignored) loads lingua's
    full models for those languages: right far more often on a short UI string, at about
    15 MB and 0.2 s per language on first use."""
    sample = _sample(texts)
    if not sample:
        return None
    by_code: dict[str, str] = {}
    if candidates is not None:
        for tag in candidates:
            code = _language_code(tag)
            if code is not None:
                by_code.setdefault(code, tag)
        if not by_code:
            return None
        if len(by_code) == 1:  # lingua needs two languages to choose between
            return next(iter(by_code.values()))
    high = high_accuracy and 0 < len(by_code) <= HIGH_ACCURACY_MAX
    detector = _detector(frozenset(by_code) if by_code else None, high)
    found = detector.detect_language_of(sample)
    if found is None:
        return None
    code = language_of(found)
    return by_code.get(code, code)


def _sample(texts: Sequence[str]) -> str:
    """The texts without markup, deduplicated, spread over the whole file, capped."""
    step = max(1, len(texts) // 2000)
    seen: set[str] = set()
    parts: list[str] = []
    size = 0
    for text in texts[::step]:
        clean = " ".join(_NOISE.sub(" ", text).split())
        if clean in seen or not any(ch.isalpha() for ch in clean):
            continue
        seen.add(clean)
        parts.append(clean)
        size += len(clean) + 1
        if size >= _MAX_CHARS:
            break
    return "\n".join(parts)


def _language_code(tag: str) -> str | None:
    """The ISO 639-1 code lingua knows for a BCP-47 tag (`pt-BR` -> `pt`), or None."""
    from lingua import IsoCode639_1

    code = tag.strip().replace("_", "-").split("-")[0].lower()
    code = _ALIASES.get(code, code)
    try:
        IsoCode639_1.from_str(code)
    except ValueError:
        return None
    return code


def _detector(codes: frozenset[str] | None, high: bool = False) -> LanguageDetector:
    """The detector for `codes` (None: every language), built once per process and set."""
    with _lock:  # two first requests at once must not both build it
        return _build(codes, high)


@lru_cache(maxsize=32)
def _build(codes: frozenset[str] | None, high: bool = False) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if codes is None:
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        isos = [IsoCode639_1.from_str(code) for code in sorted(codes)]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
    if high:
        return builder.build()
    # Low accuracy: trigram models only, about 80 MB for every language instead of 1 GB.
    return builder.with_low_accuracy_mode().build()


def language_of(language: Language) -> str:
    """The BCP-47 tag of a lingua language."""
    return language.iso_code_639_1.name.lower()
