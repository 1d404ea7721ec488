"""An HTML element tree with the source offsets of every tag and text run, built from the
standard library's tolerant `HTMLParser` (the only one of the parsers at hand that reports
where each token starts: lxml gives a line number, selectolax nothing), with the optional end
tags of HTML (`<li>`, `<p>`, `<td>`, `<option>`, ...) closed where a browser closes them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from dragoman.errors import FileFormatError

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Start tags that close an open <p> (HTML's "close a p element" list).
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
    ]
)
_P_SCOPE = frozenset(
    ["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button"]
)
# tag -> (tags it closes when open, tags that stop the search)
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select"})),
}
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>"'=][^\s/>=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


@dataclass(eq=False, slots=True)
class Leaf:
    """A text run (`text` True) or a comment, declaration or processing instruction."""

    start: int
    end: int
    text: bool


@dataclass(eq=False, slots=True)
class Element:
    """An element: its start tag's span, its end tag's span (or where it was closed)."""

    tag: str
    attrs: dict[str, str | None]
    start: int
    open_end: int
    close_start: int = -1  # -1: closed without an end tag
    end: int = -1
    children: list[Element | Leaf] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Attribute:
    """Where an attribute's value lies in the source (`quote` "" for an unquoted value)."""

    name: str
    start: int
    end: int
    quote: str


def attribute_spans(source: str, element: Element) -> dict[str, Attribute]:
    """The attributes of `element`'s start tag with the offsets of their values."""
    raw = source[element.start : element.open_end]
    name_end = 1 + len(element.tag)
    out: dict[str, Attribute] = {}
    for match in _ATTRIBUTE.finditer(raw, name_end):
        name = match.group(1).lower()
        value = match.group(2)
        if value is None or name in out:
            continue
        quote = value[0] if value[0] in "\"'" else ""
        start = element.start + match.start(2) + len(quote)
        out[name] = Attribute(name, start, start + len(value) - 2 * len(quote), quote)
    return out


class _Events(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._lines = [0] + [m.end() for m in re.finditer("\n", source)]
        self.events: list[tuple[str, int, str, dict[str, str | None]]] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", self._at(), tag, dict(reversed(attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("empty", self._at(), tag, dict(reversed(attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", self._at(), tag, {}))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", self._at(), "", {}))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(name)

    def handle_charref(self, name: str) -> None:
        self.handle_data(name)

    def handle_comment(self, data: str) -> None:
        self.events.append(("other", self._at(), "", {}))

    def handle_decl(self, decl: str) -> None:
        self.handle_comment(decl)

    def handle_pi(self, data: str) -> None:
        self.handle_comment(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_comment(data)


def parse(source: str, *, max_depth: int) -> Element:
    """The document as a tree under a root `Element` named "" that spans the whole text."""
    events = _Events(source)
    events.feed(source)
    events.close()
    root = Element("", {}, 0, 0, len(source), len(source))
    stack = [root]
    items = events.events
    for index, (kind, start, tag, attrs) in enumerate(items):
        end = items[index + 1][1] if index + 1 < len(items) else len(source)
        parent = stack[-1]
        if kind == "text":
            last = parent.children[-1] if parent.children else None
            if isinstance(last, Leaf) and last.text and last.end == start:
                last.end = end
            else:
                parent.children.append(Leaf(start, end, True))
        elif kind == "other":
            parent.children.append(Leaf(start, end, False))
        elif kind == "end":
            _close(stack, tag, start, end)
        else:
            _implied_ends(stack, tag, start)
            element = Element(tag, attrs, start, end)
            stack[-1].children.append(element)
            if kind == "empty" or tag in VOID:
                element.end = end
            else:
                stack.append(element)
                if len(stack) > max_depth:
                    raise FileFormatError(f"the HTML nests elements deeper than {max_depth}")
    while len(stack) > 1:
        stack.pop().end = len(source)
    return root


def _close(stack: list[Element], tag: str, start: int, end: int) -> None:
    for depth in range(len(stack) - 1, 0, -1):
        if stack[depth].tag == tag:
            for element in stack[depth + 1 :]:
                element.end = start
            stack[depth].close_start, stack[depth].end = start, end
            del stack[depth:]
            return
    # A stray end tag closes nothing; it stays in the source as written.


def _implied_ends(stack: list[Element], tag: str, at: int) -> None:
    if tag in _CLOSES_P:
        _close_open(stack, frozenset({"p"}), _P_SCOPE, at)
    rule = _IMPLIED.get(tag)
    if rule is not None:
        _close_open(stack, *rule, at)


def _close_open(stack: list[Element], tags: frozenset[str], stops: frozenset[str], at: int) -> None:
    for depth in range(len(stack) - 1, 0, -1):
        name = stack[depth].tag
        if name in tags:
            for element in stack[depth:]:
                element.end = at
            del stack[depth:]
            return
        if name in stops:
            return
