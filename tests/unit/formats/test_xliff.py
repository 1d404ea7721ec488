"""XLIFF 1.2 and 2.0, and the hostile-input cases every XML codec shares (`_xml`)."""

from __future__ import annotations

import copy
import difflib
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.xliff import XliffCodec
from dragoman.content.model import Extraction, Limits
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "xliff"
V12 = FIXTURES / "messages.en.xlf"
V20 = FIXTURES / "messages.en.xlf2.xlf"
CODEC = XliffCodec()
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"


def _extract(data: bytes) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=Limits())


def _render(data: bytes, targets: dict[str, str], locale: str = "de") -> bytes:
    extraction = _extract(data)
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_v12_units_keep_inline_markup_and_decode_text() -> None:
    extraction = _extract(V12.read_bytes())
    units = {u.id: u for u in extraction.units}
    assert units["welcomeUser"].source == (
        'Welcome back, <x id="INTERPOLATION" equiv-text="{{ user.name }}"/>!'
    )
    assert units["termsLink"].source == (
        'Read the <g id="START_LINK" ctype="x-a">terms & conditions</g> before you continue.'
    )
    assert units["brand"].source == "Acme™ Cloud"
    assert not units["brand"].translatable
    assert units["multiline"].source == 'First line\nSecond line with <angle> brackets and "quotes"'
    assert units["multiline"].max_length == 80
    assert units["introductionHeader"].context == ("app.header",)
    assert units["introductionHeader"].notes == (
        "An introduction header for this sample",
        "User welcome",
    )
    assert (
        extraction.meta["targets"]["footer.copyright"] == "© 2024 Acme, Inc. All rights reserved."
    )


def test_v12_render_inserts_and_fills_targets_in_place() -> None:
    data = V12.read_bytes()
    out = _render(
        data,
        {
            "introductionHeader": "Hallo i18n!",
            "termsLink": (
                'Lies die <g id="START_LINK" ctype="x-a">AGB & Bedingungen</g> <b>jetzt</b>.'
            ),
            "brand": "NOPE",
        },
    )
    assert b'<file source-language="en" datatype="plaintext" original="ng2.template" ' in out
    assert b'target-language="de">' in out
    assert (
        b"        <source>Hello i18n!</source>\n"
        b'        <target state="translated">Hallo i18n!</target>\n'
        b'        <context-group purpose="location">'
    ) in out
    assert (
        b'<target state="translated">Lies die <g id="START_LINK" ctype="x-a">AGB &amp; '
        b"Bedingungen</g> &lt;b&gt;jetzt&lt;/b&gt;.</target>"
    ) in out
    assert b"NOPE" not in out
    # Only the changed units' lines differ.
    diff = difflib.ndiff(data.decode().split("\n"), out.decode().split("\n"))
    assert [line[2:].strip()[:20] for line in diff if line[:1] in "+-"] == [
        "<file source-languag",
        "<file source-languag",
        '<target state="trans',
        '<target state="needs',
        '<target state="trans',
    ]
    tree = etree.fromstring(out)
    assert tree.nsmap[None] == NS12
    again = _extract(out)
    assert again.meta["targets"]["introductionHeader"] == "Hallo i18n!"
    assert [u.source for u in again.units] == [u.source for u in _extract(data).units]


def test_identity_and_unchanged_existing_target_keep_bytes() -> None:
    data = V12.read_bytes()
    assert _render(data, {}, "en") == data
    same = {"footer.copyright": "© 2024 Acme, Inc. All rights reserved."}
    assert _render(data, same, "en") == data


def test_v20_target_segment_state_and_trglang() -> None:
    data = V20.read_bytes()
    extraction = _extract(data)
    ids = [u.id for u in extraction.units]
    assert ids == [
        "introductionHeader",
        "welcomeUser",
        "boldWarning",
        "twoSentences/s1",
        "twoSentences/s2",
        "trademark",
    ]
    assert not extraction.units[-1].translatable
    assert extraction.units[0].notes[0] == "An introduction header for this sample"
    out = _render(
        data,
        {
            "introductionHeader": "Hola i18n!",
            "welcomeUser": 'Hola, <ph id="0" equiv="INTERPOLATION" disp="{{ user.name }}"/>!',
            "twoSentences/s2": "Puedes cerrar\nesta ventana.",
            "trademark": "NO",
        },
        "es",
    )
    assert b'version="2.0" srcLang="en" trgLang="es">\r\n' in out
    assert (
        b'      <segment state="translated">\r\n        <source>Hello i18n!</source>\r\n'
        b"        <target>Hola i18n!</target>\r\n      </segment>"
    ) in out
    assert b'<segment state="translated">\r\n        <source>Welcome back' in out
    assert b'<target>Hola, <ph id="0"' in out
    assert b"<target>Puedes cerrar\r\nesta ventana.</target>" in out
    assert b"NO<" not in out
    assert etree.fromstring(out).nsmap[None] == NS20
    assert _extract(out).meta["targets"]["twoSentences/s2"] == "Puedes cerrar\nesta ventana."


def test_self_closing_target_and_other_encodings() -> None:
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<xliff version="1.2">'
        '<file source-language="en"><body><trans-unit id="a"><source>Caf\xe9</source><target/>'
        "</trans-unit></body></file></xliff>"
    )
    data = text.encode("latin-1")
    assert _extract(data).units[0].source == "Café"
    out = _render(data, {"a": "Café 日本"})
    assert b'<target state="translated">Caf\xe9 &#26085;&#26412;</target>' in out
    utf16 = text.replace("ISO-8859-1", "UTF-16").encode("utf-16")
    assert _render(utf16, {}, "en") == utf16
    out16 = _render(utf16, {"a": "Kaffee"})
    assert out16.startswith(b"\xff\xfe")
    assert '<target state="translated">Kaffee</target>' in out16.decode("utf-16")


@pytest.mark.parametrize("encoding", ["windows-1252", "shift_jis"])
def test_encodings_expat_cannot_read_itself_are_kept(encoding: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<xliff version="1.2">'
        '<file source-language="en"><body><trans-unit id="a"><source>\u201cx\u201d</source>'
        "</trans-unit></body></file></xliff>"
    )
    data = text.encode(encoding)
    assert _extract(data).units[0].source == "\u201cx\u201d"
    assert _render(data, {}, "en") == data
    out = _render(data, {"a": "\u201cy\u201d \u0e01"})
    assert '<target state="translated">\u201cy\u201d &#3585;</target>' in out.decode(encoding)


def test_output_filename_and_sniff() -> None:
    assert CODEC.output_filename("messages.en.xlf", "en", "es") == "messages.es.xlf"
    assert CODEC.output_filename("messages.xlf", "en", "pt-BR") == "messages.pt-BR.xlf"
    assert CODEC.sniff(V12.read_bytes()[:4096])
    assert registry.for_file("export.xml", V12.read_bytes()).name == "xliff"


# Hostile input, for every codec built on _xml.
CODECS = ["android", "xliff", "resx", "ts"]
ROOTS = {"android": "resources", "xliff": "xliff", "resx": "root", "ts": "TS"}
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n<{root}>&lol9;</{root}>"
).replace("&lol0;", "&lol;")


def _codec(name: str) -> Codec:
    return registry.get(name)


@pytest.mark.parametrize("name", CODECS)
def test_billion_laughs_fails_fast(name: str) -> None:
    data = LAUGHS.replace("{root}", ROOTS[name]).encode()
    started = time.perf_counter()
    with pytest.raises(FileFormatError, match=r"entities.*line 2"):
        _codec(name).parse(data, source_locale="en", limits=Limits())
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("name", CODECS)
def test_external_entities_are_refused(name: str) -> None:
    root = ROOTS[name]
    declared = (
        f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><{root}>&xxe;</{root}>'
    )
    with pytest.raises(FileFormatError, match="entities"):
        _codec(name).parse(declared.encode(), source_locale="en", limits=Limits())
    parameter = f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]><{root}/>'
    with pytest.raises(FileFormatError, match="entities"):
        _codec(name).parse(parameter.encode(), source_locale="en", limits=Limits())


def test_undeclared_entity_behind_an_external_dtd_is_refused() -> None:
    data = (
        b'<!DOCTYPE xliff SYSTEM "http://127.0.0.1:1/xliff.dtd"><xliff version="1.2"><file>'
        b'<body><trans-unit id="a"><source>&secret;</source></trans-unit></body></file></xliff>'
    )
    with pytest.raises(FileFormatError, match="external DTD"):
        _extract(data)


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\xff\xfe\x13binary\x00junk", "not"),
        (b'<?xml version="1.0" encoding="utf-8"?><a>\xff\xfe</a>', "not valid utf-8"),
        (b'<?xml version="1.0" encoding="x-nonsense"?><a/>', "unknown encoding"),
        (b"<a>\n<b>\n</a>", r"not well-formed.*line 3"),
        (b"", "not well-formed"),
    ],
)
def test_junk_is_refused_with_a_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message):
        _codec(name).parse(data, source_locale="en", limits=Limits())


@pytest.mark.parametrize("name", CODECS)
def test_limits(name: str) -> None:
    codec = _codec(name)
    root = ROOTS[name]
    deep = f"<{root}>{'<a>' * 80}{'</a>' * 80}</{root}>".encode()
    with pytest.raises(FileFormatError, match="nests deeper than 64"):
        codec.parse(deep, source_locale="en", limits=Limits())
    with pytest.raises(PayloadTooLargeError):
        codec.parse(deep, source_locale="en", limits=Limits(max_bytes=100))
    fixture = next((FIXTURES.parent / ("ts" if name == "ts" else name)).iterdir())
    with pytest.raises(FileFormatError, match="more than 2 "):
        codec.parse(fixture.read_bytes(), source_locale="en", limits=Limits(max_units=2))


PIECES = st.one_of(
    st.characters(exclude_categories=("Cs", "Cc", "Cn")),
    st.sampled_from(["\n", "\t", "&", "<", ">", '<g id="START_LINK" ctype="x-a">', "</g>"]),
)


@given(target=st.lists(PIECES, max_size=30).map("".join))
def test_any_target_reads_back_as_written(target: str) -> None:
    for fixture, uid in ((V12, "termsLink"), (V20, "welcomeUser")):
        out = _render(fixture.read_bytes(), {uid: target})
        etree.fromstring(out)
        assert _extract(out).meta["targets"][uid] == target
