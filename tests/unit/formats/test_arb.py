"""ArbCodec: messages are units, `@key` metadata gives notes, `@@locale` follows the target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragoman.content.formats.arb import ArbCodec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "arb"
CODEC = ArbCodec()


def _parse(data: bytes) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=Limits())


def _render(extraction: Extraction, targets: dict[str, str], locale: str) -> bytes:
    units = [Unit(u.id, u.source, target=targets.get(u.id)) for u in extraction.units]
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_messages_are_units_and_metadata_gives_their_notes() -> None:
    units = {u.id: u for u in _parse((FIXTURES / "app_en.arb").read_bytes()).units}
    assert list(units) == [
        "appTitle",
        "helloWorld",
        "cartItems",
        "pronoun",
        "lastSeen",
        "quoted",
        "escapedBraces",
        "price",
    ]
    assert units["helloWorld"].notes == (
        "Greeting on the home screen.",
        "Placeholder examples: {name}: Ada",
    )
    assert units["lastSeen"].notes == ()
    assert units["quoted"].source == 'Tap "Start" to begin.\nYou can stop at any time.'


def test_an_icu_plural_stays_one_unit_with_the_whole_message() -> None:
    units = {u.id: u for u in _parse((FIXTURES / "app_en.arb").read_bytes()).units}
    cart = units["cartItems"]
    assert cart.plural is None
    assert cart.source.startswith("{count, plural, =0{Your cart is empty} =1{")
    spanish = (
        "{count, plural, =0{Tu carrito está vacío} one{Un artículo} many{{count} artículos} "
        "other{{count} artículos}}"
    )
    out = _render(_parse((FIXTURES / "app_en.arb").read_bytes()), {"cartItems": spanish}, "es")
    assert json.loads(out)["cartItems"] == spanish
    # This file escapes non-ASCII (`\u20ac`), so the new value does too.
    assert b'"cartItems": "{count, plural, =0{Tu carrito est\\u00e1 vac\\u00edo} one{' in out


def test_locale_marker_follows_the_target_and_metadata_is_untouched() -> None:
    data = (FIXTURES / "app_en.arb").read_bytes()
    extraction = _parse(data)
    out = _render(extraction, {"appTitle": "Galería"}, "pt-BR")
    assert out.startswith(
        b'{\n  "@@locale": "pt_BR",\n  "@@last_modified": "2024-03-18T09:41:12.000Z",'
    )
    before, after = json.loads(data), json.loads(out)
    assert {k: v for k, v in after.items() if k.startswith("@") and k != "@@locale"} == {
        k: v for k, v in before.items() if k.startswith("@") and k != "@@locale"
    }
    assert list(after) == list(before)
    assert _render(extraction, {}, "en") == data
    hyphen = b'{"@@locale": "en-US", "a": "b"}'
    assert _render(CODEC.parse(hyphen, source_locale="en-US", limits=Limits()), {}, "es-MX") == (
        b'{"@@locale": "es-MX", "a": "b"}'
    )


def test_a_file_without_locale_and_with_crlf_keeps_its_layout() -> None:
    data = (FIXTURES / "intl_messages.arb").read_bytes()
    extraction = _parse(data)
    assert [u.id for u in extraction.units] == ["settingsTitle", "notificationsCount", "darkMode"]
    out = _render(extraction, {"darkMode": "Modo oscuro"}, "es")
    assert out == data.replace(b'"Dark mode"', b'"Modo oscuro"')


@pytest.mark.parametrize(
    ("name", "target", "expected"),
    [
        ("app_en.arb", "es", "app_es.arb"),
        ("app_en.arb", "pt-BR", "app_pt_BR.arb"),
        ("intl_en_US.arb", "de", "intl_de.arb"),
        ("intl_messages.arb", "fr", "intl_messages_fr.arb"),
        (None, "ja", "app_ja.arb"),
    ],
)
def test_output_filename_follows_flutter(name: str | None, target: str, expected: str) -> None:
    source = "en-US" if name == "intl_en_US.arb" else "en"
    assert CODEC.output_filename(name, source, target) == expected


def test_invalid_arb_names_the_line() -> None:
    with pytest.raises(FileFormatError) as caught:
        _parse(b'{\n  "a": "x",\n  "@a": {"description": "y",}\n}')
    assert caught.value.line == 3
