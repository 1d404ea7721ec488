"""Glossary terms in the pipeline: matching, protection, placement in the source's case, QA."""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.content.terms import Glossary, Term, translate_with
from dragoman.content.units import Translated, translate_strings
from dragoman.engines.base import Segment

FILE = Term("file", "archivo")
MANAGER = Term("file manager", "gestor de archivos")
DRAGOMAN = Term("Dragoman", "Dragoman", case_sensitive=True, do_not_translate=True)
APPLE = Term("Apple", "Apple", case_sensitive=True, do_not_translate=True)


def roundtrip(glossary: Glossary, texts: list[str]) -> list[str]:
    prepared = glossary.protect(texts)
    return prepared.restore(prepared.texts, texts)


def test_word_boundaries_longest_first_and_case() -> None:
    glossary = Glossary([FILE, MANAGER, DRAGOMAN])
    found = [
        (text[s:e], term.source)
        for text in ["Open the File manager", "profile files file-name", "dragoman Dragoman"]
        for s, e, term in glossary.matches(text)
    ]
    # "profile" and "files" hold "file" but not at word boundaries; "file-name" does.
    assert found == [("File manager", "file manager"), ("file", "file"), ("Dragoman", "Dragoman")]


def test_protect_hides_terms_and_restore_places_them_in_the_source_case() -> None:
    glossary = Glossary([FILE, DRAGOMAN, APPLE])
    texts = ["Save the file in Dragoman.", "File saved", "FILE ERROR", "apple and Apple"]
    prepared = glossary.protect(texts)
    for sent in prepared.texts:
        assert "file" not in sent.lower() and "Dragoman" not in sent and "Apple" not in sent
    assert prepared.restore(prepared.texts, texts) == [
        "Save the archivo in Dragoman.",
        "Archivo saved",
        "ARCHIVO ERROR",
        "apple and Apple",  # case-sensitive: lowercase "apple" is not the brand
    ]


def test_case_sensitive_required_term_keeps_its_target_as_written() -> None:
    glossary = Glossary([Term("Cloud", "Nube Pro", case_sensitive=True)])
    assert roundtrip(glossary, ["The Cloud and the cloud"]) == ["The Nube Pro and the cloud"]


def test_placeholders_tags_and_icu_syntax_are_never_matched() -> None:
    glossary = Glossary([FILE, Term("other", "otro"), Term("id", "identificador")])
    texts = [
        '<a href="file">file</a> {file} %(file)s <x id="1"/>',
        "{file, plural, one {# file} other {# other files}}",
    ]
    assert roundtrip(glossary, texts) == [
        '<a href="file">archivo</a> {file} %(file)s <x id="1"/>',
        "{file, plural, one {# archivo} other {# otro files}}",
    ]


def test_text_that_is_not_prose_or_already_holds_tokens_is_left_alone() -> None:
    glossary = Glossary([FILE])
    texts = ["file.txt", 'a <dgm-term id="0"/> file', "https://example.com/file"]
    prepared = glossary.protect(texts)
    assert prepared.texts == texts and prepared.places == {}


def test_check_flags_a_missing_required_term_once_per_text() -> None:
    glossary = Glossary([FILE, DRAGOMAN])
    issues = glossary.check(
        ["file and file", "the file", "Dragoman", "no terms"],
        ["fichero y fichero", "el Archivo", "Dragomán", "sin términos"],
    )
    assert [(i.index, i.term.source) for i in issues] == [(0, "file")]
    assert "archivo" in issues[0].message


def fake_engine(segments: Sequence[Segment]) -> list[str]:
    """A stand-in engine: translates 'the' and 'file', upper-cases nothing, keeps markers."""
    return [s.text.replace("the", "el").replace("file", "fichero") for s in segments]


def run(texts: list[str]) -> Translated:
    return translate_strings(texts, fake_engine, source_locale="en", target_locale="es")


def test_translate_with_keeps_terms_from_the_engine_and_checks_the_result() -> None:
    glossary = Glossary([FILE, DRAGOMAN])
    texts = ["Open the file in Dragoman", "File", "file.txt", "the {count} file"]
    result, issues = translate_with(glossary, texts, run)
    assert result.texts == [
        "Open el archivo in Dragoman",
        "Archivo",
        "file.txt",
        "el {count} archivo",
    ]
    assert result.issues == []
    # The filename is not prose: it is not translated, and QA says the term is missing.
    assert [(i.index, i.source) for i in issues] == [(2, "file.txt")]


def test_a_text_that_falls_back_gets_its_original_source_and_an_issue() -> None:
    def adds_placeholders(segments: Sequence[Segment]) -> list[str]:
        return [s.text + " {oops}" for s in segments]  # fails QA on both passes

    glossary = Glossary([FILE])
    texts = ["Open the file now"]
    result, issues = translate_with(
        glossary,
        texts,
        lambda sent: translate_strings(
            sent, adds_placeholders, source_locale="en", target_locale="es"
        ),
    )
    assert result.texts == ["Open the file now"]
    assert [i.source for i in result.issues] == ["Open the file now"]
    assert [i.index for i in issues] == [0]


def test_no_glossary_is_a_plain_run() -> None:
    result, issues = translate_with(Glossary([]), ["the file"], run)
    assert result.texts == ["el fichero"] and issues == []
