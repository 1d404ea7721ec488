"""XML property lists read into nodes that remember their character spans, for splicing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dragoman.errors import FileFormatError

_TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>\[]*>|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"|<(?P<close>/?)(?P<tag>[A-Za-z][\w.:-]*)[^>]*?(?P<empty>/?)>",
    re.DOTALL,
)
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass(slots=True)
class Node:
    """One element: its tag, span, text (key/string) and children (dict/array)."""

    tag: str
    start: int
    end: int = 0
    inner_start: int = 0
    inner_end: int = 0
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def items(self) -> list[tuple[Node, Node]]:
        """A dict's `(key, value)` pairs in file order."""
        kids = self.children
        return [(kids[i], kids[i + 1]) for i in range(0, len(kids) - 1, 2) if kids[i].tag == "key"]

    def get(self, name: str) -> Node | None:
        return next((v for k, v in self.items() if k.text == name), None)


def xml_text(raw: str) -> str:
    """Character data with XML's five entities and character references undone."""
    if "&" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, raw)


def xml_escape(text: str) -> str:
    """Text as plist character data (Apple's writer escapes `&`, `<` and `>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def read_plist(data: bytes, max_depth: int) -> tuple[str, Node]:
    """The decoded text and the plist's root value; refuses entities and broken XML."""
    if b"<!ENTITY" in data:
        raise FileFormatError("XML entity declarations are not allowed in a property list")
    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FileFormatError(f"refused XML: {exc}") from None
    except ParseError as exc:
        raise FileFormatError(f"not well-formed XML: {exc.msg}", line=exc.position[0]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError("the property list is not UTF-8") from None
    stack: list[Node] = []
    root: Node | None = None
    for match in _TOKEN.finditer(text):
        _, close, tag, empty = match.groups()
        if tag is None:  # comment, declaration, DOCTYPE or CDATA (read with its element)
            continue
        start, end = match.span()
        if close:
            node = stack.pop()
            node.end, node.inner_end = end, start
            if tag == "key" or tag == "string":
                node.text = _char_data(text, node)
            continue
        node = Node(tag, start, inner_start=end)
        if stack:
            stack[-1].children.append(node)
        elif tag == "plist":
            root = node
        else:
            raise FileFormatError(f"expected <plist>, found <{tag}>")
        if empty:
            node.end = node.inner_end = end
        else:
            stack.append(node)
            if len(stack) > max_depth:
                raise FileFormatError(f"the property list nests deeper than {max_depth}")
    if root is None or not root.children:
        raise FileFormatError("the file has no <plist> value")
    return text, root.children[0]


def _char_data(text: str, node: Node) -> str:
    raw = text[node.inner_start : node.inner_end]
    if "<![CDATA[" in raw:
        parts = re.split(r"<!\[CDATA\[(.*?)\]\]>", raw, flags=re.DOTALL)
        return "".join(p if i % 2 else xml_text(p) for i, p in enumerate(parts))
    return xml_text(raw)


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
