"""Normalisation, hashing and placeholder adaptation of translation-memory text."""

from __future__ import annotations

import pytest

from dragoman.core.assets.tm import Band, band_for, parse_pair
from dragoman.core.assets.tm_text import MASK, adapt, entry_hash, normalise
from dragoman.errors import ValidationError


def test_placeholders_and_tags_are_masked_alike() -> None:
    a, b = normalise("Hello {name}"), normalise("Hello  {user}")
    assert a.text == b.text == f"Hello {MASK}"
    assert a.hash == b.hash
    assert (a.spans, b.spans) == (("{name}",), ("{user}",))
    assert normalise("<g1>Click</g1> %s").text == f"{MASK}Click{MASK} {MASK}"
    assert normalise('Open <x id="1"/> now').text == f"Open {MASK} now"


def test_whitespace_and_unicode_forms_do_not_count_but_case_does() -> None:
    assert normalise(" Caf\u0065\u0301\n  ok ").hash == normalise("Café ok").hash
    assert normalise("Save").hash != normalise("save").hash
    assert normalise("50% off").text == "50% off"  # prose, not a printf spec


def test_entry_hash_separates_context() -> None:
    base = entry_hash("Save", "Guardar", None, None)
    assert base == entry_hash("Save", "Guardar", None, None)
    assert (
        len(
            {base, entry_hash("Save", "Guardar", "k", None), entry_hash("Save", "Guardar", None, 7)}
        )
        == 3
    )


def test_adapt_carries_the_segments_placeholders_by_position() -> None:
    assert adapt("Hola {name}, {n} mensajes", ("{name}", "{n}"), ("{user}", "{count}")) == (
        "Hola {user}, {count} mensajes"
    )
    # the target may reorder them: each is mapped by what it was in the source
    assert adapt("{n} mensajes para {name}", ("{name}", "{n}"), ("{user}", "{count}")) == (
        "{count} mensajes para {user}"
    )
    assert adapt("Hola {name}", ("{name}",), ("{a}", "{b}")) is None


@pytest.mark.parametrize(
    ("score", "band"),
    [(101, Band.IN_CONTEXT), (100, Band.EXACT), (95, Band.FUZZY_95), (94, Band.FUZZY_85),
     (75, Band.FUZZY_75), (74, Band.FUZZY_50), (50, Band.FUZZY_50)],
)  # fmt: skip
def test_bands(score: int, band: Band) -> None:
    assert band_for(score) == band


def test_pairs_parse_and_canonicalise() -> None:
    assert str(parse_pair("en-es")) == "en:es"
    assert str(parse_pair("EN_us-pt_br")) == "en-US:pt-BR"
    assert str(parse_pair("en:zh-Hant")) == "en:zh-Hant"
    with pytest.raises(ValidationError) as info:
        parse_pair("english")
    assert info.value.field == "pair"
