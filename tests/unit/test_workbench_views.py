"""How the editor cuts segments into text, chips and glossary terms."""

from __future__ import annotations

from dragoman.surfaces.workbench.views import Piece, mark_terms, split_spans


def test_placeholders_of_the_source_become_chips() -> None:
    pieces = split_spans("Hola {name}, <b>hoy</b> {extra}", ["{name}", "<b>", "</b>"])
    assert pieces == [
        Piece("text", "Hola "),
        Piece("chip", "{name}"),
        Piece("text", ", "),
        Piece("chip", "<b>"),
        Piece("text", "hoy"),
        Piece("chip", "</b>"),
        Piece("text", " {extra}"),  # not in the source: text, and QA says so
    ]
    assert split_spans("", ["{x}"]) == []
    assert split_spans("plain", []) == [Piece("text", "plain")]


def test_glossary_terms_are_marked_in_text_never_inside_chips() -> None:
    pieces = split_spans("The house {house} and the houseboat", ["{house}"])
    terms = [
        {"source": "house", "target": "casa", "doNotTranslate": False},
        {"source": "houseboat", "target": "", "doNotTranslate": True},
    ]
    assert mark_terms(pieces, terms) == [
        Piece("text", "The "),
        Piece("term", "house", "\u2192 casa"),
        Piece("text", " "),
        Piece("chip", "{house}"),
        Piece("text", " and the "),
        Piece("term", "houseboat", "do not translate"),
    ]
    assert mark_terms(pieces, []) == pieces
