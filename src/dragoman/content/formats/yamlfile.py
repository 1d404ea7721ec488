"""Rails i18n YAML and plain YAML, spliced: only translated values' characters change."""

from __future__ import annotations

import codecs
from collections.abc import Sequence as SequenceType
from dataclasses import dataclass
from typing import Any, ClassVar

from dragoman.content.formats import _yaml_write as write
from dragoman.content.formats._yaml_events import Backend, default_backend
from dragoman.content.formats._yaml_splice import Edit, plural_edits, scalar_edit
from dragoman.content.formats._yaml_tree import Mapping, Node, Scalar, Sequence, build
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import CLDR_CATEGORIES, plural_categories
from dragoman.errors import FileFormatError, PayloadTooLargeError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class YamlSkeleton:
    """The decoded text and, per unit id, the node its target is written over."""

    text: str
    bom: bytes
    encoding: str
    newline: str
    ascii_only: bool
    root_key: Scalar | None
    scalars: dict[str, Scalar]
    plurals: dict[str, tuple[Mapping, dict[str, str]]]


class YamlCodec(Codec):
    """YAML files; a single root key naming a locale makes it a Rails i18n file."""

    name: ClassVar[str] = "yaml"
    extensions: ClassVar[tuple[str, ...]] = (".yml", ".yaml")
    media_types: ClassVar[tuple[str, ...]] = ("application/yaml", "text/yaml")
    file_type: ClassVar[str | None] = "yaml"

    def __init__(self, events: Backend | None = None) -> None:
        self._events = events or default_backend()

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
        bom, encoding, text = _decode(data)
        docs = build(text, self._events, limits)
        root_key = _rails_root(docs, source_locale)
        walker = _Walker(text, limits, rails=root_key is not None)
        for number, doc in enumerate(docs):
            path: tuple[str, ...] = (str(number),) if len(docs) > 1 else ()
            if root_key is not None and isinstance(doc, Mapping):
                walker.walk(doc.entries[0][1], path)
            else:
                walker.walk(doc, path)
        newline = "\r\n" if "\r\n" in text else "\n"
        ascii_only = text.isascii() and ("\\u" in text or "\\x" in text)
        skeleton = YamlSkeleton(
            text, bom, encoding, newline, ascii_only, root_key, walker.scalars, walker.plurals
        )
        meta = {"rails": root_key is not None}
        return Extraction(walker.units, skeleton, meta)

    def render(self, skeleton: Any, units: SequenceType[Unit], *, target_locale: str) -> bytes:
        sk: YamlSkeleton = skeleton
        text = sk.text
        edits: list[Edit] = []
        if sk.root_key is not None:
            renamed = _locale_key(sk.root_key, target_locale)
            if renamed is not None:
                edits.append((sk.root_key.start, sk.root_key.end, renamed))
        for unit in units:
            if unit.plural is not None:
                found = sk.plurals.get(unit.id)
                if found is not None and unit.target_plural is not None:
                    node, forms = found
                    edits.extend(
                        plural_edits(
                            text,
                            node,
                            forms,
                            unit.target_plural,
                            newline=sk.newline,
                            ascii_only=sk.ascii_only,
                        )
                    )
                continue
            scalar = sk.scalars.get(unit.id)
            if scalar is not None and unit.target is not None and unit.target != scalar.value:
                edits.append(
                    scalar_edit(
                        text, scalar, unit.target, newline=sk.newline, ascii_only=sk.ascii_only
                    )
                )
        edits.sort(key=lambda edit: (edit[0], edit[1]))
        out: list[str] = []
        at = 0
        for start, end, replacement in edits:
            out.append(text[at:start])
            out.append(replacement)
            at = end
        out.append(text[at:])
        return sk.bom + "".join(out).encode(sk.encoding)


class _Walker:
    """Collects units (file order) and the node each one is written over."""

    def __init__(self, text: str, limits: Limits, *, rails: bool) -> None:
        self.text = text
        self.limits = limits
        self.rails = rails
        self.units: list[Unit] = []
        self.scalars: dict[str, Scalar] = {}
        self.plurals: dict[str, tuple[Mapping, dict[str, str]]] = {}
        self._lines: list[str] | None = None
        self._taken: set[str] = set()

    def walk(self, node: Node, path: tuple[str, ...], key_line: int | None = None) -> None:
        if isinstance(node, Scalar):
            if node.is_string and node.value:
                self._add(Unit(_unit_id(path), node.value), node, path, key_line)
        elif isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                self.walk(item, (*path, f"[{index}]"))
        elif isinstance(node, Mapping):
            forms = _plural_forms(node) if self.rails else None
            if forms is not None:
                source = forms.get("other") or next(iter(forms.values()))
                self._add(Unit(_unit_id(path), source, plural=forms), node, path, key_line)
                return
            prefix = _unit_id(path) + "." if path else ""
            for key, value in node.entries:
                name = key.value if isinstance(key, Scalar) else "?"
                if type(value) is Scalar:
                    # The common case inline: a flat file of 100k keys stays linear and quick.
                    if value.is_string and value.value:
                        unit = Unit(prefix + name, value.value)
                        self._add(unit, value, (*path, name), key.line)
                else:
                    self.walk(value, (*path, name), key.line)

    def _add(
        self, unit: Unit, node: Scalar | Mapping, path: tuple[str, ...], key_line: int | None
    ) -> None:
        if unit.id in self._taken:
            # A duplicate key: YAML forbids it, Rails takes the last; both stay in the file.
            number = 2
            while f"{unit.id}#{number}" in self._taken:
                number += 1
            unit.id = f"{unit.id}#{number}"
        self._taken.add(unit.id)
        unit.context = path
        if key_line:
            unit.notes = self._comments_above(key_line)
        if isinstance(node, Scalar):
            self.scalars[unit.id] = node
        else:
            self.plurals[unit.id] = (node, unit.plural or {})
        self.units.append(unit)
        if len(self.units) > self.limits.max_units:
            raise PayloadTooLargeError(
                f"the file holds more than the limit of {self.limits.max_units} strings"
            )

    def _comments_above(self, line: int) -> tuple[str, ...]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        if not self._lines[line - 1].lstrip().startswith("#"):
            return ()
        notes: list[str] = []
        index = line - 1
        while index >= 0:
            stripped = self._lines[index].strip()
            if not stripped.startswith("#"):
                break
            notes.append(stripped.lstrip("#").strip())
            index -= 1
        return tuple(reversed([n for n in notes if n]))


def _unit_id(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        out += part if part.startswith("[") or not out else "." + part
    return out or "."


def _plural_forms(node: Mapping) -> dict[str, str] | None:
    """The categories of a Rails plural mapping (`one:`/`other:` and friends), else None."""
    forms: dict[str, str] = {}
    for key, value in node.entries:
        if not (isinstance(key, Scalar) and isinstance(value, Scalar) and value.is_string):
            return None
        if key.value not in CLDR_CATEGORIES or key.value in forms:
            return None
        forms[key.value] = value.value
    return forms if "one" in forms or "other" in forms else None


def _rails_root(docs: list[Node], source_locale: str) -> Scalar | None:
    """The root key of a Rails locale file: one root key naming the source locale (or any
    locale, so a translated file reads back the same), its value a mapping."""
    if len(docs) != 1 or not isinstance(docs[0], Mapping) or len(docs[0].entries) != 1:
        return None
    key, value = docs[0].entries[0]
    if not isinstance(key, Scalar) or not isinstance(value, Mapping):
        return None
    name = _norm(key.value)
    source = _norm(source_locale)
    if name == source or name.split("-")[0] == source.split("-")[0]:
        return key
    language = name.split("-")[0]
    if 2 <= len(language) <= 3 and language.isalpha() and plural_categories(name):
        return key
    return None


def _norm(locale: str) -> str:
    return locale.replace("_", "-").lower()


def _locale_key(key: Scalar, target_locale: str) -> str | None:
    """The root key written for `target_locale` in the key's own spelling, None if it is so."""
    if _norm(key.value) == _norm(target_locale):
        return None
    name = target_locale.replace("-", "_") if "_" in key.value else target_locale
    if key.style in ("'", '"'):
        quoted = write.single_quoted(name) if key.style == "'" else None
        return quoted or write.double_quoted(name)
    return write.plain(name, flow=key.flow) or write.double_quoted(name)


def _decode(data: bytes) -> tuple[bytes, str, str]:
    """(BOM, encoding, text) of a YAML file: UTF-8, or UTF-16 with a BOM."""
    bom, encoding = b"", "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    try:
        return bom, encoding, data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: len(bom) + exc.start].count(b"\n") + 1
        raise FileFormatError(
            f"the file is not valid {encoding}: {exc.reason}", line=line
        ) from None
