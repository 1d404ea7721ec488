"""Protecting spans as markers, restoring them strictly, and placeholder signatures."""

from __future__ import annotations

from collections import Counter

import pytest

from dragoman.content.placeholders import (
    find_spans,
    protect,
    restore,
)
from dragoman.content.signature import placeholder_signature
from dragoman.errors import PlaceholderMismatchError
from tests.unit.content.corpus import CORPUS


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Hi {name}!", ["{name}"]),
        ("{{name}} and {{- raw}}", ["{{name}}", "{{- raw}}"]),
        ("%{count} seconds", ["%{count}"]),
        ("%(name)s and %(n)d", ["%(name)s", "%(n)d"]),
        ("%s %d %1$s %-5.2f %% %lld", ["%s", "%d", "%1$s", "%-5.2f", "%%", "%lld"]),
        ("%@ and %1$@", ["%@", "%1$@"]),
        ("{0} of {1}", ["{0}", "{1}"]),
        ("$t(key) here", ["$t(key)"]),
        ('<a href="x">y</a><br/>', ['<a href="x">', "</a>", "<br/>"]),
        ('<a title="a > b">y</a>', ['<a title="a > b">', "</a>"]),
        ("&amp; &nbsp; &#39; &#x27;", ["&amp;", "&nbsp;", "&#39;", "&#x27;"]),
        ("{count, number} and {d, date, short}", ["{count, number}", "{d, date, short}"]),
        ("50% off, we <3 you, a < b, 100%", []),
        ("Tom & Jerry; {not a placeholder}", []),
    ],
)
def test_spans_found(text: str, spans: list[str]) -> None:
    assert find_spans(text) == spans
    assert list(protect(text).spans) == spans


@pytest.mark.parametrize(("case", "text"), CORPUS, ids=[c for c, _ in CORPUS])
def test_protect_restore_round_trip(case: str, text: str) -> None:
    protected = protect(text)
    assert restore(protected.text, protected.spans) == text
    # Each marker appears exactly once and no original span is left in the marked text.
    for n, span in enumerate(protected.spans, start=1):
        assert protected.text.count(f'<x id="{n}"/>') == 1
        assert span not in protected.text or span.startswith("<x")


def test_protect_numbers_markers_in_order() -> None:
    protected = protect("<b>{name}</b> has %d")
    assert protected.text == '<x id="1"/><x id="2"/><x id="3"/> has <x id="4"/>'
    assert protected.spans == ("<b>", "{name}", "</b>", "%d")


def test_restore_accepts_moved_markers_and_engine_spellings() -> None:
    spans = ("{a}", "{b}")
    assert restore('<x id="2"/> then <x id="1"/>', spans) == "{b} then {a}"
    assert restore('<x id="1"></x> and <X ID="2"/>', spans) == "{a} and {b}"


@pytest.mark.parametrize(
    ("translated", "message"),
    [
        ('only <x id="1"/>', 'missing <x id="2"/>'),
        ('<x id="1"/> <x id="1"/> <x id="2"/>', 'duplicated <x id="1"/>'),
        ('<x id="1"/> <x id="2"/> <x id="7"/>', 'unknown <x id="7"/>'),
    ],
)
def test_restore_is_strict(translated: str, message: str) -> None:
    with pytest.raises(PlaceholderMismatchError, match=message):
        restore(translated, ("{a}", "{b}"))


def test_signature_is_a_multiset_ignoring_order() -> None:
    assert placeholder_signature("%s and %s, {x}") == Counter({"%s": 2, "{x}": 1})
    assert placeholder_signature("{x} y %s %s") == placeholder_signature("%s and %s, {x}")
    assert placeholder_signature("%s, {x}") != placeholder_signature("%s and %s, {x}")
    assert placeholder_signature("50% off") == Counter()


def test_signature_of_icu_ignores_categories_and_literal_braces_in_branches() -> None:
    source = "{n, plural, one {Item} other {Items}}"
    assert placeholder_signature(source) == Counter({"{n, plural}": 1})
    assert placeholder_signature("{n, plural, one {Artikel} few {X} other {Artikel}}") == (
        placeholder_signature(source)
    )
