"""The placeholders a text carries, ICU-aware: a good translation has exactly its source's."""

from __future__ import annotations

from collections import Counter

from dragoman.content.icu import icu_signature
from dragoman.content.placeholders import find_spans


def placeholder_signature(text: str) -> Counter[str]:
    """The multiset of placeholders in `text`; a good translation has exactly its source's."""
    signature = icu_signature(text)
    if signature is not None:
        return signature
    return Counter(find_spans(text))
