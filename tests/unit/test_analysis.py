"""Analysis: each segment in its CAT band (TM matches, repetitions, fuzzy bands, no match),
counts of words, characters and whitespace, and what machine translation covers."""

from __future__ import annotations

from dragoman.content.model import Unit
from dragoman.core.analysis import (
    BANDS,
    CAT_LABELS,
    EXACT,
    FUZZY_50_74,
    FUZZY_85_94,
    FUZZY_95_99,
    IN_CONTEXT_EXACT,
    NO_MATCH,
    REPETITION,
    Analysis,
    analyse,
    measure,
)
from dragoman.core.assets.tm import TranslationMemory, new_entry, pair_of
from dragoman.core.assets.tm_index.base import Origin
from dragoman.core.assets.tm_index.memory import MemoryTmIndex

ORG = "org_a"


def memory(*entries: tuple[str, str, str | None], org: str = ORG) -> TranslationMemory:
    """A TM (the family's in-memory member) holding (source, target, key) entries en -> es."""
    tm = TranslationMemory(MemoryTmIndex())
    tm.add(
        org,
        pair_of("en", "es"),
        [new_entry(s, t, origin=Origin.HUMAN, key=k) for s, t, k in entries],
    )
    return tm


def run(units: list[Unit], tm: TranslationMemory | None, org: str = ORG) -> Analysis:
    return analyse(units, source_locale="en", target_locale="es", tm=tm, org_id=org)


def segments(analysis: Analysis) -> dict[str, int]:
    return {band: c.segments for band, c in analysis.bands.items() if c.segments}


def test_every_band_is_reported_with_its_cat_label() -> None:
    analysis = run([], None)
    assert tuple(analysis.bands) == BANDS
    assert set(CAT_LABELS) == set(BANDS)
    assert CAT_LABELS[IN_CONTEXT_EXACT] == "101% (in context)"
    assert analysis.total.segments == 0


def test_in_context_exact_and_no_match() -> None:
    tm = memory(("Save the file", "Guarda el archivo", "menu.save"))
    units = [
        Unit("menu.save", "Save the file"),  # same key: 101
        Unit("toolbar.save", "Save the file"),  # same source, other key: 100, not a repetition
        Unit("menu.quit", "Quit the application now"),
    ]
    analysis = run(units, tm)
    assert segments(analysis) == {IN_CONTEXT_EXACT: 1, EXACT: 1, NO_MATCH: 1}
    assert analysis.bands[NO_MATCH].words == 4
    assert analysis.total.words == 10


def test_previous_segment_gives_context_too() -> None:
    tm = TranslationMemory(MemoryTmIndex())
    entry = new_entry("Close it.", "Ciérralo.", origin=Origin.HUMAN, previous="Open the door.")
    tm.add(ORG, pair_of("en", "es"), [entry])
    analysis = run([Unit("a", "Open the door."), Unit("b", "Close it.")], tm)
    assert segments(analysis) == {NO_MATCH: 1, IN_CONTEXT_EXACT: 1}


def test_repetitions_come_after_exact_matches_and_before_fuzzy_ones() -> None:
    tm = memory(
        ("Delete every selected file", "Borra", None),
        ("Open the big file now", "Abre el archivo grande ahora", None),
    )
    units = [
        Unit("a", "Delete every selected file"),  # 100
        Unit("b", "Delete every selected file"),  # 100 again: the TM wins over repetition
        Unit("c", "Open the big file today"),  # fuzzy
        Unit("d", "Open the big file today"),  # fuzzy in the TM, but a repetition
        Unit("e", "Nothing like it anywhere"),
        Unit("f", "Nothing  like it anywhere"),  # whitespace collapsed: a repetition
    ]
    analysis = run(units, tm)
    assert segments(analysis) == {EXACT: 2, FUZZY_85_94: 1, REPETITION: 2, NO_MATCH: 1}
    assert analysis.bands[REPETITION].words == 9


def test_repetitions_without_a_tm() -> None:
    units = [Unit("a", "Hello world"), Unit("b", "Hello world"), Unit("c", "Hello world")]
    analysis = run(units, None)
    assert segments(analysis) == {NO_MATCH: 1, REPETITION: 2}
    assert analysis.machine_translatable.segments == 1


def test_placeholder_differences() -> None:
    tm = memory(("Hello {name}, welcome", "Hola {name}, bienvenido", None))
    units = [
        Unit("a", "Hello {user}, welcome"),  # exact but for the placeholder: 99
        Unit("b", "Bye {a} now"),
        Unit("c", "Bye {b} now"),  # the same once placeholders are masked: a repetition
    ]
    analysis = run(units, tm)
    assert segments(analysis) == {FUZZY_95_99: 1, NO_MATCH: 1, REPETITION: 1}
    # The TM stage applies the adapted 99% match: machine translation covers only "Bye {a} now".
    assert analysis.machine_translatable.segments == 1
    assert analysis.machine_translatable.words == 2


def test_fuzzy_bands_follow_the_score() -> None:
    tm = memory(("The quick brown fox jumps over the lazy dog", "x", None))
    units = [
        Unit("a", "The quick brown fox jumps over the lazy cat"),
        Unit("b", "A quick red fox walked past some dogs"),
    ]
    analysis = run(units, tm)
    high = analysis.bands[FUZZY_95_99].segments + analysis.bands[FUZZY_85_94].segments
    assert high == 1
    assert analysis.bands[FUZZY_50_74].segments + analysis.bands[NO_MATCH].segments == 1
    assert analysis.machine_translatable.segments == 2


def test_another_organizations_tm_is_not_used() -> None:
    tm = memory(("Save the file", "Guarda el archivo", None), org="org_b")
    analysis = run([Unit("a", "Save the file")], tm)
    assert segments(analysis) == {NO_MATCH: 1}


def test_cjk_words_are_characters_and_spaces_are_counted_apart() -> None:
    cjk = measure("新しいファイル")
    assert (cjk.words, cjk.characters, cjk.white_spaces) == (7, 7, 0)
    latin = measure("Save  the {count} files")
    # The placeholder is neither a word nor characters; both spaces around it are whitespace.
    assert (latin.words, latin.characters, latin.white_spaces) == (3, 12, 4)


def test_untranslatable_units_and_plurals() -> None:
    units = [
        Unit("n", "42"),
        Unit("skip", "Hidden text", translatable=False),
        Unit("p", "{count} files", plural={"one": "One file", "other": "{count} files"}),
    ]
    analysis = run(units, memory(("One file", "Un archivo", None)))
    # Plural forms are segments the TM never serves (an entry holds one form).
    assert segments(analysis) == {NO_MATCH: 2}
    assert analysis.total.words == 3


def test_documents_count_reader_text_not_tags_or_escapes() -> None:
    units = [Unit("p1", "Tom &amp; <g1>Jerry</g1> run")]
    analysis = analyse(
        units, source_locale="en", target_locale="es", tm=None, org_id=ORG, tagged=True
    )
    assert analysis.total.words == 3
    assert analysis.total.characters == len("Tom&Jerryrun")
