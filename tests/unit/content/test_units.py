"""The unit flow: filtering, dedupe, two passes through the engine, and QA."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from dragoman.content.placeholders import MARKER_RE
from dragoman.content.signature import placeholder_signature
from dragoman.content.units import TranslateFn, plan_segments, translate_strings
from dragoman.engines.base import Segment
from dragoman.errors import EngineError
from tests.unit.content.corpus import CORPUS

TEXTS = [text for _, text in CORPUS]
_TOKEN = re.compile(r'<x id="\d+"/>|\S+|\s+')


class Recorder:
    """A translate callback that records every call and applies `fn` to each segment."""

    def __init__(self, fn: TranslateFn) -> None:
        self.fn = fn
        self.calls: list[list[Segment]] = []

    def __call__(self, segments: Sequence[Segment]) -> list[str]:
        self.calls.append(list(segments))
        return self.fn(segments)


def identity(segments: Sequence[Segment]) -> list[str]:
    return [s.text for s in segments]


def _mangle(word: str) -> str:
    # A bad engine "fixes" punctuation it does not understand.
    return word.upper().replace("%", "%%").replace("{", "( ").replace("}", " )")


def hostile(segments: Sequence[Segment]) -> list[str]:
    """Uppercase, reverse word order, reverse marker order, drop a marker, mangle % and braces."""
    out = []
    for segment in segments:
        tokens = _TOKEN.findall(segment.text)
        markers = [t for t in tokens if MARKER_RE.fullmatch(t)]
        words = [_mangle(t) for t in tokens if not MARKER_RE.fullmatch(t) and not t.isspace()]
        words.reverse()
        markers.reverse()
        if markers:
            markers.pop()  # drop one marker: the first pass must fail for this segment
        out.append(" ".join(words + markers))
    return out


def test_identity_returns_every_string_unchanged() -> None:
    recorder = Recorder(identity)
    result = translate_strings(TEXTS, recorder, source_locale="en", target_locale="ja")
    assert result.texts == TEXTS
    assert result.issues == []
    assert len(recorder.calls) == 1  # a single first pass, no second pass needed


@pytest.mark.parametrize(("case", "text"), CORPUS, ids=[c for c, _ in CORPUS])
def test_identity_round_trip_per_string(case: str, text: str) -> None:
    result = translate_strings([text], identity, source_locale="en", target_locale="ja")
    assert result.texts == [text]
    assert result.issues == []


@pytest.mark.parametrize(("case", "text"), CORPUS, ids=[c for c, _ in CORPUS])
def test_hostile_engine_never_ships_broken_placeholders(case: str, text: str) -> None:
    result = translate_strings([text], hostile, source_locale="en", target_locale="ru")
    out = result.texts[0]
    if result.issues:
        assert out == text
        assert result.issues[0].index == 0
        assert result.issues[0].source == text
    else:
        assert placeholder_signature(out) == placeholder_signature(text)
        assert out != text  # the text really was translated (uppercased)


def test_hostile_engine_second_pass_recovers_dropped_markers() -> None:
    recorder = Recorder(hostile)
    texts = ["Hello {name}, welcome back!", "<b>Warning:</b> this cannot be undone"]
    result = translate_strings(texts, recorder, source_locale="en", target_locale="es")
    assert result.issues == []
    # Each marker-free run is translated (badly) on its own; spans go back in source order.
    assert result.texts == ["HELLO {name}BACK! WELCOME ,", "<b>WARNING:</b> UNDONE BE CANNOT THIS"]
    assert len(recorder.calls) == 2
    assert all("<x" not in s.text for s in recorder.calls[1])  # markers never sent again


def test_hostile_engine_mostly_succeeds_over_the_corpus() -> None:
    result = translate_strings(TEXTS, hostile, source_locale="en", target_locale="ru")
    for text, out in zip(TEXTS, result.texts, strict=True):
        assert placeholder_signature(out) == placeholder_signature(text) or out == text
    failed = {issue.source for issue in result.issues}
    assert failed  # "50% off" became "50%% OFF": QA must catch the new placeholder
    assert "Everything is 50% off today" in failed
    assert len(failed) < len(TEXTS) // 4


def test_engine_that_adds_a_placeholder_is_caught() -> None:
    def sneaky(segments: Sequence[Segment]) -> list[str]:
        return [s.text + " %s" for s in segments]

    result = translate_strings(["Save changes"], sneaky, source_locale="en", target_locale="de")
    assert result.texts == ["Save changes"]
    assert len(result.issues) == 1
    assert "placeholder" in result.issues[0].message


def test_identical_strings_are_translated_once() -> None:
    recorder = Recorder(identity)
    texts = ["Save", "Cancel", "Save", "Hello {name}", "Hello {name}", "  Save "]
    result = translate_strings(texts, recorder, source_locale="en", target_locale="de")
    assert result.texts == texts
    assert [s.text for s in recorder.calls[0]] == ["Save", "Cancel", 'Hello <x id="1"/>']
    assert plan_segments(texts) == 3


def test_same_text_with_different_hints_is_sent_twice() -> None:
    recorder = Recorder(identity)
    texts = ["Open", "Open", "Open"]
    hints = [("menu",), ("door",), ("menu",)]
    translate_strings(texts, recorder, source_locale="en", target_locale="de", hints=hints)
    assert recorder.calls[0] == [Segment("Open", ("menu",)), Segment("Open", ("door",))]
    assert plan_segments(texts, hints) == 2


def test_non_translatable_strings_are_never_sent() -> None:
    recorder = Recorder(lambda segs: ["X" for _ in segs])
    texts = ["", "   ", "42", "3.14", "https://example.com", "{count}", "%s: %d", "<br/>", "#fff"]
    result = translate_strings(texts, recorder, source_locale="en", target_locale="de")
    assert result.texts == texts
    assert recorder.calls == []
    assert plan_segments(texts) == 0


def test_edge_whitespace_is_kept_and_never_sent() -> None:
    recorder = Recorder(lambda segs: [s.text.upper() for s in segs])
    texts = ["  Save  ", "\n\tHello {name}\n", " Done"]
    result = translate_strings(texts, recorder, source_locale="en", target_locale="de")
    assert result.texts == ["  SAVE  ", "\n\tHELLO {name}\n", " DONE"]
    assert all(s.text == s.text.strip() for s in recorder.calls[0])


def test_second_pass_keeps_whitespace_around_runs() -> None:
    def drop_all_markers(segments: Sequence[Segment]) -> list[str]:
        return [MARKER_RE.sub("", s.text).upper() for s in segments]

    recorder = Recorder(drop_all_markers)
    result = translate_strings(
        ["Hi {name},  you have %d  new messages"],
        recorder,
        source_locale="en",
        target_locale="de",
    )
    assert result.issues == []
    assert result.texts == ["HI {name},  YOU HAVE %d  NEW MESSAGES"]
    assert [s.text for s in recorder.calls[1]] == ["Hi", ",  you have", "new messages"]


def test_wrong_count_from_engine_raises() -> None:
    with pytest.raises(EngineError, match="returned 1 translations for 2"):
        translate_strings(
            ["One", "Two"], lambda segs: ["x"], source_locale="en", target_locale="de"
        )


def test_icu_plural_gains_russian_categories_through_the_flow() -> None:
    recorder = Recorder(lambda segs: [s.text.upper() for s in segs])
    text = "{count, plural, one {# item} other {# items}}"
    result = translate_strings([text], recorder, source_locale="en", target_locale="ru")
    assert result.texts == [
        "{count, plural, one {# ITEM} few {# ITEMS} many {# ITEMS} other {# ITEMS}}"
    ]
    assert [s.text for s in recorder.calls[0]] == ['<x id="1"/> item', '<x id="1"/> items']


def test_icu_branch_with_broken_marker_is_retried_alone() -> None:
    def break_first(segments: Sequence[Segment]) -> list[str]:
        return [MARKER_RE.sub("", s.text) if "items" in s.text else s.text for s in segments]

    recorder = Recorder(break_first)
    text = "{count, plural, one {# item} other {# items}}"
    result = translate_strings([text], recorder, source_locale="en", target_locale="en")
    assert result.texts == [text]
    assert [s.text for s in recorder.calls[1]] == ["items"]


def test_failure_keeps_source_and_reports_every_position() -> None:
    def always_bad(segments: Sequence[Segment]) -> list[str]:
        return ["{oops}" for _ in segments]

    texts = ["Hello {name}", "Fine", "Hello {name}"]
    result = translate_strings(texts, always_bad, source_locale="en", target_locale="de")
    assert result.texts == texts
    assert [i.index for i in result.issues] == [0, 1, 2]


def test_plan_segments_matches_first_pass() -> None:
    recorder = Recorder(identity)
    translate_strings(TEXTS + TEXTS, recorder, source_locale="en", target_locale="ja")
    assert plan_segments(TEXTS + TEXTS) == len(recorder.calls[0])
