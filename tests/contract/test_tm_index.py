"""One contract over every TmIndex: memory, SQL on SQLite, and PostgreSQL (word index, and
pg_trgm candidates)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dragoman.core import orgs
from dragoman.core.assets.tm import Band, Segment, TranslationMemory, new_entry, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Origin, TmIndex
from dragoman.core.assets.tm_index.memory import MemoryTmIndex
from dragoman.core.assets.tm_index.postgres import PostgresTmIndex
from dragoman.core.assets.tm_index.sqlite import SqlTmIndex
from dragoman.store.db import Database

PAIR = parse_pair("en-es")
OTHER_PAIR = parse_pair("en-fr")


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("postgresql-trgm", marks=pytest.mark.postgres),
    ]
)
def setup(request: pytest.FixtureRequest) -> Iterator[tuple[TmIndex, str, str]]:
    """An index and two organizations of its database."""
    if request.param == "memory":
        yield MemoryTmIndex(), "org_a", "org_b"
        return
    url = (
        request.getfixturevalue("sqlite_url")
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_databases").fresh()
    )
    db = Database(url)
    with db.write() as conn:
        a = orgs.get_or_create_org(conn, "a").id
        b = orgs.get_or_create_org(conn, "b").id
    index = for_database(db)
    if request.param.endswith("trgm"):
        with db.write() as conn:  # the extension, as 0006 creates it where it may
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        index = PostgresTmIndex(db, trigram=True)
        assert index.has_trgm
    yield index, a, b
    index.close()
    db.dispose()


def _tm(setup: tuple[TmIndex, str, str]) -> tuple[TranslationMemory, str, str]:
    index, a, b = setup
    return TranslationMemory(index), a, b


def test_add_skips_duplicates_and_empty(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    first = [
        new_entry("Save", "Guardar", origin=Origin.HUMAN),
        new_entry("Save", "Guardar", origin=Origin.HUMAN),
        new_entry("Open", "", origin=Origin.HUMAN),
    ]
    assert tm.add(org, PAIR, first) == 1
    assert tm.add(org, PAIR, [new_entry("Save", "Guardar", origin=Origin.IMPORT)]) == 0
    # same source, other context: a separate entry
    assert tm.add(org, PAIR, [new_entry("Save", "Guardar", origin=Origin.HUMAN, key="k")]) == 1
    assert tm.pairs(org) == [(PAIR, 2)]


def test_exact_in_context_and_placeholder_matches(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    tm.add(
        org,
        PAIR,
        [
            new_entry("Hello {name}", "Hola {name}", origin=Origin.HUMAN, key="greet"),
            new_entry("Next", "Siguiente", origin=Origin.HUMAN, previous="Back"),
        ],
    )
    exact, in_key, diff, in_prev, plain = tm.lookup(
        org,
        PAIR,
        [
            Segment("Hello {name}"),
            Segment("Hello {name}", key="greet"),
            Segment("Hello  {user}"),
            Segment("Next", previous="Back"),
            Segment("Next", previous="Home"),
        ],
    )
    assert exact is not None and (exact.score, exact.band) == (100, Band.EXACT)
    assert in_key is not None and (in_key.score, in_key.band) == (101, Band.IN_CONTEXT)
    assert diff is not None and diff.placeholders_differ
    assert (diff.score, diff.target) == (99, "Hola {user}")
    assert in_prev is not None and in_prev.score == 101
    assert plain is not None and plain.score == 100 and plain.target == "Siguiente"


def test_fuzzy_best_match_and_floor(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    tm.add(
        org,
        PAIR,
        [
            new_entry(
                "Save the document before closing the window",
                "Guarde el documento antes de cerrar la ventana",
                origin=Origin.HUMAN,
            ),
            new_entry("Delete the document", "Borre el documento", origin=Origin.HUMAN),
        ],
    )
    close, far = tm.lookup(
        org,
        PAIR,
        [
            Segment("Save the documents before closing the window"),
            Segment("Quantum chromodynamics"),
        ],
    )
    assert close is not None and 95 <= close.score <= 99 and close.band == Band.FUZZY_95
    assert close.target.startswith("Guarde el documento")
    assert far is None


def test_newest_human_wins_among_exact_matches(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    tm.add(org, PAIR, [new_entry("Cancel", "Cancelar (mt)", origin=Origin.MACHINE)])
    tm.add(org, PAIR, [new_entry("Cancel", "Anular", origin=Origin.HUMAN)])
    tm.add(org, PAIR, [new_entry("Cancel", "Cancelar", origin=Origin.HUMAN)])
    (match,) = tm.lookup(org, PAIR, [Segment("Cancel")])
    assert match is not None and match.target == "Cancelar" and match.origin == Origin.HUMAN


def test_organizations_and_pairs_are_isolated(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, other = _tm(setup)
    tm.add(org, PAIR, [new_entry("Welcome back", "Bienvenido de nuevo", origin=Origin.HUMAN)])
    assert tm.lookup(other, PAIR, [Segment("Welcome back")]) == [None]
    assert tm.lookup(org, OTHER_PAIR, [Segment("Welcome back")]) == [None]
    assert tm.lookup(other, PAIR, [Segment("Welcome back again")]) == [None]
    (entry,) = tm.search(org, PAIR, "welcome")
    assert tm.delete(other, [entry.id]) == 0
    assert tm.index.get(other, entry.id) is None
    assert tm.search(other) == []


def test_search_delete_and_touch(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    tm.add(
        org,
        PAIR,
        [
            new_entry("Open file", "Abrir archivo", origin=Origin.IMPORT),
            new_entry(
                "Close 100% of files", "Cerrar el 100% de los archivos", origin=Origin.IMPORT
            ),
        ],
    )
    assert [e.source for e in tm.search(org, PAIR, "ARCHIVO")] == [
        "Close 100% of files",
        "Open file",
    ]
    assert [e.source for e in tm.search(org, None, "100%")] == ["Close 100% of files"]
    assert len(tm.search(org, PAIR, None, limit=1)) == 1
    (entry,) = tm.search(org, PAIR, "open")
    assert entry.last_used_at is None
    (match,) = tm.lookup(org, PAIR, [Segment("Open file")])
    assert match is not None and match.entry_id == entry.id
    used = tm.index.get(org, entry.id)
    assert used is not None and used.last_used_at is not None
    assert tm.delete(org, [entry.id]) == 1
    assert tm.lookup(org, PAIR, [Segment("Open file")]) == [None]
    assert tm.lookup(org, PAIR, [Segment("Open files")], fuzzy_floor=50) == [None]


def test_entries_in_order_with_context(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    tm.add(org, PAIR, [new_entry("One", "Uno", origin=Origin.IMPORT, key="a.one", created_at=when)])
    tm.add(org, PAIR, [new_entry("Two", "Dos", origin=Origin.HUMAN, previous="One")])
    one, two = list(tm.entries(org, PAIR))
    assert (one.source, one.context_key, one.created_at) == ("One", "a.one", when)
    assert (two.source, two.origin, two.prev_hash is not None) == ("Two", Origin.HUMAN, True)


def test_fuzzy_sees_entries_added_after_first_lookup(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, _ = _tm(setup)
    tm.add(
        org,
        PAIR,
        [new_entry("Print the report now", "Imprima el informe ahora", origin=Origin.HUMAN)],
    )
    assert tm.lookup(org, PAIR, [Segment("Email the invoice today")]) == [None]
    tm.add(
        org,
        PAIR,
        [new_entry("Email the invoice now", "Envíe la factura ahora", origin=Origin.HUMAN)],
    )
    (match,) = tm.lookup(org, PAIR, [Segment("Email the invoice today")])
    assert match is not None and 50 <= match.score < 95
    assert match.target == "Envíe la factura ahora"


def test_a_new_index_loads_the_snapshot_and_catches_up(setup: tuple[TmIndex, str, str]) -> None:
    index, org, _ = setup
    if not isinstance(index, SqlTmIndex):
        pytest.skip("only database-backed indexes keep snapshots")
    tm = TranslationMemory(index)
    tm.add(org, PAIR, [new_entry("Open the settings page now", "Abre los ajustes ya",
                                 origin=Origin.HUMAN)])  # fmt: skip
    index.persist(org, PAIR)
    fresh = type(index)(index.db)  # as in another process: nothing cached
    assert fresh._load_snapshot(org, PAIR) is not None
    later = new_entry("Close the settings window now", "Cierra la ventana", origin=Origin.HUMAN)
    TranslationMemory(fresh).add(org, PAIR, [later])
    found = TranslationMemory(fresh).lookup(
        org, PAIR, [Segment("Open the settings page today"), Segment("Close the settings window")]
    )
    assert [m.source if m else None for m in found] == [
        "Open the settings page now",
        "Close the settings window now",
    ]
    assert all(m is not None and 50 <= m.score < 100 for m in found)


def test_has_entries_is_per_organization_and_pair(setup: tuple[TmIndex, str, str]) -> None:
    tm, org, other = _tm(setup)
    assert not tm.has_entries(org, PAIR)
    tm.add(org, PAIR, [new_entry("Save", "Guardar", origin=Origin.IMPORT)])
    assert tm.has_entries(org, PAIR)
    assert not tm.has_entries(org, OTHER_PAIR)
    assert not tm.has_entries(other, PAIR)
