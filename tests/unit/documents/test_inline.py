"""Tagged inline text: escaping, the builder, and reading a translated segment back as runs
whatever order the engine left its tags in."""

from __future__ import annotations

import pytest

from dragoman.content.documents.inline import (
    Piece,
    TaggedBuilder,
    escape,
    pieces,
    plain,
    unescape,
)


def test_literal_text_cannot_pass_for_a_tag() -> None:
    text = "if a < b && c > d: <g1>not a tag</g1> <x2/>"
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert unescape(escaped) == text
    assert pieces(escaped) == [Piece(text)]


@pytest.mark.parametrize(
    ("escaped", "text"),
    [
        ("caf&#233; &#xE9;t&#xe9;", "café été"),
        ("&quot;q&quot; &apos;a&apos;", "\"q\" 'a'"),
        ("&#0; &#xD800; &#1114112;", "&#0; &#xD800; &#1114112;"),  # not characters: kept
        ("&unknown; & alone", "&unknown; & alone"),
    ],
)
def test_unescape_reads_numeric_and_named_entities_only(escaped: str, text: str) -> None:
    assert unescape(escaped) == text


def test_plain_is_what_a_reader_sees() -> None:
    assert (
        plain("The <g1>quick</g1> fox<x2/> &amp; the <g3>dog</g3>.") == "The quick fox & the dog."
    )


def test_builder_numbers_tags_in_order_and_keeps_payloads() -> None:
    builder = TaggedBuilder()
    builder.text("See ")
    link = builder.open({"href": "https://example.org"})
    bold = builder.open("bold")
    builder.text("the <docs>")
    builder.close(bold)
    builder.close(link)
    note = builder.empty("footnote 1")
    builder.text("")  # nothing written for empty text
    assert builder.result() == "See <g1><g2>the &lt;docs&gt;</g2></g1><x3/>"
    assert builder.payloads == {1: {"href": "https://example.org"}, 2: "bold", 3: "footnote 1"}
    assert (link, bold, note) == (1, 2, 3)


def test_pieces_of_a_segment_as_written() -> None:
    tagged = "The <g1>quick</g1> brown <g2>fox <g3>jumps</g3></g2><x4/> over."
    assert pieces(tagged) == [
        Piece("The "),
        Piece("quick", (1,)),
        Piece(" brown "),
        Piece("fox ", (2,)),
        Piece("jumps", (2, 3)),
        Piece("", (), 4),
        Piece(" over."),
    ]


def test_tags_moved_by_a_translation_stay_on_their_words() -> None:
    # "The <g1>red</g1> car" -> Spanish puts the adjective after the noun
    assert pieces("El coche <g1>rojo</g1>.") == [
        Piece("El coche "),
        Piece("rojo", (1,)),
        Piece("."),
    ]


def test_a_close_before_its_open_is_ignored_and_the_pair_still_opens() -> None:
    assert pieces("a</g1>b<g1>c") == [Piece("ab"), Piece("c", (1,))]


def test_crossed_pairs_close_independently() -> None:
    assert pieces("<g1>a<g2>b</g1>c</g2>d") == [
        Piece("a", (1,)),
        Piece("b", (1, 2)),
        Piece("c", (2,)),
        Piece("d"),
    ]


def test_a_pair_never_closed_runs_to_the_end() -> None:
    assert pieces("x <g1>y z") == [Piece("x "), Piece("y z", (1,))]


def test_a_pair_opened_twice_counts_once() -> None:
    assert pieces("<g1>a</g1> b <g1>c</g1>") == [Piece("a", (1,)), Piece(" b c")]


def test_a_lost_empty_tag_is_appended_and_a_repeated_one_kept_once() -> None:
    got = pieces("a<x3/>b<x3/>c", pairs=(), empties=(3, 4))
    assert got == [Piece("a"), Piece("", (), 3), Piece("bc"), Piece("", (), 4)]


def test_tags_not_listed_are_dropped() -> None:
    got = pieces("<g1>a</g1><g9>b</g9><x7/>c<x2/>", pairs=(1,), empties=(2,))
    assert got == [Piece("a", (1,)), Piece("bc"), Piece("", (), 2)]


def test_an_empty_tag_inside_a_pair_carries_the_pair() -> None:
    assert pieces("<g1>a<x2/>b</g1>") == [
        Piece("a", (1,)),
        Piece("", (1,), 2),
        Piece("b", (1,)),
    ]


def test_adjacent_runs_with_the_same_tags_merge() -> None:
    assert pieces("<g1>a</g1><g1>b</g1>c&amp;d") == [Piece("a", (1,)), Piece("bc&d")]
