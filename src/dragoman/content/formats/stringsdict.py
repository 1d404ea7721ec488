"""Apple `.stringsdict` plurals, spliced into the original XML: only changed strings and
plural category lists are rewritten, every other byte stays as it was."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dragoman.content.formats._apple_plist import Node, read_plist, xml_escape
from dragoman.content.formats.base import Codec
from dragoman.content.formats.strings import lproj_filename
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import CLDR_ORDER
from dragoman.errors import FileFormatError, PayloadTooLargeError

FORMAT_KEY = "NSStringLocalizedFormatKey"
SPEC_KEY = "NSStringFormatSpecTypeKey"
PLURAL_RULE = "NSStringPluralRuleType"
WIDTH_RULE = "NSStringVariableWidthRuleType"
_VARIABLE = re.compile(r"%#@[^@]*@")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a unit lives: a `<string>` node, or a plural rule dict."""

    uid: str
    node: Node


@dataclass(frozen=True, slots=True)
class StringsdictSkeleton:
    text: str
    slots: tuple[Slot, ...]


class StringsdictCodec(Codec):
    """Each format key's plural variables become plural units (`key/variable`)."""

    name = "stringsdict"
    extensions = (".stringsdict",)
    media_types = ("application/x-plist", "application/xml")
    file_type = "xml"

    def sniff(self, head: bytes) -> bool:
        return b"<plist" in head and FORMAT_KEY.encode() in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
        text, root = read_plist(data, limits.max_depth)
        if root.tag != "dict":
            raise FileFormatError(f"a .stringsdict holds a <dict>, not <{root.tag}>")
        units: list[Unit] = []
        slots: list[Slot] = []
        for key, value in root.items():
            for unit, node in _units_of(key.text, value):
                units.append(unit)
                slots.append(Slot(unit.id, node))
                if len(units) > limits.max_units:
                    raise FileFormatError(f"more than {limits.max_units} strings")
        return Extraction(units, StringsdictSkeleton(text, tuple(slots)))

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: StringsdictSkeleton = skeleton
        by_id = {u.id: u for u in units}
        edits: list[tuple[int, int, str]] = []
        for slot in sk.slots:
            unit = by_id.get(slot.uid)
            if unit is None or not unit.translatable:
                continue
            if slot.node.tag == "dict":
                if unit.target_plural is not None:
                    edits.append(_plural_edit(sk.text, slot.node, unit.target_plural))
            elif unit.target is not None:
                edits.append(_string_edit(slot.node, unit.target))
        out: list[str] = []
        done = 0
        for start, end, new in sorted(edits):
            out += [sk.text[done:start], new]
            done = end
        out.append(sk.text[done:])
        return "".join(out).encode("utf-8")

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        return lproj_filename(filename or "Localizable.stringsdict", source_locale, target_locale)


def _units_of(key: str, value: Node) -> list[tuple[Unit, Node]]:
    """The units of one top-level entry: its format string, plural variables, widths."""
    if value.tag == "string":
        return [(Unit(id=key, source=value.text, context=(key,)), value)]
    if value.tag != "dict":
        return []
    out: list[tuple[Unit, Node]] = []
    for name, node in value.items():
        uid = f"{key}/{name.text}"
        if name.text == FORMAT_KEY and node.tag == "string":
            # `%#@files@` alone has nothing to translate; words around it do.
            words = _VARIABLE.sub("", node.text).strip()
            unit = Unit(id=uid, source=node.text, context=(key,), translatable=bool(words))
            out.append((unit, node))
        elif node.tag == "dict" and _rule(node) == PLURAL_RULE:
            plural = {
                k.text: v.text
                for k, v in node.items()
                if k.text in CLDR_ORDER and v.tag == "string"
            }
            if "other" not in plural:
                raise FileFormatError(f"the plural rule {uid!r} has no 'other' form")
            unit = Unit(id=uid, source=plural["other"], plural=plural, context=(key, name.text))
            out.append((unit, node))
        elif node.tag == "dict" and name.text == WIDTH_RULE:
            for width, text in node.items():
                if text.tag == "string":
                    out.append((Unit(id=f"{uid}/{width.text}", source=text.text,
                                     context=(key, width.text)), text))  # fmt: skip
    return out


def _rule(node: Node) -> str | None:
    spec = node.get(SPEC_KEY)
    return spec.text if spec is not None else None


def _string_edit(node: Node, text: str) -> tuple[int, int, str]:
    if node.end == node.inner_end:  # `<string/>`
        return node.start, node.end, f"<string>{xml_escape(text)}</string>"
    return node.inner_start, node.inner_end, xml_escape(text)


def _plural_edit(text: str, rule: Node, forms: dict[str, str]) -> tuple[int, int, str]:
    """Rewrite the run of category entries of a plural rule dict: exactly `forms`, in CLDR
    order, laid out like the file's first category entry (its indentation and spacing)."""
    pairs = rule.items()
    cats = [(k, v) for k, v in pairs if k.text in CLDR_ORDER]
    first_key, first_value = cats[0]
    last_value = cats[-1][1]
    prev_end = _end_before(rule, first_key)
    lead = text[prev_end : first_key.start]  # newline and indentation before <key>
    gap = text[first_key.end : first_value.start]  # between </key> and <string>
    block = [
        f"{lead if i else ''}<key>{cat}</key>{gap}<string>{xml_escape(forms[cat])}</string>"
        for i, cat in enumerate(c for c in CLDR_ORDER if c in forms)
    ]
    # Entries that are not categories but sit inside the run keep their place after it.
    kept = [
        text[_end_before(rule, k) : v.end]
        for k, v in pairs
        if k.text not in CLDR_ORDER and first_key.start < k.start < last_value.end
    ]
    return first_key.start, last_value.end, "".join(block) + "".join(kept)


def _end_before(rule: Node, key: Node) -> int:
    """Where the element before `key` ends (the dict's start tag when it is the first)."""
    end = rule.inner_start
    for child in rule.children:
        if child is key:
            return end
        end = child.end
    return end
