"""Safe XML reading with exact character spans, and splicing edits back into the original.

The XML codecs never re-serialize a tree: `load` checks the file with expat (no DTD, no
entities, no network), then a small scanner records where every element, its inner content
and its attributes start and end in the decoded text. `Edits` replaces just those spans and
encodes the result in the file's own encoding, so every untouched byte stays as it was.

Inline markup rule, shared by every XML codec: a unit's text is its element's inner XML with
character and entity references decoded in the text runs between tags (text inside an
inline element is such a run too; CDATA counts as text); the tags themselves (inline codes,
`<xliff:g>`, `<b>`), with their attribute values as written, comments and processing
instructions stay in it as raw markup. `escape_inner` is the inverse: tags that came from
the source and balance are written as markup, everything else as escaped text (`&`, `<`,
`>`), so a literal `<b>` typed by a translator cannot become markup.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Collection
from dataclasses import dataclass
from xml.parsers import expat

from dragoman.content.model import Limits
from dragoman.errors import FileFormatError, PayloadTooLargeError

_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Groups: end tag name, comment, start tag name, its attributes, "/" of an empty element.
_TOKEN = re.compile(
    r"""<(?:
        /([^\s>]+)\s*>
      | !--(.*?)-->
      | !\[CDATA\[.*?\]\]>
      | \?.*?\?>
      | !DOCTYPE(?:[^\[>]|\[.*?\])*>
      | ([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>
    )""",
    re.S | re.X,
)
_ATTR = re.compile(r"""\s+([^\s=/>]+)\s*=\s*(["'])(.*?)\2""", re.S)
# Markup inside an element's content (CDATA, comments, PIs, tags), captured for re.split.
_INNER_SPLIT = re.compile(
    r"""(<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>|<(?:[^<>"']|"[^"<]*"|'[^'<]*')*>)""", re.S
)
_REF = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);")
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_NONE: frozenset[str] = frozenset()
# Characters XML 1.0 cannot hold at all, even as references.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(slots=True)
class Attr:
    """One attribute: decoded value, the raw value's span, the span from its leading space."""

    value: str
    value_start: int
    value_end: int
    lead: int
    quote: str


class Node:
    """An element's spans in the decoded text (inner_end == end when it is self-closing).

    Attributes are parsed on first use: most elements of a big file never need theirs.
    """

    __slots__ = (
        "_attr_span", "_attrs", "_text", "_values", "children", "comments", "end", "inner_end",
        "local", "name", "self_closing", "start", "tag_end",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        start: int,
        tag_end: int,
        text: str = "",
        attr_span: tuple[int, int] = (0, 0),
        comments: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.local = name.rpartition(":")[2]
        self.start = start
        self.tag_end = tag_end
        self.inner_end = -1
        self.end = -1
        self.self_closing = False
        self.children: list[Node] = []
        self.comments = comments
        self._text = text
        self._attr_span = attr_span
        self._attrs: dict[str, Attr] | None = None
        self._values: dict[str, str] | None = None

    @property
    def attrs(self) -> dict[str, Attr]:
        if self._attrs is None:
            start, end = self._attr_span
            self._attrs = {
                m.group(1): Attr(unescape(m.group(3)), m.start(3), m.end(3), m.start(), m.group(2))
                for m in _ATTR.finditer(self._text, start, end)
            }
        return self._attrs

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute's decoded value (without building spans, which only edits need)."""
        values = self._values
        if values is None:
            start, end = self._attr_span
            raw = _ATTR.findall(self._text[start:end]) if start != end else ()
            values = self._values = {k: unescape(v) if "&" in v else v for k, _, v in raw}
        return values.get(name, default)

    def find(self, local: str) -> Node | None:
        for child in self.children:
            if child.local == local:
                return child
        return None

    def findall(self, local: str) -> list[Node]:
        return [c for c in self.children if c.local == local]


@dataclass(frozen=True, slots=True)
class XmlDoc:
    """A decoded XML file: text without BOM, how to encode it back, and its element tree."""

    data: bytes
    text: str
    encoding: str
    bom: bytes
    newline: str
    root: Node

    def line(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def inner(self, node: Node) -> str:
        return self.text[node.tag_end : node.inner_end]

    def indent_before(self, pos: int) -> str:
        """The whitespace between the previous newline and `pos` ('' if not at a line start)."""
        line_start = self.text.rfind("\n", 0, pos) + 1
        lead = self.text[line_start:pos]
        return lead if not lead.strip() else ""


def load(data: bytes, limits: Limits, what: str = "XML") -> XmlDoc:
    """Decode, check and scan an XML file; FileFormatError names what is wrong and where."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
    text, encoding, bom = _decode(data, what)
    doctype = text.find("<!DOCTYPE")
    if doctype >= 0 and "<!ENTITY" in text:
        raise FileFormatError(
            "the file declares XML entities in a DOCTYPE, which are refused",
            line=text.count("\n", 0, doctype) + 1,
        )
    # Expat reads only a few encodings itself: give it UTF-8 and say so.
    _check_well_formed(data if encoding == "utf-8" else text.encode("utf-8"), what)
    root = _scan(text, limits, what)
    newline = "\r\n" if "\r\n" in text else "\n"
    return XmlDoc(data, text, encoding, bom, newline, root)


def _decode(data: bytes, what: str) -> tuple[str, str, bytes]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    else:
        bom, body = b"", data
        match = _DECL_ENCODING.match(data)
        encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
        if data[:2] in (b"<\x00", b"\x00<"):
            encoding = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
    try:
        codecs.lookup(encoding)
        text = body.decode(encoding)
    except LookupError:
        raise FileFormatError(
            f"the {what} file declares an unknown encoding {encoding!r}"
        ) from None
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"the {what} file is not valid {encoding}: {exc.reason}") from None
    if encoding == "utf-8" and text.startswith("\ufeff"):
        raise FileFormatError(f"the {what} file has a doubled byte order mark")
    return text, encoding, bom


def _refuse_entity(*_: object) -> int:
    raise FileFormatError("the file declares XML entities, which are refused")


def _refuse_external_dtd(
    name: str, system_id: str | None, public_id: str | None, has_internal: int
) -> None:
    # `<!DOCTYPE TS>` is fine; one that names an outside DTD would be fetched by some readers.
    if system_id or public_id:
        raise FileFormatError(
            f"the file's DOCTYPE names an external DTD ({system_id or public_id}), which is refused"
        )


def _check_well_formed(data: bytes, what: str) -> None:
    """Expat with every DTD and entity door shut; the first error with its line."""
    parser = expat.ParserCreate("UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.StartDoctypeDeclHandler = _refuse_external_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.errors.messages[exc.code] if exc.code else str(exc)
        raise FileFormatError(
            f"the file is not well-formed {what}: {message}", line=exc.lineno
        ) from None
    except FileFormatError as exc:
        raise FileFormatError(exc.message, line=parser.CurrentLineNumber) from None
    except ValueError as exc:
        raise FileFormatError(f"the {what} file cannot be read: {exc}") from None


def _scan(text: str, limits: Limits, what: str) -> Node:
    """The element tree with spans; trusts that expat already checked well-formedness."""
    top = Node("", 0, 0)
    stack = [top]
    parent = top
    pending: list[str] = []
    prev = 0
    for match in _TOKEN.finditer(text):
        end_name, comment, name, _, close = match.groups()
        if pending:
            gap = text[prev : match.start()]
            if gap and not gap.isspace():
                pending = []
        prev = match.end()
        if name is not None:
            node = Node(name, match.start(), prev, text, match.span(4), tuple(pending))
            if pending:
                pending = []
            parent.children.append(node)
            if close:
                node.self_closing = True
                node.inner_end = node.end = prev
            else:
                stack.append(node)
                parent = node
                if len(stack) > limits.max_depth + 1:
                    raise FileFormatError(
                        f"the {what} file nests deeper than {limits.max_depth} elements",
                        line=text.count("\n", 0, match.start()) + 1,
                    )
        elif end_name is not None:
            node = stack.pop()
            parent = stack[-1]
            node.inner_end, node.end = match.start(), prev
            pending = []
        elif comment is not None:
            pending.append(comment.strip())
    if not top.children:
        raise FileFormatError(f"the {what} file has no root element")
    return top.children[0]


def unescape(text: str) -> str:
    """Character and predefined entity references decoded, line ends normalized to LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    return _REF.sub(_ref, text)


def _ref(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("#"):
        return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
    if ref in _PREDEFINED:
        return _PREDEFINED[ref]
    raise FileFormatError(f"undefined XML entity &{ref};")


def escape_text(text: str, newline: str = "\n") -> str:
    """Text escaped for element content; LF written as the file's line end, CR as a reference."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if newline != "\n" and "\n" in text:
        text = text.replace("\n", newline)
    return _ILLEGAL.sub("", text)


def escape_attr(value: str, quote: str) -> str:
    """An attribute value escaped for the given quote character."""
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    value = value.replace(quote, "&quot;" if quote == '"' else "&apos;")
    return _ILLEGAL.sub("", value)


def split_inner(raw: str) -> list[tuple[bool, str]]:
    """An element's inner XML as (is_markup, text) runs: text decoded, CDATA unwrapped."""
    out: list[tuple[bool, str]] = []
    for index, part in enumerate(_INNER_SPLIT.split(raw)):
        if index % 2 == 0:
            if part:
                out.append((False, unescape(part)))
        elif part.startswith("<![CDATA["):
            out.append((False, part[9:-3].replace("\r\n", "\n")))
        else:
            out.append((True, part))
    return out


def inner_source(raw: str) -> tuple[str, frozenset[str]]:
    """The unit text of an element's inner XML and the set of markup strings it holds."""
    if "<" not in raw:
        return (unescape(raw) if "&" in raw or "\r" in raw else raw), _NONE
    parts = _INNER_SPLIT.split(raw)
    markup: list[str] = []
    for index in range(1, len(parts), 2):
        part = parts[index]
        if part.startswith("<![CDATA["):
            parts[index] = part[9:-3].replace("\r\n", "\n")
        else:
            markup.append(part)
    for index in range(0, len(parts), 2):
        part = parts[index]
        if "&" in part or "\r" in part:
            parts[index] = unescape(part)
    return "".join(parts), frozenset(markup)


def split_target(text: str, markup: Collection[str]) -> list[tuple[bool, str]]:
    """A target as (is_markup, text) runs: only source markup that balances counts as markup."""
    if not markup or "<" not in text:
        return [(False, text)]
    runs: list[tuple[bool, str]] = []
    pending = ""
    for index, part in enumerate(_INNER_SPLIT.split(text)):
        if index % 2 and part in markup:
            if pending:
                runs.append((False, pending))
                pending = ""
            runs.append((True, part))
        else:
            pending += part
    if pending:
        runs.append((False, pending))
    return _balance(runs)


def _balance(runs: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """Tags without a partner become text, so the output is always well-formed."""
    opened: list[tuple[int, str]] = []
    demote: list[int] = []
    for index, (is_markup, text) in enumerate(runs):
        if not is_markup or text[1] in "!?" or text[-2] == "/":
            continue
        if text[1] == "/":
            name = text[2:-1].strip()
            if opened and opened[-1][1] == name:
                opened.pop()
            else:
                demote.append(index)
        else:
            opened.append((index, text[1:-1].split(None, 1)[0]))
    if not demote and not opened:
        return runs
    drop = {*demote, *(index for index, _ in opened)}
    return [(m and i not in drop, t) for i, (m, t) in enumerate(runs)]


def escape_inner(text: str, markup: Collection[str], newline: str = "\n") -> str:
    """A target written as inner XML: source markup kept, text runs escaped."""
    return "".join(t if m else escape_text(t, newline) for m, t in split_target(text, markup))


class Edits:
    """Span replacements on a document's text, applied in one pass into a new output."""

    def __init__(self, doc: XmlDoc) -> None:
        self.doc = doc
        self._edits: list[tuple[int, int, str]] = []

    def replace(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, text))

    def set_inner(self, node: Node, inner: str, tag: str | None = None) -> None:
        """Replace an element's content (a self-closing one gets an end tag), and its start
        tag with `tag` when given."""
        doc = self.doc
        if node.self_closing:
            opening = (tag or doc.text[node.start : node.tag_end]).rstrip(">").rstrip("/").rstrip()
            self.replace(node.start, node.end, f"{opening}>{inner}</{node.name}>")
            return
        if tag is not None:
            self.replace(node.start, node.tag_end, tag)
        self.replace(node.tag_end, node.inner_end, inner)

    def start_tag(self, node: Node, set_attrs: dict[str, str], drop: Collection[str] = ()) -> str:
        """The element's start tag with attributes set (added after the last) or dropped."""
        text = self.doc.text
        pieces: list[str] = []
        cursor = node.start
        quote = next(iter(node.attrs.values())).quote if node.attrs else '"'
        for name, attr in node.attrs.items():
            if name in drop:
                pieces.append(text[cursor : attr.lead])
                cursor = attr.value_end + 1
            elif name in set_attrs:
                pieces.append(text[cursor : attr.value_start])
                pieces.append(escape_attr(set_attrs[name], attr.quote))
                cursor = attr.value_end
        last = max(
            (a.value_end + 1 for a in node.attrs.values()), default=node.start + 1 + len(node.name)
        )
        pieces.append(text[cursor:last])
        for name, value in set_attrs.items():
            if name not in node.attrs:
                pieces.append(f" {name}={quote}{escape_attr(value, quote)}{quote}")
        pieces.append(text[last : node.tag_end])
        return "".join(pieces)

    def set_attrs(self, node: Node, set_attrs: dict[str, str], drop: Collection[str] = ()) -> None:
        self.replace(node.start, node.tag_end, self.start_tag(node, set_attrs, drop))

    def render(self) -> bytes:
        doc = self.doc
        if not self._edits:
            return doc.data
        self._edits.sort(key=lambda e: (e[0], e[1]))
        pieces: list[str] = []
        cursor = 0
        for start, end, text in self._edits:
            if start < cursor:
                raise AssertionError(f"overlapping edits at {start}")
            pieces.append(doc.text[cursor:start])
            pieces.append(text)
            cursor = end
        pieces.append(doc.text[cursor:])
        return doc.bom + "".join(pieces).encode(doc.encoding, "xmlcharrefreplace")


def same_locale(a: str, b: str) -> bool:
    """True when two locale tags name the same locale (case and `_`/`-` ignored)."""
    return a.replace("_", "-").lower() == b.replace("_", "-").lower()
