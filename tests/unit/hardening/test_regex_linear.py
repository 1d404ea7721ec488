"""Every regex applied to user text runs in linear time on hostile input (issue 9, item 1).

Each input is a long run of what one pattern repeats (whitespace, digits, `<!--`, `{`, `[`),
100-500 KB. Quadratic matching takes minutes on these; linear matching takes milliseconds. A
timer interrupts a runaway match (the regex engine checks for signals), so a regression fails
in seconds instead of hanging the suite.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import pytest

from dragoman.content import filters, icu, placeholders, units
from dragoman.content.signature import placeholder_signature
from dragoman.engines import apertium_stream
from dragoman.engines.base import Segment

N = 100_000
LIMIT_SECONDS = 3.0  # generous: linear code takes a few ms per call, quadratic minutes; a
# 2-core box busy with the rest of the suite once took 1 s for one call

HOSTILE: dict[str, str] = {
    "inner whitespace": " a" + " " * N + "b ",
    "whitespace then letter": " " * N + "x",
    "whitespace and newlines": " \n" * N,
    "brace then whitespace": "{" + " " * N + "x",
    "brace, whitespace, name, whitespace": "{" + " " * N + "a" + " " * N,
    "double brace, dash, whitespace": "{{-" + " " * N,
    "many open braces": "{ " * N,
    "brace name colon": "{a:" + "b" * N,
    "letter then digits": "a" + "1" * N + "!",
    "digits letter digits": "1" * N + "a" + "1" * N + "!",
    "digit then whitespace": "1" + " " * N + "x",
    "digits and commas": "1," * N + "x",
    "identifier run": "a_" * N + "!",
    "many comment openers": "<!--" * (N // 2),
    "comment opener then dashes": "<!--" + "-" * N,
    "tag then whitespace": "<a " + " " * N,
    "tag quotes": '<a "' * (N // 2),
    "marker openers": "<x id=" * (N // 3),
    "marker then whitespace": "<x" + " " * N,
    "many ampersands": "&a" * N,
    "printf flags": "%" + "-" * N,
    "many positional printf": "%1$" * N,
    "many url schemes": "http://" * (N // 3),
    "url then dots": "http://" + "." * N,
    "email local part dots": "a" + "." * N + "@",
    "email then dotted labels": "a@b" + ".b" * N + "!",
    "icu heads": "{a, plural, " * (N // 6),
    "icu select branches": "{a, select, " + "b {c} " * (N // 6),
    "open brackets": "[" * N,
    "escaped brackets": "\\[" * N,
}


def _identity(segments: Sequence[Segment]) -> list[str]:
    return [segment.text for segment in segments]


FUNCTIONS: dict[str, Callable[[str], object]] = {
    "units.translate_strings": lambda s: units.translate_strings(
        [s], _identity, source_locale="en", target_locale="de"
    ),
    "units.plan_segments": lambda s: units.plan_segments([s]),
    "filters.is_translatable": filters.is_translatable,
    "placeholders.protect": placeholders.protect,
    "placeholders.mask_spans": placeholders.mask_spans,
    "placeholders.split_markers": placeholders.split_markers,
    "icu.parse": icu.parse,
    "signature.placeholder_signature": placeholder_signature,
    "apertium_stream.split_edges": apertium_stream.split_edges,
    "apertium_stream.encode_batch": lambda s: apertium_stream.encode_batch([s]),
    "apertium_stream.decode_output": apertium_stream.decode_output,
    "apertium_stream.keep_initial_case": lambda s: apertium_stream.keep_initial_case(s, s),
    "apertium_stream.tidy_blanks": lambda s: apertium_stream.tidy_blanks("", s),
}


class _Runaway(Exception):
    """A call ran far past its time limit and was interrupted."""


@contextmanager
def _interrupt_after(seconds: float) -> Iterator[None]:
    def _raise(signum: int, frame: FrameType | None) -> None:
        raise _Runaway

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_user_text_regex_is_linear(name: str) -> None:
    text = HOSTILE[name]
    slow: dict[str, float] = {}
    for function, call in FUNCTIONS.items():
        start = time.perf_counter()
        try:
            with _interrupt_after(LIMIT_SECONDS * 5):
                call(text)
        except _Runaway:
            pass
        elapsed = time.perf_counter() - start
        if elapsed > LIMIT_SECONDS:
            slow[function] = round(elapsed, 2)
    assert not slow, f"{name!r} ({len(text)} chars) is slow in {slow}"


def test_reported_request_translates_quickly_and_keeps_its_edges() -> None:
    """The string from the report: 100 KB of inner whitespace used to freeze a worker."""
    text = " a" + " " * 100_000 + "b "
    start = time.perf_counter()
    with _interrupt_after(10):
        result = units.translate_strings(
            [text],
            lambda segs: [s.text.upper() for s in segs],
            source_locale="en",
            target_locale="de",
        )
    assert time.perf_counter() - start < LIMIT_SECONDS
    assert result.texts == [" A" + " " * 100_000 + "B "]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "  abc", "abc \n", " \t a b \u00a0", "\u2028x\u2029", " \x1c a \x85"],
)
def test_edges_split_exactly_like_the_old_pattern(text: str) -> None:
    import re

    old = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL).match(text)
    assert old is not None
    expected = old.groups() if text.strip() != text else ("", text, "")
    assert units._edges(text) == expected
    assert apertium_stream.split_edges(text) == (expected if text.strip() else (text, "", ""))


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("a <!-- note --> b", ["<!-- note -->"]),
        ("a <!-- x --->", ["<!-- x --->"]),
        ("<!---->", ["<!---->"]),
        ("<!-- a <!-- b -->", ["<!-- b -->"]),  # comments do not nest; the scan stops at <!--
        ("{{ name }} and {{- raw}}", ["{{ name }}", "{{- raw}}"]),
        ("{ count , number } {0:.2f} { }", ["{ count , number }", "{0:.2f}", "{ }"]),
    ],
)
def test_linear_patterns_find_the_same_spans(text: str, spans: list[str]) -> None:
    assert placeholders.find_spans(text) == spans


def test_breaking_space_splits_whole_runs() -> None:
    encoded = apertium_stream.encode_batch(["a  \n b", "c   d"]).decode()
    assert "[  \n ]" in encoded
    assert "c   d" in encoded
