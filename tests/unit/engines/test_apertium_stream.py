"""The stream format Apertium reads and writes, without Apertium."""

from __future__ import annotations

from dragoman.engines import apertium_stream as stream


def test_escapes_specials_and_wraps_markers_and_line_breaks() -> None:
    encoded = stream.encode_segment('a<b>&[c]\\ <x id="1"/> x\ny ~')
    assert encoded.startswith('a\\<b\\>&\\[c\\]\\\\ [\\<x id="1"\\/\\>] x[\n]y [~]')
    assert encoded.endswith("[=].[#\n]")


def test_round_trip_when_the_pipeline_echoes() -> None:
    texts = ['Tom & <b>Jerry</b> "q"', 'line\r\nbreak <x id="2"/>', "a\\b [c] ^d$ /e@ {f} ~g"]
    payload = stream.encode_batch(texts).decode()
    assert payload.count("\0") == 1
    assert stream.decode_output(payload) == texts


def test_a_null_flush_every_block() -> None:
    payload = stream.encode_batch(["word"] * (stream.SEGMENTS_PER_FLUSH * 2 + 1))
    assert payload.count(b"\0") == 3
    assert payload.count(stream.BOUNDARY) == stream.SEGMENTS_PER_FLUSH * 2 + 1


def test_whatever_apertium_did_to_our_sentence_end_is_dropped() -> None:
    assert stream.decode_output("Hola[=] .[#\n]p. ej[=][#\n]\0\0") == ["Hola", "p. ej"]


def test_edges_and_initial_case() -> None:
    assert stream.split_edges("  a b \n") == ("  ", "a b", " \n")
    assert (
        stream.keep_initial_case("regular expression", "Expresión regular") == "expresión regular"
    )
    assert stream.keep_initial_case("Regular", "Regular") == "Regular"
    assert stream.keep_initial_case("ok", "URL válida") == "URL válida"
    assert stream.keep_initial_case('<x id="1"/>save', '<x id="1"/>Salvar') == '<x id="1"/>salvar'


def test_tidy_blanks_collapses_only_runs_the_source_lacked() -> None:
    assert (
        stream.tidy_blanks("Hello, you have mail", "Hola,  tienes correo") == "Hola, tienes correo"
    )
    assert stream.tidy_blanks("Name:  value", "Nombre:  valor") == "Nombre:  valor"
