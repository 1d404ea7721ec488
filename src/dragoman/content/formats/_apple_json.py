"""A JSON reader that keeps each value's character span (for splicing String Catalogs),
and a writer in Xcode's layout (2-space indentation, `" : "` separators)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # C scanner, untyped
from typing import Any

from dragoman.errors import FileFormatError

_SPACE = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass(slots=True)
class JsonNode:
    """A value, its span, and for an object its members `(key, key_start, value)`."""

    value: Any
    start: int
    end: int
    members: list[tuple[str, int, JsonNode]] = field(default_factory=list)

    def get(self, key: str) -> JsonNode | None:
        return next((v for k, _, v in self.members if k == key), None)


class _Reader:
    """Objects down to `span_depth` get members with spans; deeper values are decoded by
    the C decoder in one call each (their own span only), which keeps big files fast."""

    def __init__(self, text: str, max_depth: int, span_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.span_depth = span_depth
        self.decoder = json.JSONDecoder()

    def fail(self, message: str, pos: int) -> FileFormatError:
        return FileFormatError(message, line=self.text.count("\n", 0, pos) + 1)

    def space(self, pos: int) -> int:
        match = _SPACE.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, depth: int) -> JsonNode:
        text = self.text
        if depth > self.max_depth:
            raise self.fail(f"the JSON nests deeper than {self.max_depth}", pos)
        char = text[pos : pos + 1]
        if char in ("{", "[") and depth >= self.span_depth:
            try:
                value, end = self.decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise self.fail(f"bad JSON: {exc.msg}", exc.pos) from None
            except ValueError:  # an integer too long for Python to convert
                raise self.fail("a number too long to read", pos) from None
            except RecursionError:
                raise self.fail(f"the JSON nests deeper than {self.max_depth}", pos) from None
            if _depth(value, self.max_depth - depth) > self.max_depth - depth:
                raise self.fail(f"the JSON nests deeper than {self.max_depth}", pos)
            return JsonNode(value, pos, end)
        if char == "{":
            return self.obj(pos, depth)
        if char == "[":
            node = JsonNode([], pos, pos)
            pos = self.space(pos + 1)
            if text.startswith("]", pos):
                node.end = pos + 1
                return node
            while True:
                item = self.value(self.space(pos), depth + 1)
                node.value.append(item.value)
                pos = self.space(item.end)
                if text.startswith("]", pos):
                    node.end = pos + 1
                    return node
                pos = self.expect(",", pos)
        if char == '"':
            return self.string(pos)
        for word, literal in _LITERALS.items():
            if text.startswith(word, pos):
                return JsonNode(literal, pos, pos + len(word))
        match = _NUMBER.match(text, pos)
        if match is None:
            raise self.fail(f"expected a JSON value, found {text[pos : pos + 20]!r}", pos)
        try:
            number = json.loads(match.group())
        except ValueError:  # an integer too long for Python to convert
            raise self.fail("a number too long to read", pos) from None
        return JsonNode(number, pos, match.end())

    def string(self, pos: int) -> JsonNode:
        value, end = self._scan(pos)
        return JsonNode(value, pos, end)

    def obj(self, pos: int, depth: int) -> JsonNode:
        text, space = self.text, _SPACE.match
        node = JsonNode({}, pos, pos)
        pos = space(text, pos + 1).end()  # type: ignore[union-attr]  # `*` always matches
        if text.startswith("}", pos):
            node.end = pos + 1
            return node
        while True:
            if not text.startswith('"', pos):
                raise self.fail("expected a quoted key", pos)
            key, after = self._scan(pos)
            after = space(text, after).end()  # type: ignore[union-attr]
            after = space(text, self.expect(":", after)).end()  # type: ignore[union-attr]
            value = self.value(after, depth + 1)
            node.members.append((key, pos, value))
            node.value[key] = value.value
            pos = space(text, value.end).end()  # type: ignore[union-attr]
            if text.startswith("}", pos):
                node.end = pos + 1
                return node
            pos = space(text, self.expect(",", pos)).end()  # type: ignore[union-attr]

    def _scan(self, pos: int) -> tuple[str, int]:
        try:
            value, end = scanstring(self.text, pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(f"bad JSON string: {exc.msg}", exc.pos) from None
        return value, end

    def expect(self, char: str, pos: int) -> int:
        if not self.text.startswith(char, pos):
            raise self.fail(f"expected {char!r}, found {self.text[pos : pos + 20]!r}", pos)
        return pos + 1


def read_json(text: str, max_depth: int, span_depth: int = 1 << 30) -> JsonNode:
    """The document's root value with spans (object members down to `span_depth`);
    FileFormatError for anything that is not JSON or nests deeper than `max_depth`."""
    reader = _Reader(text, max_depth, span_depth)
    start = reader.space(0)
    root = reader.value(start, 0)
    if reader.space(root.end) != len(text):
        raise reader.fail("text after the JSON value", root.end)
    return root


@dataclass(frozen=True, slots=True)
class JsonStyle:
    """How the file lays JSON out, so inserted values look like their neighbours."""

    indent: str = "  "
    colon: str = " : "
    newline: str = "\n"
    ascii_only: bool = False
    escape_slash: bool = False


def style_of(text: str) -> JsonStyle:
    """The indentation, separator and escaping habits of a JSON document."""
    indent = re.search(r"\n([ \t]+)\S", text)
    colon = re.search(r'"([ \t]*:[ \t]*)["{\[0-9tfn-]', text)
    return JsonStyle(
        indent=indent.group(1) if indent else "  ",
        colon=colon.group(1) if colon else " : ",
        newline="\r\n" if "\r\n" in text else "\n",
        ascii_only=text.isascii() and "\\u" in text,
        escape_slash="\\/" in text,
    )


def _depth(value: Any, limit: int) -> int:
    """How deep containers nest in `value` (counting stops once past `limit`)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend(
            (child, level + 1) for child in (item.values() if isinstance(item, dict) else item)
        )
    return deepest


def dump(value: Any, style: JsonStyle, level: str) -> str:
    """`value` laid out as the file lays out objects (keys sorted, as Xcode writes them),
    its members one `indent` deeper than `level`."""
    nl = style.newline
    if isinstance(value, dict):
        if not value:
            return "{" + nl + nl + level + "}"
        inner = level + style.indent
        parts = [
            f"{inner}{_string(k, style)}{style.colon}{dump(v, style, inner)}"
            for k, v in sorted(value.items())
        ]
        return "{" + nl + ("," + nl).join(parts) + nl + level + "}"
    if isinstance(value, str):
        return _string(value, style)
    return json.dumps(value)


def _string(text: str, style: JsonStyle) -> str:
    out = json.dumps(text, ensure_ascii=style.ascii_only)
    return out.replace("/", "\\/") if style.escape_slash else out
