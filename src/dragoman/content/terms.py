"""Glossary terms in the pipeline: protect do-not-translate terms, place required target terms
and flag units whose target lacks one.

Pure functions over texts. `Glossary.protect` replaces each matched term (word boundaries,
longest first, case-insensitive unless the term says otherwise) by a tag that
`translate_strings` lifts like any placeholder, so the engine never sees the term;
`Prepared.restore` puts the source term back (do-not-translate) or the target term in the
source's case (required pairs); `Glossary.check` reports required terms missing from targets.
Matches never fall inside placeholders, tags or ICU syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from dragoman.content import icu
from dragoman.content.filters import is_translatable
from dragoman.content.placeholders import span_pattern
from dragoman.content.units import Translated, UnitIssue

_TOKEN_RE = re.compile(r'<dgm-term id="(\d+)"/>')
_TERM_TAG = "<dgm-term"
# In an ICU message, a name after `{` or `,` is an argument or its type, and a word before
# `{` is a branch selector: neither is text.
_ICU_BEFORE = re.compile(r"[{,]\s*$")
_ICU_AFTER = re.compile(r"\s*\{")


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry as the pipeline needs it."""

    source: str
    target: str
    case_sensitive: bool = False
    do_not_translate: bool = False


@dataclass(frozen=True, slots=True)
class TermIssue:
    """A text whose target lacks a required term (QA)."""

    index: int
    source: str
    term: Term
    message: str


def _token(n: int) -> str:
    return f'<dgm-term id="{n}"/>'


def _key(text: str) -> str:
    """Terms compare with runs of whitespace as one space."""
    return " ".join(text.split())


def _pattern(text: str) -> str:
    """A term as a regex: escaped, any run of whitespace for its spaces."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _bounded(alternatives: Iterable[str]) -> re.Pattern[str] | None:
    body = "|".join(alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)") if body else None


def _cased(target: str, found: str, term: Term) -> str:
    """The target term in the case the source used: FILE -> ARCHIVO, File -> Archivo."""
    if term.case_sensitive or not target:
        return target
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters) and not term.source.isupper():
        return target.upper()
    if letters and found[:1].isupper() and not term.source[:1].isupper():
        return target[:1].upper() + target[1:]
    return target


class Glossary:
    """The terms of one language pair, compiled once for a job's texts."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._exact: dict[str, Term] = {}
        self._folded: dict[str, Term] = {}
        # Longest first; at one length, case-sensitive terms before the others.
        ranked: list[tuple[int, int, str]] = []
        for term in terms:
            key = _key(term.source)
            if not key:
                continue
            if term.case_sensitive:
                if key in self._exact:
                    continue
                self._exact[key] = term
                ranked.append((-len(key), 0, _pattern(key)))
            else:
                if key.lower() in self._folded:
                    continue
                self._folded[key.lower()] = term
                ranked.append((-len(key), 1, f"(?i:{_pattern(key)})"))
        ranked.sort()
        self._regex = _bounded(pattern for *_, pattern in ranked)
        self.required = [
            t for t in (*self._exact.values(), *self._folded.values()) if not t.do_not_translate
        ]
        self._targets = {
            id(t): re.compile(
                rf"(?<!\w){_pattern(t.target)}(?!\w)", 0 if t.case_sensitive else re.IGNORECASE
            )
            for t in self.required
            if t.target.strip()
        }

    def __bool__(self) -> bool:
        return self._regex is not None

    def _term(self, found: str) -> Term | None:
        key = _key(found)
        return self._exact.get(key) or self._folded.get(key.lower())

    def matches(self, text: str) -> Iterator[tuple[int, int, Term]]:
        """(start, end, term) of each term in `text`, outside placeholders and ICU syntax."""
        if self._regex is None:
            return
        spans = span_pattern(text)
        looks_icu = icu.looks_icu(text)
        offset = 0
        pieces = spans.split(text) if spans is not None else [text]
        for position, piece in enumerate(pieces):
            if position % 2 == 0:  # text between spans (split's odd items are the spans)
                for found in self._regex.finditer(piece):
                    term = self._term(found.group())
                    if term is None:
                        continue
                    if looks_icu and (
                        _ICU_BEFORE.search(piece, 0, found.start())
                        or _ICU_AFTER.match(piece, found.end())
                    ):
                        continue
                    yield offset + found.start(), offset + found.end(), term
            offset += len(piece)

    def protect(self, texts: Sequence[str]) -> Prepared:
        """`texts` with their terms replaced by tokens `translate_strings` will protect."""
        out: list[str] = []
        places: dict[int, list[str]] = {}
        for index, text in enumerate(texts):
            if self._regex is None or _TERM_TAG in text or not is_translatable(text):
                out.append(text)  # prose only; a text that already holds tokens stays as is
                continue
            parts: list[str] = []
            fills: list[str] = []
            last = 0
            for start, end, term in self.matches(text):
                found = text[start:end]
                parts.append(text[last:start])
                parts.append(_token(len(fills)))
                fills.append(found if term.do_not_translate else _cased(term.target, found, term))
                last = end
            if not fills:
                out.append(text)
                continue
            parts.append(text[last:])
            out.append("".join(parts))
            places[index] = fills
        return Prepared(out, places)

    def check(self, sources: Sequence[str], targets: Sequence[str]) -> list[TermIssue]:
        """An issue per text whose source holds a required term its target lacks."""
        if not self.required:
            return []
        issues: list[TermIssue] = []
        for index, (source, target) in enumerate(zip(sources, targets, strict=True)):
            seen: set[int] = set()
            for _, _, term in self.matches(source):
                if term.do_not_translate or id(term) in seen:
                    continue
                seen.add(id(term))
                wanted = self._targets.get(id(term))
                if wanted is not None and wanted.search(target) is None:
                    issues.append(
                        TermIssue(
                            index,
                            source,
                            term,
                            f"glossary: {term.source!r} should be translated as "
                            f"{term.target!r}, which the target lacks",
                        )
                    )
        return issues


@dataclass(frozen=True, slots=True)
class Prepared:
    """Texts with term tokens, and what each token of each text stands for."""

    texts: list[str]
    places: dict[int, list[str]]

    def restore(
        self, translated: Sequence[str], originals: Sequence[str], fell_back: Iterable[int] = ()
    ) -> list[str]:
        """`translated` with each token replaced by its term; texts that fell back to their
        source get their original back, untouched by the glossary."""
        out = list(translated)
        for index in fell_back:
            out[index] = originals[index]
        back = set(fell_back)
        for index, fills in self.places.items():
            if index in back:
                continue
            out[index] = _TOKEN_RE.sub(partial(_fill, fills), out[index])
        return out


def _fill(fills: list[str], found: re.Match[str]) -> str:
    number = int(found.group(1))
    return fills[number] if number < len(fills) else found.group()


def translate_with(
    glossary: Glossary | None,
    texts: list[str],
    run: Callable[[list[str]], Translated],
) -> tuple[Translated, list[TermIssue]]:
    """`run` (a `translate_strings` call) over `texts` with the glossary's terms protected
    and placed, and the QA issues of required terms missing from the result."""
    if not glossary:
        return run(texts), []
    prepared = glossary.protect(texts)
    result = run(prepared.texts)
    fell_back = [issue.index for issue in result.issues]
    final = prepared.restore(result.texts, texts, fell_back)
    issues = [UnitIssue(i.index, texts[i.index], i.message) for i in result.issues]
    return Translated(final, issues), glossary.check(texts, final)
