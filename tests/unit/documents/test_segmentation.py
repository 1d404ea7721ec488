"""Sentence segmentation of tagged paragraphs: sentences split where no paired tag is open,
whitespace kept as gaps, and the pieces join back to the paragraph exactly."""

from __future__ import annotations

import pytest

from dragoman.content.documents.segmentation import depth_at, split

SAMPLES = [
    ("en", "Hello world. This is <g1>bold. Still bold</g1> here. End."),
    ("en", "One. <g1>Two</g1> three. <x2/>Four."),
    ("en", "Dr. Smith went home. He slept."),
    ("en", "The cat &amp; dog sleep. The bird &lt;sings&gt;. Done."),
    ("en", "First.  Second!  Third?\t"),
    ("en", "no punctuation at all"),
    ("en", "   "),
    ("ja", "今日は晴れです。明日は雨です。"),
    ("de", "Das ist z. B. ein Satz. Hier ist noch einer."),
    ("es", "¿Qué tal? Muy bien."),
]


@pytest.mark.parametrize(("locale", "tagged"), SAMPLES)
def test_the_parts_join_back_exactly(locale: str, tagged: str) -> None:
    parts = split(tagged, locale)
    assert "".join(segment + gap for segment, gap in parts) == tagged
    for segment, gap in parts:
        assert gap.strip() == ""
        assert segment == segment.rstrip() or not segment.strip()  # blank stays whole


@pytest.mark.parametrize(("locale", "tagged"), SAMPLES)
def test_every_part_has_balanced_paired_tags(locale: str, tagged: str) -> None:
    for segment, _gap in split(tagged, locale):
        assert depth_at(segment, len(segment)) == 0
        assert segment.count("<g") == segment.count("</g")


def test_sentences_split_with_their_gaps() -> None:
    assert split("First.  Second!  Third?", "en") == [
        ("First.", "  "),
        ("Second!", "  "),
        ("Third?", ""),
    ]


def test_no_split_inside_an_open_paired_tag() -> None:
    assert split("Hello world. This is <g1>bold. Still bold</g1> here. End.", "en") == [
        ("Hello world.", " "),
        ("This is <g1>bold. Still bold</g1> here.", " "),
        ("End.", ""),
    ]


def test_tags_just_before_a_sentence_go_with_it() -> None:
    assert split("One. <g1>Two</g1> three. <x2/>Four.", "en") == [
        ("One.", " "),
        ("<g1>Two</g1> three.", " "),
        ("<x2/>Four.", ""),
    ]


def test_escapes_count_as_one_character_each() -> None:
    assert split("The cat &amp; dog sleep. The bird &lt;sings&gt;. Done.", "en") == [
        ("The cat &amp; dog sleep.", " "),
        ("The bird &lt;sings&gt;.", " "),
        ("Done.", ""),
    ]


def test_a_paragraph_without_sentence_ends_is_one_part_with_its_trailing_space() -> None:
    assert split("no punctuation at all  ", "en") == [("no punctuation at all", "  ")]


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert split("Dr. Smith went home. He slept.", "en") == [
        ("Dr. Smith went home.", " "),
        ("He slept.", ""),
    ]


def test_cjk_sentences_split_on_ideographic_stops() -> None:
    assert split("今日は晴れです。明日は雨です。", "ja-JP") == [
        ("今日は晴れです。", ""),
        ("明日は雨です。", ""),
    ]


def test_depth_counts_open_pairs_and_ignores_empty_tags() -> None:
    tagged = "<g1>a<g2>b<x3/></g2>c</g1>d"
    assert [depth_at(tagged, tagged.index(ch)) for ch in "abcd"] == [1, 2, 1, 0]
    assert depth_at("</g1>x", 5) == 0  # a stray close never goes below zero
