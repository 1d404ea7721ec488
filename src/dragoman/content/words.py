"""Word counts as CAT tools report them: words for most scripts, characters for Chinese,
Japanese, Korean and Thai (which write no spaces between words)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dragoman.content.placeholders import mask_spans

# Han, Hiragana, Katakana, Hangul, Thai: each character counts as one word.
_CHAR_SCRIPTS = (
    "\u0e00-\u0e7f"  # Thai
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"  # Hangul
)
_CHAR = re.compile(f"[{_CHAR_SCRIPTS}]")
# A word: letters or digits, joined by an apostrophe, hyphen, period or comma inside
# (`don't`, `e-mail`, `3.5`, `1,000`), outside the character-counted scripts.
_WORD = re.compile(rf"(?:(?![{_CHAR_SCRIPTS}])\w)+(?:['\u2019\-.,](?:(?![{_CHAR_SCRIPTS}])\w)+)*")


def count_words(text: str) -> int:
    """Words in `text`; placeholders, tags and inline markers are not words."""
    plain = mask_spans(text)
    return len(_CHAR.findall(plain)) + len(_WORD.findall(plain))


def count_all(texts: Iterable[str]) -> int:
    """The sum of `count_words` over `texts`."""
    return sum(count_words(t) for t in texts)
