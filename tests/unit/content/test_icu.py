"""ICU MessageFormat: per-branch segments, CLDR categories, escaping, and fallback."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from dragoman.content import icu
from dragoman.content.signature import placeholder_signature
from dragoman.content.units import translate_strings
from dragoman.engines.base import Segment


def _segments(text: str) -> list[str]:
    message = icu.parse(text)
    assert message is not None
    return [marked for marked, _ in message.segments]


def _upper(text: str, target: str) -> str:
    message = icu.parse(text)
    assert message is not None
    return message.render([m.upper() for m, _ in message.segments], target)


def test_plural_branches_are_separate_segments_without_structure() -> None:
    text = "You have {count, plural, =0 {no messages} one {one message} other {# messages}}"
    assert _segments(text + " from {name}") == [
        'You have <x id="1"/> from <x id="2"/>',
        "no messages",
        "one message",
        '<x id="1"/> messages',
    ]


def test_select_is_split_per_branch() -> None:
    text = "{gender, select, male {He} female {She} other {They}} replied"
    assert _segments(text) == ['<x id="1"/> replied', "He", "She", "They"]
    assert _upper(text, "de") == "{gender, select, male {HE} female {SHE} other {THEY}} REPLIED"


def test_nested_select_inside_plural() -> None:
    text = (
        "{n, plural, one {{g, select, female {She has # cat} other {They have # cat}}}"
        " other {{g, select, female {She has # cats} other {They have # cats}}}}"
    )
    segments = _segments(text)
    # `#` stays protected in a select nested in a plural.
    assert 'She has <x id="1"/> cat' in segments
    assert 'They have <x id="1"/> cats' in segments
    assert not any("select" in s or "plural" in s for s in segments)


def test_offset_and_exact_selectors_are_kept() -> None:
    text = "{n, plural, offset:1 =0 {Nobody} =1 {Only {host}} other {{host} and # others}}"
    assert _segments(text)[1:] == [
        "Nobody",
        'Only <x id="1"/>',
        '<x id="1"/> and <x id="2"/> others',
    ]
    assert _upper(text, "ja") == (
        "{n, plural, offset:1 =0 {NOBODY} =1 {ONLY {host}} other {{host} AND # OTHERS}}"
    )


def test_russian_target_gains_few_and_many_from_other() -> None:
    out = _upper("{count, plural, one {# item} other {# items}}", "ru")
    assert out == "{count, plural, one {# ITEM} few {# ITEMS} many {# ITEMS} other {# ITEMS}}"
    assert placeholder_signature(out) == placeholder_signature(
        "{count, plural, one {# item} other {# items}}"
    )


def test_japanese_target_keeps_source_categories() -> None:
    text = "{count, plural, one {# item} other {# items}}"
    assert _upper(text, "ja") == "{count, plural, one {# ITEM} other {# ITEMS}}"


def test_selectordinal_uses_ordinal_rules() -> None:
    text = "{n, selectordinal, one {#st} other {#th}}"
    assert _upper(text, "en") == "{n, selectordinal, one {#ST} two {#TH} few {#TH} other {#TH}}"
    assert _upper(text, "ru") == "{n, selectordinal, one {#ST} other {#TH}}"


def test_unknown_target_locale_adds_nothing() -> None:
    text = "{count, plural, one {# item} other {# items}}"
    assert icu.plural_categories("zz-unknown") == frozenset()
    assert _upper(text, "zz-unknown") == "{count, plural, one {# ITEM} other {# ITEMS}}"


@pytest.mark.parametrize(
    "text",
    [
        "{count, plural, one {# item} other {# items}",  # unclosed
        "{count, plural, one {# item}} other {# items}}",  # unbalanced
        "{count, plural, }",  # no branches
        "{count, plural, one # item}",  # selector without braces
        "{name}",  # simple argument only: a plain string
        "{count, plural, one {'# item} other {# items}}",  # unterminated quote
        "{a, plural, other {" * 40 + "x" + "}}" * 40,  # nested past the bound
        "{",
        "}",
    ],
)
def test_malformed_or_plain_icu_falls_back(text: str) -> None:
    assert icu.parse(text) is None
    result = translate_strings(
        [text], lambda s: [x.text for x in s], source_locale="en", target_locale="ru"
    )
    assert result.texts == [text]


def test_deep_malformed_input_does_not_crash() -> None:
    text = "{a, select, other {" * 5000
    assert icu.parse(text) is None


def test_engine_braces_and_hash_in_branch_text_are_quoted() -> None:
    message = icu.parse("{n, plural, one {# item} other {# items}}")
    assert message is not None
    out = message.render(['<x id="1"/>', '<x id="1"/> {a} #1', '<x id="1"/> x'], "ja")
    assert out == "{n, plural, one {# '{'a'}' '#'1} other {# x}}"
    reparsed = icu.parse(out)
    assert reparsed is not None
    # The quoted characters are literal ICU text now, protected like any quoted literal.
    assert reparsed.segments[1][0] == '<x id="1"/> <x id="2"/>a<x id="3"/> <x id="4"/>1'
    assert placeholder_signature(out) == placeholder_signature("{n, plural, one {#} other {#}}")


def test_apostrophes_round_trip_and_are_escaped_before_syntax() -> None:
    text = "{n, plural, one {it''s #} other {'{'# items'}'}}"
    message = icu.parse(text)
    assert message is not None
    assert message.segments[1][0] == 'it\'s <x id="1"/>'
    assert message.render([m for m, _ in message.segments], "ja") == text
    single = icu.parse("{n, plural, other {don't # x}}")
    assert single is not None
    # An engine apostrophe right before `#` would start a quote: it must be doubled.
    assert single.render(['<x id="1"/>', 'l\'<x id="1"/> x'], "ja") == "{n, plural, other {l''# x}}"


def test_tags_inside_branches_are_protected() -> None:
    text = "{count, plural, one {<b>#</b> file} other {<b>#</b> files}} deleted"
    assert _segments(text)[1] == '<x id="1"/><x id="2"/><x id="3"/> file'


def test_hints_are_passed_to_every_branch() -> None:
    seen: list[Segment] = []

    def record(segments: Sequence[Segment]) -> list[str]:
        seen.extend(segments)
        return [s.text for s in segments]

    translate_strings(
        ["{n, plural, one {# day} other {# days}} left"],
        record,
        source_locale="en",
        target_locale="en",
        hints=[("billing", "trial")],
    )
    assert {s.hints for s in seen} == {("billing", "trial")}
    assert len(seen) == 3
