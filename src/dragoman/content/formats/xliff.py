"""XLIFF 1.2 and 2.0 in one codec (told apart by `version` and namespace), spliced in place.

Inline codes (`<g>`, `<x/>`, `<bpt>`, `<ph>`, `<mrk>`, 2.0's `<pc>`, `<sc/>`, ...) stay in
Unit.source as raw markup (see `_xml`). Rendering a target fills the existing `<target>` or
inserts one after `</source>` (after `<seg-source>` in 1.2) on its own line with the source's
indentation, and marks it translated: `state="translated"` on the 1.2 `<target>`, on the 2.0
`<segment>`. Targets already in the file are left as they are unless a unit brings a new one
(`Extraction.meta["targets"]` lists them). The target language follows `target_locale`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats import _xml
from dragoman.content.formats.base import Codec, locale_filename
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError


@dataclass(slots=True)
class _Entry:
    """Where a unit's source and target live, and the element that carries its state."""

    source: _xml.Node
    target: _xml.Node | None
    after: _xml.Node
    state_holder: _xml.Node | None
    markup: frozenset[str]
    text: str
    existing: str | None


@dataclass(frozen=True, slots=True)
class _Skeleton:
    doc: _xml.XmlDoc
    source_locale: str
    version2: bool
    files: tuple[_xml.Node, ...]
    entries: dict[str, _Entry]


class XliffCodec(Codec):
    """XLIFF 1.2 `<trans-unit>` and XLIFF 2.0 `<unit><segment>`."""

    name = "xliff"
    extensions = (".xlf", ".xliff", ".xml")
    media_types = ("application/xliff+xml", "application/x-xliff+xml")
    file_type = "xml"
    # The file holds translations next to sources; `meta["targets"]` has the existing ones.
    bilingual = True

    def sniff(self, head: bytes) -> bool:
        return b"<xliff" in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = _xml.load(data, limits, "XLIFF")
        root = doc.root
        if root.local != "xliff":
            raise FileFormatError(f"expected <xliff> as the root element, found <{root.name}>")
        version2 = (root.get("version") or "").startswith("2") or any(
            ":xliff:document:2" in a.value for n, a in root.attrs.items() if n.startswith("xmlns")
        )
        files = tuple(root.findall("file"))
        units: list[Unit] = []
        entries: dict[str, _Entry] = {}
        targets: dict[str, str] = {}
        walk = _units_v2 if version2 else _units_v1
        for file in files:
            for unit, entry in walk(doc, file):
                if unit.id in entries:
                    unit.id = f"{file.get('original') or file.get('id') or ''}/{unit.id}"
                if unit.id in entries:
                    raise FileFormatError(
                        f"duplicate unit id {unit.id!r}", line=doc.line(entry.source.start)
                    )
                if len(units) >= limits.max_units:
                    raise FileFormatError(f"more than {limits.max_units} units")
                units.append(unit)
                entries[unit.id] = entry
                if entry.existing is not None:
                    targets[unit.id] = entry.existing
        skeleton = _Skeleton(doc, source_locale, version2, files, entries)
        return Extraction(
            units, skeleton, {"targets": targets, "xliff_version": "2" if version2 else "1.2"}
        )

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: _Skeleton = skeleton
        doc = sk.doc
        edits = _xml.Edits(doc)
        for unit in units:
            entry = sk.entries.get(unit.id)
            if entry is None or not unit.translatable or unit.target is None:
                continue
            if unit.target == entry.existing:
                continue
            inner = _xml.escape_inner(unit.target, entry.markup, doc.newline)
            if entry.target is not None:
                attrs = {} if sk.version2 else {"state": "translated"}
                edits.set_inner(entry.target, inner, edits.start_tag(entry.target, attrs))
            else:
                name = entry.source.name[: -len("source")] + "target"
                indent = doc.indent_before(entry.source.start)
                lead = (
                    doc.newline + indent
                    if indent or doc.text[entry.source.start - 1] == "\n"
                    else ""
                )
                state = "" if sk.version2 else ' state="translated"'
                edits.replace(
                    entry.after.end, entry.after.end, f"{lead}<{name}{state}>{inner}</{name}>"
                )
            if entry.state_holder is not None:
                edits.set_attrs(entry.state_holder, {"state": "translated"})
        if not _xml.same_locale(target_locale, sk.source_locale):
            if sk.version2:
                edits.set_attrs(doc.root, {"trgLang": target_locale})
            else:
                for file in sk.files:
                    edits.set_attrs(file, {"target-language": target_locale})
        return edits.render()

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """`messages.en.xlf` -> `messages.es.xlf`, in the same folder."""
        path = PurePosixPath(filename or "messages.xlf")
        return str(path.parent / locale_filename(path.name, source_locale, target_locale))


def _descend(node: _xml.Node, leaf: str, translate: bool) -> Iterator[tuple[_xml.Node, bool]]:
    """Every `leaf` element under `node` (through groups, bodies) with its inherited translate."""
    for child in node.children:
        flag = translate and child.get("translate", "yes") != "no"
        if child.local == leaf:
            yield child, flag
        elif child.local in ("body", "group"):
            yield from _descend(child, leaf, flag)


def _notes(doc: _xml.XmlDoc, node: _xml.Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    return tuple(_xml.inner_source(doc.inner(n))[0].strip() for n in node.findall("note"))


def _units_v1(doc: _xml.XmlDoc, file: _xml.Node) -> Iterator[tuple[Unit, _Entry]]:
    for tu, translate in _descend(file, "trans-unit", file.get("translate", "yes") != "no"):
        source = tu.find("source")
        uid = tu.get("id")
        if source is None or uid is None:
            raise FileFormatError(
                "a <trans-unit> needs an id and a <source>", line=doc.line(tu.start)
            )
        text, markup = _xml.inner_source(doc.inner(source))
        target = tu.find("target")
        existing = _xml.inner_source(doc.inner(target))[0] if target is not None else None
        after = tu.find("seg-source") or source
        resname = tu.get("resname")
        max_length = None
        width = tu.get("maxwidth")
        if width and width.isdigit() and tu.get("size-unit", "pixel") == "char":
            max_length = int(width)
        unit = Unit(
            uid,
            text,
            context=(resname,) if resname else (),
            notes=_notes(doc, tu),
            max_length=max_length,
            translatable=translate,
        )
        yield unit, _Entry(source, target, after, None, markup, text, existing)


def _units_v2(doc: _xml.XmlDoc, file: _xml.Node) -> Iterator[tuple[Unit, _Entry]]:
    for node, translate in _descend(file, "unit", file.get("translate", "yes") != "no"):
        uid = node.get("id")
        if uid is None:
            raise FileFormatError("a <unit> needs an id", line=doc.line(node.start))
        segments = list(node.findall("segment"))
        notes = _notes(doc, node.find("notes"))
        name = node.get("name")
        for index, segment in enumerate(segments):
            source = segment.find("source")
            if source is None:
                raise FileFormatError("a <segment> needs a <source>", line=doc.line(segment.start))
            text, markup = _xml.inner_source(doc.inner(source))
            target = segment.find("target")
            existing = _xml.inner_source(doc.inner(target))[0] if target is not None else None
            sid = uid if len(segments) == 1 else f"{uid}/{segment.get('id') or index}"
            unit = Unit(
                sid, text, context=(name,) if name else (), notes=notes, translatable=translate
            )
            yield unit, _Entry(source, target, source, segment, markup, text, existing)
