""".NET `.resx` resources: each string `<data name><value>` is a unit, spliced in place.

Entries with a `type=` or `mimetype=` attribute hold serialized objects (icons, sizes,
enums) and are not text; WinForms designer metadata (`>>name.Type`) is skipped too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats import _xml
from dragoman.content.formats.base import Codec, locale_filename
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError


@dataclass(frozen=True, slots=True)
class _Skeleton:
    doc: _xml.XmlDoc
    values: dict[str, tuple[_xml.Node, frozenset[str], str]]


class ResxCodec(Codec):
    """`<root>` with `<data name="..." xml:space="preserve"><value>` string entries."""

    name = "resx"
    extensions = (".resx", ".xml")
    media_types = ("application/xml", "text/xml")
    file_type = "xml"

    def sniff(self, head: bytes) -> bool:
        return b"<root" in head and (b"resheader" in head or b"microsoft-resx" in head)

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = _xml.load(data, limits, "resx")
        if doc.root.local != "root":
            raise FileFormatError(f"expected <root> as the root element, found <{doc.root.name}>")
        units: list[Unit] = []
        values: dict[str, tuple[_xml.Node, frozenset[str], str]] = {}
        for data_node in doc.root.findall("data"):
            name = data_node.get("name")
            value = data_node.find("value")
            if (
                name is None
                or value is None
                or name.startswith(">>")
                or data_node.get("type") is not None
                or data_node.get("mimetype") is not None
            ):
                continue
            if name in values:
                raise FileFormatError(
                    f"duplicate resource name {name!r}", line=doc.line(data_node.start)
                )
            if len(units) >= limits.max_units:
                raise FileFormatError(f"more than {limits.max_units} resources")
            text, markup = _xml.inner_source(doc.inner(value))
            comment = data_node.find("comment")
            notes = (
                (_xml.inner_source(doc.inner(comment))[0].strip(),) if comment is not None else ()
            )
            units.append(Unit(name, text, notes=tuple(n for n in notes if n)))
            values[name] = (value, markup, text)
        return Extraction(units, _Skeleton(doc, values))

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: _Skeleton = skeleton
        edits = _xml.Edits(sk.doc)
        for unit in units:
            entry = sk.values.get(unit.id)
            if entry is None or not unit.translatable or unit.target is None:
                continue
            node, markup, source = entry
            if unit.target != source:
                edits.set_inner(node, _xml.escape_inner(unit.target, markup, sk.doc.newline))
        return edits.render()

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """`Resources.resx` -> `Resources.es.resx`, in the same folder (.NET satellite naming)."""
        path = PurePosixPath(filename or "Resources.resx")
        return str(path.parent / locale_filename(path.name, source_locale, target_locale))
