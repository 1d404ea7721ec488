"""Reading a TMX file into entries, in batches per pair; also the body of a reader process.

`batches` yields (units read, pair, entries) as each batch fills. A large file's import runs
`read_in_process` in a process of its own (spawned: nothing of the importing process is
inherited), which sends each batch as INSERT rows over a pipe, so parsing and storing use
two cores instead of taking turns on one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import IO

from dragoman.core.assets import tmx
from dragoman.core.assets.tm import new_entry, pair_of
from dragoman.core.assets.tm_index.base import NewEntry, Origin, Pair
from dragoman.core.assets.tm_index.rows import entry_rows
from dragoman.core.assets.tm_text import entry_hash
from dragoman.errors import FileFormatError, ValidationError
from dragoman.timefmt import utcnow

BATCH = 5_000


def batches(
    stream: IO[bytes] | str, pair: Pair | None
) -> Iterator[tuple[int, Pair, list[NewEntry]]]:
    """(units read so far, pair, entries) for each full batch, then the partial ones."""
    pending: dict[Pair, list[NewEntry]] = {}
    pairs: dict[tuple[str, str], Pair] = {}
    read = 0
    now = utcnow()  # units without a creation date
    for unit in tmx.read(stream):
        read += 1
        if pair is not None:  # the usual case, without a generator per unit
            source, target = _pair_texts(unit.variants, pair)
            found: Iterable[tuple[Pair, str, str]] = (
                ((pair, source, target),) if source is not None and target is not None else ()
            )
        else:
            found = _unit_pairs(unit, None, pairs)
        for entry_pair, source, target in found:
            entry = new_entry(
                source, target, origin=Origin.IMPORT, key=unit.props.get(tmx.PROP_KEY),
                created_at=unit.created_at or now,
            )  # fmt: skip
            if prev := unit.props.get(tmx.PROP_PREV, "").strip():
                entry = _with_prev(entry, prev, unit.line)
            batch = pending.setdefault(entry_pair, [])
            batch.append(entry)
            if len(batch) >= BATCH:
                yield read, entry_pair, batch
                pending[entry_pair] = []
    for entry_pair, batch in pending.items():
        if batch:
            yield read, entry_pair, batch
    yield read, pair or Pair("", ""), []  # the count of units read, with no entries


def read_in_process(
    path: str, org_id: str, pair: Pair | None, sqlite: bool, out: Connection
) -> None:
    """A reader process's body: ("rows", units read, pair, rows) per batch, then ("done",
    units read, None, None), or ("error", line, message, None) for a bad file."""
    try:
        for read, entry_pair, batch in batches(path, pair):
            rows = list(entry_rows(org_id, entry_pair, batch, sqlite)) if batch else []
            out.send(("rows", read, entry_pair, rows))
        out.send(("done", 0, None, None))
    except FileFormatError as exc:
        out.send(("error", exc.line, exc.message, None))
    except OSError as exc:
        out.send(("error", None, f"the TMX file cannot be read: {exc.strerror}", None))
    finally:
        out.close()


@lru_cache(maxsize=1024)
def _same_language(tag: str, locale: str) -> bool:
    """True when a file's language tag names `locale` or its primary language."""
    tag = tag.replace("_", "-").lower()
    locale = locale.lower()
    return tag == locale or tag.split("-")[0] == locale.split("-")[0]


def _with_prev(entry: NewEntry, prev: str, line: int) -> NewEntry:
    """The entry with the previous-segment hash a Dragoman export carried."""
    try:
        prev_hash = int(prev)
    except ValueError:
        raise FileFormatError(f"prop {tmx.PROP_PREV} must be an integer", line=line) from None
    return replace(
        entry,
        prev_hash=prev_hash,
        entry_hash=entry_hash(entry.source, entry.target, entry.context_key, prev_hash),
    )


def _pair_texts(variants: dict[str, str], pair: Pair) -> tuple[str | None, str | None]:
    """The first variant in the pair's source language and the first in its target's."""
    source = target = None
    for lang, text in variants.items():
        if source is None and _same_language(lang, pair.source):
            source = text
        if target is None and _same_language(lang, pair.target):
            target = text
    return source, target


def _unit_pairs(
    unit: tmx.TmxUnit, pair: Pair | None, cache: dict[tuple[str, str], Pair]
) -> Iterator[tuple[Pair, str, str]]:
    if pair is not None:
        source = next(
            (t for lang, t in unit.variants.items() if _same_language(lang, pair.source)), None
        )
        target = next(
            (t for lang, t in unit.variants.items() if _same_language(lang, pair.target)), None
        )
        if source is not None and target is not None:
            yield pair, source, target
        return
    srclang = unit.srclang
    if not srclang or srclang == "*all*":
        raise FileFormatError("the TMX file names no srclang: give the pair", line=unit.line)
    source = next((t for lang, t in unit.variants.items() if _same_language(lang, srclang)), None)
    if source is None:
        return
    for lang, target in unit.variants.items():
        if _same_language(lang, srclang):
            continue
        found = cache.get((srclang, lang))
        if found is None:
            try:
                found = cache[(srclang, lang)] = pair_of(srclang, lang)
            except ValidationError as exc:
                raise FileFormatError(exc.message, line=unit.line) from None
        yield found, source, target
