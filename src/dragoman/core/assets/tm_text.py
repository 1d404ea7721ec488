"""Translation-memory text: normalisation (placeholders and tags masked), hashing, adaptation.

`Hello {name}` and `Hello {user}` normalise alike (`Hello \\ue000`), so they meet as an
exact match with a placeholder difference; `adapt` then carries the segment's own
placeholders into the stored target, position by position.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from hashlib import blake2b

from dragoman.content.placeholders import span_pattern

# One private-use character per placeholder or tag: spans count as one character in the
# fuzzy score and never look like words to a word or trigram index.
MASK = "\ue000"


@dataclass(frozen=True, slots=True)
class Normalised:
    """A text with spans masked and whitespace collapsed, its spans, and its hash."""

    text: str
    spans: tuple[str, ...]
    hash: int


def text_hash(text: str) -> int:
    """A signed 64-bit hash of a text (fits a BIGINT column)."""
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def normalise(text: str) -> Normalised:
    """NFC, every placeholder, tag and inline code masked, runs of whitespace made one space."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    pattern = span_pattern(text)
    spans: tuple[str, ...] = ()
    if pattern is not None:
        parts = pattern.split(text)
        if len(parts) > 1:
            spans = tuple(parts[1::2])
            text = MASK.join(parts[0::2])
    masked = " ".join(text.split())
    return Normalised(masked, spans, text_hash(masked))


def entry_hash(source: str, target: str, key: str | None, prev_hash: int | None) -> int:
    """The identity of an entry: same source, target and context are one entry."""
    prev = "" if prev_hash is None else str(prev_hash)
    return text_hash(f"{source}\x00{target}\x00{key or ''}\x00{prev}")


def adapt(target: str, entry_spans: tuple[str, ...], spans: tuple[str, ...]) -> str | None:
    """`target` with the entry's spans replaced by the segment's, matched by position in
    the source; None when the two sources do not hold the same number of spans."""
    if entry_spans == spans:
        return target
    if len(entry_spans) != len(spans):
        return None
    pattern = span_pattern(target)
    if pattern is None:
        return target
    parts = pattern.split(target)
    used = [False] * len(entry_spans)
    for index in range(1, len(parts), 2):
        for n, span in enumerate(entry_spans):
            if not used[n] and span == parts[index]:
                used[n] = True
                parts[index] = spans[n]
                break
    return "".join(parts)
