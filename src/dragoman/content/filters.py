"""Decide which strings are prose worth sending to an engine."""

from __future__ import annotations

import re

from dragoman.content.placeholders import mask_spans

# Whole-string shapes that hold letters yet are not prose. No two adjacent repeats may match
# the same characters (`\d+[A-Za-z0-9]*` is quadratic on a long digit run; issue 9).
_NOT_PROSE = re.compile(
    r"""
    (?:https?|ftp)://\S+ | www\.\S+ | mailto:\S+             # URLs
    | [\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+                        # e-mail address
    | \#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})    # hex colour
    | \d{4}-\d{2}-\d{2}(?:[T\ ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?  # ISO date
    | [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}  # UUID
    | [A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+                  # identifiers: course_101, a.b_c
    | [A-Za-z]+\d[A-Za-z0-9]*+ | \d+[A-Za-z]+\d[A-Za-z0-9]*+     # codes: course101, 2fa3
    | [-+]?(?:\d[\d,.\s]*)?\d(?:[eE][-+]?\d+)?\s*(?:%|px|em|rem|pt|ms|s|kb|mb|gb)?  # numbers
    """,
    re.VERBOSE | re.IGNORECASE,
)

_LETTER = re.compile(r"[^\W\d_]")  # a letter in any script


def is_translatable(text: str) -> bool:
    """False for text with no prose: blank, numbers, URLs, colours, dates, bare placeholders."""
    stripped = text.strip()
    if not stripped or _NOT_PROSE.fullmatch(stripped):
        return False
    # Prose needs a letter outside placeholders, tags and entities.
    return _LETTER.search(mask_spans(stripped)) is not None
