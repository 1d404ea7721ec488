"""A large TMX is parsed in a reader process while the importer stores and indexes each batch:
the same entries as the in-thread import, a bad file's error with its line, and a snapshot
that a new index loads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dragoman.core import orgs
from dragoman.core.assets import tm_io, tmx
from dragoman.core.assets.tm import Segment, TranslationMemory, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.sqlite import SqlTmIndex
from dragoman.errors import FileFormatError
from dragoman.store.db import Database

PAIR = parse_pair("en-es")


def _tmx(path: Path, count: int) -> Path:
    records = (
        tmx.TmxRecord(f"Sentence number {n} about the {n % 7} red houses {{name}}",
                      f"Frase {n} sobre {n % 7} casas {{name}}", {tmx.PROP_KEY: f"k{n}"})
        for n in range(count)
    )  # fmt: skip
    with path.open("wb") as out:
        tmx.write(out, "en", "es", records)
    return path


@pytest.fixture
def tm(database_url: str) -> Iterator[tuple[TranslationMemory, str]]:
    db = Database(database_url)
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "acme").id
    yield TranslationMemory(for_database(db)), org
    db.dispose()


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["reader-process", "in-thread"])
def test_import_stores_indexes_and_snapshots(
    tm: tuple[TranslationMemory, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    threshold: int,
) -> None:  # fmt: skip
    memory, org = tm
    monkeypatch.setattr(tm_io, "IN_PROCESS_BYTES", threshold)
    path = _tmx(tmp_path / "tm.tmx", 12_000)  # more than one batch
    seen: list[int] = []
    assert tm_io.import_tmx(memory, org, str(path), pair=PAIR, progress=seen.append) == {
        PAIR: 12_000
    }
    assert seen[-1] == 12_000
    assert memory.pairs(org) == [(PAIR, 12_000)]
    index = memory.index
    assert isinstance(index, SqlTmIndex)
    fresh = TranslationMemory(type(index)(index.db))  # another process: the snapshot
    snapshot = fresh.index._load_snapshot(org, PAIR)  # type: ignore[attr-defined]
    assert snapshot is not None and snapshot.size == 12_000
    found = fresh.lookup(
        org, PAIR,
        [Segment("Sentence number 5 about the 5 red houses {user}", key="k5"),
         Segment("Sentence number 11998 about the 7 red houses {name}")],
    )  # fmt: skip
    assert found[0] is not None and found[0].target == "Frase 5 sobre 5 casas {user}"
    assert found[1] is not None and found[1].source.startswith("Sentence number 11998")


def test_a_bad_file_in_the_reader_process_names_its_line(
    tm: tuple[TranslationMemory, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, org = tm
    monkeypatch.setattr(tm_io, "IN_PROCESS_BYTES", 0)
    path = tmp_path / "bad.tmx"
    path.write_text('<?xml version="1.0"?>\n<tmx version="1.4"><body>\n<tu><tuv>\n</body></tmx>')
    with pytest.raises(FileFormatError) as caught:
        tm_io.import_tmx(memory, org, str(path), pair=PAIR)
    assert caught.value.line == 4
    assert caught.value.message.count("(line 4)") == 1
