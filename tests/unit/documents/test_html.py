"""The HTML codec: byte-faithful splicing, tags that move with the text, what is never a unit."""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree, html

from dragoman.content.documents.html import HtmlCodec
from dragoman.content.model import Limits, Unit

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "html"
CODEC = HtmlCodec()


def _units(data: bytes) -> tuple[list[Unit], object]:
    extraction = CODEC.parse(data, source_locale="en", limits=Limits())
    return extraction.units, extraction.skeleton


def _render(data: bytes, targets: dict[str, str], locale: str = "es") -> bytes:
    units, skeleton = _units(data)
    out = []
    for unit in units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.source)
        out.append(unit)
    return CODEC.render(skeleton, out, target_locale=locale)


def test_identity_translation_changes_only_the_language() -> None:
    data = (FIXTURES / "product.html").read_bytes()
    units, skeleton = _units(data)
    same = [copy.copy(u) for u in units]
    for unit in same:
        unit.target = unit.source
    out = CODEC.render(skeleton, same, target_locale="es")
    assert out == data.replace(b'<html lang="en">', b'<html lang="es">', 1)


def test_what_is_translated_and_what_never_is() -> None:
    units, _ = _units((FIXTURES / "product.html").read_bytes())
    sources = {u.source for u in units}
    assert "Setting up your router" in sources
    assert "Acme logo" in sources and "Main navigation" in sources  # alt, aria-label
    assert "Describe your problem" in sources  # a textarea's placeholder, not its content
    assert "Acme Router X2: fast, quiet &amp; easy to set up." in sources  # meta description
    assert "Products" in sources  # a link alone in its list item: the <a> stays outside
    everything = " ".join(sources)
    for never in (
        "acme-setup",
        "Enter",
        "font-family",
        "@type",
        "Pro Max",
        "ACME-X2-FW",
        "Do not translate",
        "width=device-width",
        "Welcome to the setup wizard",
    ):
        assert never not in everything, never
    run = next(u for u in units if u.source.startswith("Open a terminal"))
    assert run.source == "Open a terminal and run <x1/>, then press <x2/>."


def test_moved_tags_keep_their_element_and_attributes() -> None:
    data = (FIXTURES / "product.html").read_bytes()
    out = _render(data, {
        "If you get stuck, read the <g3>FAQ</g3> or call us.":
            "Llámenos o lea las <g3>preguntas</g3> frecuentes.",
        "Thank you for choosing the <g1>Acme Router X2</g1>.": "<g1>Acme</g1> le da las gracias.",
        "Frequently asked questions": "Preguntas frecuentes",
    })  # fmt: skip
    tree = html.fromstring(out)
    link = tree.xpath("//a[@href='/faq#setup']")[0]
    assert link.text == "preguntas" and link.get("title") == "Preguntas frecuentes"
    assert tree.xpath("//main/p/b")[0].text == "Acme"
    assert b"<p>Thank you" not in out
    # A rewritten paragraph's whitespace runs read as one space, as HTML renders them.
    assert b"le da las gracias. This guide takes about <em>ten minutes</em>." in out


def test_text_is_escaped_and_untouched_entities_stay_as_written() -> None:
    data = (FIXTURES / "product.html").read_bytes()
    out = _render(data, {"Light signals": "Señales <rojo> & verde"})
    assert b"<caption>Se\xc3\xb1ales &lt;rojo&gt; &amp; verde</caption>" in out
    assert b"&copy; 2024 Acme Inc. All rights reserved.&nbsp;<a" in out
    assert b"<title>Acme Router X2 &ndash; Setup Guide</title>" in out


def test_lang_is_added_when_missing_and_xhtml_sets_both() -> None:
    out = _render(b"<html>\n<body><p>Hello there.</p></body></html>", {}, "de")
    assert out.startswith(b'<html lang="de">\n')
    xhtml = (FIXTURES / "notes.xhtml").read_bytes()
    source = "This release adds <g1>dark mode</g1> and fixes\xa0many bugs.<x2/>"
    target = "Esta versión corrige\xa0errores y añade el <g1>modo oscuro</g1>.<x2/>"
    alt = {"Start-up time before and after": "Arranque antes y después"}
    out = _render(xhtml, {source: target, **alt})
    root = etree.fromstring(out)  # still well-formed XML: no &nbsp;
    assert root.get("lang") == "es"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    assert b"corrige&#160;errores" in out
    assert b'alt="Arranque antes y despu\xc3\xa9s"/>' in out
    assert b"<strong>modo oscuro</strong>.<br/> Upgrade with <code>pip install" in out


def test_legacy_encoding_writes_characters_it_lacks_as_references() -> None:
    data = '<html lang="en"><meta charset="windows-1252"><p>Caf\xe9 menu</p></html>'.encode(
        "cp1252"
    )
    out = _render(data, {"Café menu": "Меню кафе"}, "ru")
    head = b'<html lang="ru"><meta charset="windows-1252"><p>'
    assert out == head + b"&#1052;&#1077;&#1085;&#1102; &#1082;&#1072;&#1092;&#1077;</p></html>"


def test_links_side_by_side_are_one_unit_each() -> None:
    units, _ = _units(b'<nav><a href="/a">Home</a> <a href="/b">About us</a></nav>')
    assert [u.source for u in units] == ["Home", "About us"]
