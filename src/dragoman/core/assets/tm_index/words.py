"""An in-process inverted index of words, to narrow fuzzy candidates before scoring them.

A query's rarest words are looked up first and the entries that share the most of them
become candidates; words so common that their lists would cost more than `budget` ids are
skipped (they say little about similarity). Deleted entries may linger in the lists: callers
drop ids they cannot find. `dumps`/`loads` turn an index into bytes and back (a snapshot a
new process loads instead of reading and splitting every entry again); a common word keeps
only its newest `budget` ids there, the only ones `candidates` ever reads.
"""

from __future__ import annotations

import json
import re
import struct
from array import array
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
_HEADER = struct.Struct("<4sII")  # magic, header length, id width
_MAGIC = b"DGW1"
MAX_WORDS = 6  # rarest query words counted: more cost time and add little


def words(text: str) -> set[str]:
    """The distinct lower-cased words of a normalised text."""
    return set(_WORD.findall(text.lower()))


class WordIndex:
    """Word -> ids of the entries whose normalised source holds it."""

    def __init__(self, budget: int = 12_000) -> None:
        self.budget = budget
        self.max_id = 0
        self.size = 0
        self._postings: dict[str, array[int]] = {}

    def add(self, rows: Iterable[tuple[int, str]]) -> None:
        """Index (id, normalised source) rows; ids must grow."""
        postings = self._postings
        get = postings.get
        findall = _WORD.findall
        count = 0
        last = self.max_id
        for entry_id, text in rows:
            for word in set(findall(text.lower())):
                ids = get(word)
                if ids is None:
                    ids = postings[word] = array("q")
                ids.append(entry_id)
            count += 1
            last = entry_id
        if last > self.max_id:
            self.max_id = last
        self.size += count

    def candidates(self, text: str, limit: int) -> list[int]:
        """Ids of up to `limit` entries sharing the most rare words with `text`."""
        postings = self._postings
        lists = sorted((ids for w in words(text) if (ids := postings.get(w))), key=len)
        if not lists:
            return []
        counter: Counter[int] = Counter()
        spent = 0
        for ids in lists[:MAX_WORDS]:
            if spent and spent + len(ids) > self.budget:
                break
            # The rarest word alone may be common: then only its newest entries count.
            counter.update(ids if len(ids) <= self.budget else ids[-self.budget :])
            spent += len(ids)
        return [entry_id for entry_id, _ in counter.most_common(limit)]

    def dumps(self) -> bytes:
        """The index as bytes for `loads` (common words cut to their newest `budget` ids)."""
        budget = self.budget
        lists = [(w, ids[-budget:]) for w, ids in self._postings.items()]
        body = array("q")
        for _, ids in lists:
            body.extend(ids)  # same-type arrays: a copy in C
        if self.max_id < 2**32:
            body = array("I", body)  # half the bytes
        header = json.dumps(
            {
                "max_id": self.max_id,
                "size": self.size,
                "budget": budget,
                "words": [w for w, _ in lists],
                "counts": [len(ids) for _, ids in lists],
            },
            separators=(",", ":"),
        ).encode()
        return _HEADER.pack(_MAGIC, len(header), body.itemsize) + header + body.tobytes()

    @classmethod
    def loads(cls, data: bytes) -> WordIndex | None:
        """An index from `dumps` output, or None when the bytes are not one."""
        if len(data) < _HEADER.size:
            return None
        magic, length, width = _HEADER.unpack_from(data)
        if magic != _MAGIC or width not in (4, 8):
            return None
        start = _HEADER.size
        header = json.loads(data[start : start + length])
        body = array("I" if width == 4 else "q")
        body.frombytes(data[start + length :])
        index = cls(int(header["budget"]))
        index.max_id = int(header["max_id"])
        index.size = int(header["size"])
        postings = index._postings
        offset = 0
        for word, count in zip(header["words"], header["counts"], strict=True):
            postings[word] = array("q", body[offset : offset + count])
            offset += count
        return index
