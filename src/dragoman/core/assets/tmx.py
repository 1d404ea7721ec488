"""TMX 1.4: a streaming reader (lxml iterparse, no DTD, no entities) and a streaming writer.

Inline codes (`<ph>`, `<bpt>`, `<ept>`, `<it>`, `<ut>`) become their native code (the
escaped text they hold, e.g. `<b>` or `{0}`), or `<x id="N"/>` when they hold none; `<hi>`
and `<sub>` keep their text. The writer emits every placeholder or tag as `<ph>` with its
native code, so a file written here reads back to the same texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from lxml import etree

from dragoman.content.placeholders import span_pattern
from dragoman.errors import FileFormatError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODES = frozenset({"ph", "bpt", "ept", "it", "ut"})
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE = "%Y%m%dT%H%M%SZ"
PROP_KEY = "x-dragoman-key"
PROP_PREV = "x-dragoman-prev"
PROP_ORIGIN = "x-dragoman-origin"


@dataclass(slots=True)
class TmxUnit:
    """One `<tu>`: its source language, text per language, properties and dates."""

    srclang: str
    variants: dict[str, str]
    props: dict[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    line: int = 0


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _seg_text(seg: Any) -> str:
    if len(seg) == 0:
        return seg.text or ""
    parts: list[str] = [seg.text or ""]
    _children(seg, parts, [0])
    return "".join(parts)


def _children(element: Any, parts: list[str], counter: list[int]) -> None:
    for child in element:
        name = _local(child.tag)
        if name in _CODES:
            native = "".join(child.itertext())
            if not native:
                counter[0] += 1
                native = f'<x id="{child.get("x") or child.get("i") or counter[0]}"/>'
            parts.append(native)
        elif name:  # hi, sub, anything unknown: its text counts
            parts.append(child.text or "")
            _children(child, parts, counter)
        parts.append(child.tail or "")


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, _DATE).replace(tzinfo=UTC)
    except ValueError:
        return None


def read(stream: IO[bytes] | str) -> Iterator[TmxUnit]:
    """Every translation unit of a TMX file, in order, holding one unit in memory at a time;
    FileFormatError (with its line) for a file that is not TMX or declares entities."""
    if isinstance(stream, str):
        # Opened here, not by lxml, so that a file refused halfway is closed at once.
        with open(stream, "rb") as handle:
            yield from _read(handle)
    else:
        yield from _read(stream)


def _read(stream: IO[bytes]) -> Iterator[TmxUnit]:
    events = etree.iterparse(
        stream, events=("end",), tag=("header", "tu"), resolve_entities=False,
        load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    srclang = ""
    checked = False
    try:
        for _, element in events:
            if not checked:
                checked = True
                _check_root(element.getroottree().getroot())
            if element.tag == "tu":
                yield _unit(element, srclang)
                element.clear(keep_tail=False)
                parent = element.getparent()
                while element.getprevious() is not None:  # drop units already read
                    del parent[0]
            else:
                srclang = element.get("srclang") or ""
    except etree.XMLSyntaxError as exc:
        raise FileFormatError(
            f"the file is not well-formed TMX: {exc.msg}", line=exc.lineno
        ) from None
    if not checked:
        root = events.root
        if root is None:
            raise FileFormatError("the TMX file is empty")
        _check_root(root)


def _check_root(root: Any) -> None:
    if _local(root.tag) != "tmx":
        raise FileFormatError(f"expected <tmx> as the root element, found <{_local(root.tag)}>")
    dtd = root.getroottree().docinfo.internalDTD
    # `<!DOCTYPE tmx SYSTEM "tmx14.dtd">` is usual and harmless: it is never loaded.
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FileFormatError("the TMX file declares XML entities in its DTD, which are refused")


def _unit(tu: Any, srclang: str) -> TmxUnit:
    unit = TmxUnit(tu.get("srclang") or srclang, {}, line=tu.sourceline or 0)
    if created := tu.get("creationdate"):
        unit.created_at = _date(created)
    variants = unit.variants
    for child in tu:
        tag = child.tag
        if tag == "tuv":
            lang = child.get(XML_LANG) or child.get("lang")
            for seg in child:
                if seg.tag == "seg":
                    if lang and lang not in variants:
                        variants[lang] = (seg.text or "") if len(seg) == 0 else _seg_text(seg)
                    break
        elif tag == "prop" and (kind := child.get("type")):
            unit.props[kind] = child.text or ""
    return unit


def escape(text: str) -> str:
    """Text escaped for XML content, characters XML cannot hold dropped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub("", text)


def _attr(text: str) -> str:
    return escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def seg_xml(text: str) -> str:
    """A text as `<seg>` content: placeholders and tags as `<ph>`, the rest escaped."""
    pattern = span_pattern(text)
    if pattern is None:
        return escape(text)
    parts = pattern.split(text)
    for index in range(len(parts)):
        parts[index] = (
            f'<ph x="{index // 2 + 1}">{escape(parts[index])}</ph>'
            if index % 2
            else escape(parts[index])
        )
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class TmxRecord:
    """What the writer needs of one entry."""

    source: str
    target: str
    props: dict[str, str]
    created_at: datetime | None = None
    last_used_at: datetime | None = None


def write(out: IO[bytes], srclang: str, tgtlang: str, records: Iterable[TmxRecord]) -> int:
    """Write a TMX 1.4 file of one language pair; returns the number of units written."""
    out.write(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        + (
            f'  <header creationtool="dragoman" creationtoolversion="1" segtype="sentence"'
            f' o-tmf="dragoman" adminlang="en" srclang="{_attr(srclang)}" datatype="plaintext"/>'
            "\n  <body>\n"
        ).encode()
    )
    count = 0
    buffer: list[str] = []
    for record in records:
        dates = ""
        if record.created_at is not None:
            dates += f' creationdate="{record.created_at.astimezone(UTC).strftime(_DATE)}"'
        if record.last_used_at is not None:
            dates += f' lastusagedate="{record.last_used_at.astimezone(UTC).strftime(_DATE)}"'
        props = "".join(
            f'\n      <prop type="{_attr(k)}">{escape(v)}</prop>' for k, v in record.props.items()
        )
        buffer.append(
            f"    <tu{dates}>{props}\n"
            f'      <tuv xml:lang="{_attr(srclang)}"><seg>{seg_xml(record.source)}</seg></tuv>\n'
            f'      <tuv xml:lang="{_attr(tgtlang)}"><seg>{seg_xml(record.target)}</seg></tuv>\n'
            "    </tu>\n"
        )
        count += 1
        if len(buffer) >= 1000:
            out.write("".join(buffer).encode())
            buffer = []
    out.write(("".join(buffer) + "  </body>\n</tmx>\n").encode())
    return count
