"""Pseudo-localization: accented, padded, bracketed text that shows untranslated UI at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.engines.base import MARKER, AnyPairEngine, Segment, has_words

_ACCENTS = str.maketrans(
    "abcdeghiklnoprstuwyzABCDEGHIKLNOPRSTUWYZ", "áƀçđéĝĥíķĺñóþŕšţúŵýžÁßÇĐÉĜĤÍĶĹÑÓÞŔŠŢÚŴÝŽ"
)
_PADDING = "~"
_EXPANSION = 0.35  # German and Finnish run about a third longer than English


class PseudoEngine(AnyPairEngine):
    """Serves every pair of valid tags (`any_pair`, so `language_pairs()` is empty)."""

    name = "pseudo"
    batch_size = 10_000

    def translate_batch(self, segments: Sequence[Segment], source: str, target: str) -> list[str]:
        return [pseudo_localize(segment.text) for segment in segments]


def pseudo_localize(text: str) -> str:
    """`Save <x id="1"/>file` -> `[Šávé <x id="1"/>ƒíĺé~~~~]`; text without words unchanged."""
    if not has_words(text):
        return text
    parts, last = [], 0
    for found in MARKER.finditer(text):
        parts += [text[last : found.start()].translate(_ACCENTS), found.group()]
        last = found.end()
    parts.append(text[last:].translate(_ACCENTS))
    visible = len(MARKER.sub("", text))
    return "[" + "".join(parts) + _PADDING * max(1, round(visible * _EXPANSION)) + "]"
