"""The translate stage over units: plural forms per target category, untouched units, QA."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.content.model import Unit, UnitState
from dragoman.engines.base import Segment
from dragoman.worker.stages import translate_units


def upper(segments: Sequence[Segment]) -> list[str]:
    return [s.text.upper() for s in segments]


def adds_a_placeholder(segments: Sequence[Segment]) -> list[str]:
    return [s.text + " {oops}" for s in segments]


UNITS = [
    Unit(id="title", source="Hello {name}"),
    Unit(id="files", source="%d file", plural={"one": "%d file", "other": "%d files"}),
    Unit(id="locked", source="Brand", translatable=False),
]


def test_plural_units_get_the_targets_categories_and_others_are_left_alone() -> None:
    done = translate_units(UNITS, upper, source_locale="en", target_locale="ru")
    title, files, locked = done.units
    assert title.target == "HELLO {name}" and title.state == UnitState.MACHINE
    assert files.target_plural == {
        "one": "%d FILE",
        "few": "%d FILES",
        "many": "%d FILES",
        "other": "%d FILES",
    }
    assert locked.target is None and locked.state == UnitState.NEW
    assert UNITS[0].target is None, "the extraction's units are never changed"
    assert (done.issues, done.failed) == ([], 0)


def test_units_whose_placeholders_break_keep_their_source_and_are_reported() -> None:
    done = translate_units(UNITS, adds_a_placeholder, source_locale="en", target_locale="es")
    assert done.units[0].target == "Hello {name}"
    assert done.units[1].target_plural == {
        "one": "%d file",
        "many": "%d files",
        "other": "%d files",
    }
    assert done.failed == 2
    assert {i["path"] for i in done.issues} == {
        "title",
        "files[one]",
        "files[many]",
        "files[other]",
    }
