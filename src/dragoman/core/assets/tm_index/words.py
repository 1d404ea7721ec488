"""An in-process inverted index of words, to narrow fuzzy candidates before scoring them.

A query's rarest words are looked up first and the entries that share the most of them
become candidates; words so common that their lists would cost more than `budget` ids are
skipped (they say little about similarity). Deleted entries may linger in the lists: callers
drop ids they cannot find.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    """The distinct lower-cased words of a normalised text."""
    return set(_WORD.findall(text.lower()))


class WordIndex:
    """Word -> ids of the entries whose normalised source holds it."""

    def __init__(self, budget: int = 60_000) -> None:
        self.budget = budget
        self.max_id = 0
        self.size = 0
        self._postings: dict[str, array[int]] = {}

    def add(self, rows: Iterable[tuple[int, str]]) -> None:
        """Index (id, normalised source) rows; ids must grow."""
        postings = self._postings
        findall = _WORD.findall
        count = 0
        for entry_id, text in rows:
            for word in set(findall(text.lower())):
                ids = postings.get(word)
                if ids is None:
                    ids = postings[word] = array("q")
                ids.append(entry_id)
            count += 1
            if entry_id > self.max_id:
                self.max_id = entry_id
        self.size += count

    def candidates(self, text: str, limit: int) -> list[int]:
        """Ids of up to `limit` entries sharing the most rare words with `text`."""
        postings = self._postings
        lists = sorted((ids for w in words(text) if (ids := postings.get(w))), key=len)
        if not lists:
            return []
        counter: Counter[int] = Counter()
        spent = 0
        for ids in lists:
            if spent and spent + len(ids) > self.budget:
                break
            # The rarest word alone may be common: then only its newest entries count.
            counter.update(ids if len(ids) <= self.budget else ids[-self.budget :])
            spent += len(ids)
        return [entry_id for entry_id, _ in counter.most_common(limit)]
