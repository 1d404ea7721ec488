"""Android `res/values/strings.xml`: strings, plurals and string arrays, spliced in place.

A unit's text is what the app shows: Android escapes (`\\'`, `\\"`, `\\n`, `\\t`, `\\@`,
`\\?`, `\\uXXXX`) undone, `"..."` quoting removed, and, as aapt2 does, unquoted runs of
whitespace collapsed to one space and trimmed at the ends. Inline markup (`<xliff:g>`,
`<b>`, `<i>`, `<u>`, links) stays in the text as raw tags (see `_xml`). A changed value is
written with Android escapes (apostrophes as `\\'`), in quotes when its spaces need them,
and inside CDATA when the original was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats import _xml
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import CLDR_ORDER
from dragoman.errors import FileFormatError

_ESCAPES = {"n": "\n", "t": "\t"}
# Escapes, quotes, and whitespace a single space does not already stand for.
_SPECIAL = re.compile(r'\\(u[0-9a-fA-F]{4}|.)|"|[ \t\n]{2,}|[\t\n]', re.S)
# The same, plus a lone space at either end of a run (it may end up at the value's edge).
_SPECIAL_EDGES = re.compile(_SPECIAL.pattern + r"|\A | \Z", re.S)
_TEXT_OUT = str.maketrans(
    {
        "\\": "\\\\",
        '"': '\\"',
        "'": "\\'",
        "\n": "\\n",
        "\t": "\\t",
        "\r": "",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    }
)
_CDATA_OUT = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": ""}
)
_NEEDS_QUOTES = re.compile(r"^\s|\s$|  ")
_SPACE = "\x00"  # marks a collapsed unquoted space until the ends are trimmed
_NO_MARKUP: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Value:
    """Where one value lives and how it was written."""

    node: _xml.Node
    markup: frozenset[str]
    cdata: bool
    quoted: bool
    source: str


@dataclass(frozen=True, slots=True)
class _Skeleton:
    doc: _xml.XmlDoc
    source_locale: str
    values: dict[str, _Value]
    plurals: dict[str, tuple[_xml.Node, dict[str, _Value]]]


class AndroidCodec(Codec):
    """`<resources>` with `<string>`, `<plurals>` and `<string-array>` entries."""

    name = "android"
    extensions = (".xml",)
    media_types = ("application/xml", "text/xml")
    file_type = "xml"

    def sniff(self, head: bytes) -> bool:
        return b"<resources" in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = _xml.load(data, limits, "Android strings")
        if doc.root.local != "resources":
            raise FileFormatError(
                f"expected <resources> as the root element, found <{doc.root.name}>"
            )
        units: list[Unit] = []
        values: dict[str, _Value] = {}
        plurals: dict[str, tuple[_xml.Node, dict[str, _Value]]] = {}

        def add(unit: Unit, node: _xml.Node) -> None:
            if unit.id in values or unit.id in plurals:
                raise FileFormatError(
                    f"duplicate resource name {unit.id!r}", line=doc.line(node.start)
                )
            if len(units) >= limits.max_units:
                raise FileFormatError(f"more than {limits.max_units} strings")
            units.append(unit)

        for node in doc.root.children:
            kind, name = node.local, node.get("name")
            if kind not in ("string", "plurals", "string-array") or name is None:
                continue
            product = node.get("product")
            uid = f"{name}#{product}" if product and product != "default" else name
            # A string and a plurals entry may share a name (they are different resource types).
            if (kind == "plurals" and uid in values) or (kind == "string" and uid in plurals):
                uid = f"{uid}#{kind}"
            translatable = node.get("translatable", "true") != "false"
            notes = tuple(c for c in node.comments if c)
            if kind == "string":
                value = _value(doc, node)
                ok = translatable and not _is_reference(doc, node)
                add(Unit(uid, value.source, notes=notes, translatable=ok), node)
                values[uid] = value
            elif kind == "string-array":
                for index, item in enumerate(node.findall("item")):
                    value = _value(doc, item)
                    ok = translatable and not _is_reference(doc, item)
                    item_id = f"{uid}[{index}]"
                    add(
                        Unit(item_id, value.source, context=(uid,), notes=notes, translatable=ok),
                        item,
                    )
                    values[item_id] = value
            else:
                forms = {i.get("quantity") or "": _value(doc, i) for i in node.findall("item")}
                forms.pop("", None)
                if not forms:
                    continue
                # Any form's tags may show up in any target form.
                union = frozenset().union(*(v.markup for v in forms.values()))
                forms = {q: replace(v, markup=union) for q, v in forms.items()}
                plural = {q: v.source for q, v in forms.items()}
                source = plural.get("other") or next(reversed(plural.values()))
                add(Unit(uid, source, plural=plural, notes=notes, translatable=translatable), node)
                plurals[uid] = (node, forms)
        return Extraction(units, _Skeleton(doc, source_locale, values, plurals))

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: _Skeleton = skeleton
        edits = _xml.Edits(sk.doc)
        for unit in units:
            if not unit.translatable:
                continue
            if unit.target_plural is not None and unit.id in sk.plurals:
                _render_plurals(edits, *sk.plurals[unit.id], unit.target_plural)
            elif unit.target is not None and unit.id in sk.values:
                value = sk.values[unit.id]
                if unit.target != value.source:
                    edits.set_inner(value.node, _encode(unit.target, value))
        locale = sk.doc.root.attrs.get("tools:locale")
        if locale is not None and not _xml.same_locale(target_locale, sk.source_locale):
            edits.set_attrs(sk.doc.root, {"tools:locale": target_locale.replace("-", "_")})
        return edits.render()

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        path = PurePosixPath(filename or "values/strings.xml")
        qualifier = android_qualifier(target_locale)
        folder = path.parent.name
        if folder == "values" or folder.startswith("values-"):
            rest = folder[len("values") :].lstrip("-").split("-") if folder != "values" else []
            if rest and rest[0].startswith("b+"):
                rest = rest[1:]
            elif rest and rest[0].lower() == source_locale.split("-")[0].lower():
                region = len(rest) > 1 and len(rest[1]) == 3 and rest[1][0] == "r"
                rest = rest[2:] if region and rest[1][1:].isupper() else rest[1:]
            return str(path.parent.parent / "-".join(["values", qualifier, *rest]) / path.name)
        return str(path.parent / f"values-{qualifier}" / path.name)


def android_qualifier(locale: str) -> str:
    """`es` -> `es`, `pt-BR` -> `pt-rBR`, `sr-Latn` -> `b+sr+Latn` (BCP 47 form for scripts)."""
    parts = [p for p in re.split(r"[-_]", locale) if p]
    if not parts:
        return locale
    if len(parts) == 1:
        return parts[0].lower()
    if len(parts) == 2 and len(parts[1]) == 2 and parts[1].isalpha():
        return f"{parts[0].lower()}-r{parts[1].upper()}"
    return "b+" + "+".join(parts)


def _value(doc: _xml.XmlDoc, node: _xml.Node) -> _Value:
    raw = doc.text[node.tag_end : node.inner_end]
    cdata = quoted = False
    if '"' in raw or "<![CDATA[" in raw:
        stripped = raw.strip()
        cdata = stripped.startswith("<![CDATA[") and stripped.endswith("]]>")
        cdata = cdata and stripped.count("<![CDATA[") == 1
        quoted = len(stripped) > 1 and stripped[0] == stripped[-1] == '"' and stripped[-2] != "\\"
    if "<" not in raw and "&" not in raw and "\r" not in raw:
        return _Value(node, _NO_MARKUP, cdata, quoted, decode([(False, raw)]))
    runs = _xml.split_inner(raw)
    markup = _NO_MARKUP if cdata else frozenset(t for m, t in runs if m)
    return _Value(node, markup, cdata, quoted, decode(runs))


def _is_reference(doc: _xml.XmlDoc, node: _xml.Node) -> bool:
    """A value that points at another resource (`@string/x`, `?attr/y`) is not text."""
    return doc.inner(node).lstrip()[:1] in ("@", "?")


def decode(runs: list[tuple[bool, str]]) -> str:
    """Android's reading of a value's runs: escapes undone, quotes removed, spaces collapsed."""
    if not runs:
        return ""
    first, last = runs[0], runs[-1]
    if (
        (first[0] or first[1][:1] != " ")
        and (last[0] or last[1][-1:] != " ")
        and not any(not m and _SPECIAL.search(t) for m, t in runs)
    ):
        return "".join(t for _, t in runs)
    out: list[str] = []
    quoted = False
    for is_markup, text in runs:
        if is_markup:
            out.append(text)
            continue
        prev = 0
        for match in _SPECIAL_EDGES.finditer(text):
            found = match.group()
            if found[0] != "\\" and found != '"' and quoted:
                continue
            out.append(text[prev : match.start()])
            prev = match.end()
            if found == '"':
                quoted = not quoted
            elif found[0] == "\\":
                escaped = match.group(1)
                out.append(
                    chr(int(escaped[1:], 16))
                    if len(escaped) == 5
                    else _ESCAPES.get(escaped, escaped)
                )
            else:
                out.append(_SPACE)
        out.append(text[prev:])
    text = "".join(out)
    if _SPACE not in text:
        return text
    # aapt2 drops unquoted whitespace at the ends and merges what meets across runs.
    text = re.sub(f"{_SPACE}+", _SPACE, text).strip(_SPACE)
    return re.sub(f" ?{_SPACE} ?", " ", text)


def _encode(target: str, value: _Value) -> str:
    """A target in Android's escaping, in CDATA or quotes where the original or spaces ask."""
    if value.cdata:
        body, plain = target.translate(_CDATA_OUT), target
    else:
        runs = _xml.split_target(target, value.markup)
        body = "".join(t if m else t.translate(_TEXT_OUT) for m, t in runs)
        plain = "".join(t for m, t in runs if not m)
    if body[:1] in ("@", "?"):
        body = "\\" + body
    if value.quoted or _NEEDS_QUOTES.search(plain):
        body = f'"{body}"'
    if value.cdata:
        return "<![CDATA[" + body.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return body


def _render_plurals(
    edits: _xml.Edits, node: _xml.Node, forms: dict[str, _Value], target: dict[str, str]
) -> None:
    """Write exactly the target's quantities: values spliced when the set is unchanged,
    else the items rebuilt in CLDR order with the first item's indentation."""
    if set(target) == set(forms):
        for quantity, text in target.items():
            value = forms[quantity]
            if text != value.source:
                edits.set_inner(value.node, _encode(text, value))
        return
    doc = edits.doc
    template = forms.get("other") or next(iter(forms.values()))
    items = [v.node for v in forms.values()]
    head = doc.text[node.tag_end : items[0].start]
    indent = doc.indent_before(items[0].start)
    lead = doc.newline + indent if "\n" in head else head
    tail = doc.text[items[-1].end : node.inner_end]
    order = {c: i for i, c in enumerate(CLDR_ORDER)}
    pieces = [head]
    for index, quantity in enumerate(sorted(target, key=lambda q: order.get(q, len(order)))):
        text, found = target[quantity], forms.get(quantity)
        pieces.append(lead if index else "")
        if found is not None and text == found.source:
            pieces.append(doc.text[found.node.start : found.node.end])
            continue
        value = found or template
        if found is not None:
            tag = doc.text[found.node.start : found.node.tag_end]
        else:
            tag = edits.start_tag(template.node, {"quantity": quantity})
        opening = tag.rstrip(">").rstrip("/").rstrip() + ">"
        pieces.append(f"{opening}{_encode(text, value)}</{value.node.name}>")
    pieces.append(tail)
    edits.replace(node.tag_end, node.inner_end, "".join(pieces))
