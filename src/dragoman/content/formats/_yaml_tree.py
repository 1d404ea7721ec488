"""A light YAML node tree from parse events: each scalar with its exact span in the text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dragoman.content.formats._yaml_events import Backend, as_format_error, parse_errors
from dragoman.content.formats._yaml_limits import AliasBudget, check_value_count, max_values
from dragoman.content.formats._yaml_write import is_string_plain
from dragoman.content.model import Limits
from dragoman.content.plurals import CLDR_CATEGORIES
from dragoman.errors import FileFormatError, PayloadTooLargeError

_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "!!str", "!"})


@dataclass(slots=True)
class Scalar:
    """A scalar: its text, style (`''` plain, `'`, `"`, `|`, `>`) and the span of its token
    (anchor and tag excluded), and whether it holds a string."""

    value: str
    style: str
    start: int
    end: int
    line: int
    flow: bool
    is_string: bool


@dataclass(slots=True)
class Alias:
    """A `*name` reference; never a unit (its anchor is one where it was defined)."""

    start: int
    end: int
    line: int


@dataclass(slots=True)
class Mapping:
    """A block or flow mapping, entries in file order (duplicate keys kept)."""

    flow: bool
    start: int
    line: int
    end: int = 0
    entries: list[tuple[Node, Node]] = field(default_factory=list)


@dataclass(slots=True)
class Sequence:
    """A block or flow sequence."""

    flow: bool
    start: int
    line: int
    end: int = 0
    items: list[Node] = field(default_factory=list)


Node = Scalar | Alias | Mapping | Sequence


def build(text: str, events: Backend, limits: Limits) -> list[Node]:
    """The root node of each document in `text`; FileFormatError for malformed YAML, alias
    bombs or too deep nesting, PayloadTooLargeError for too many values or strings."""
    check_value_count(text, limits)
    try:
        return _build(text, events, limits)
    except parse_errors() as exc:
        raise as_format_error(exc, text) from None


def _build(text: str, events: Backend, limits: Limits) -> list[Node]:
    docs: list[Node] = []
    # Each open collection, and for a mapping the key waiting for its value.
    stack: list[Mapping | Sequence] = []
    pending: list[Node | None] = []
    aliases = scalars = others = strings = 0
    max_scalars = max_values(limits)
    budget = AliasBudget()
    key_depth = 0  # the depth of the collection used as a key we are inside, if any
    top: Mapping | Sequence | None = None

    for event in events(text):
        kind = type(event).__name__
        node: Node
        if kind == "ScalarEvent":
            scalars += 1
            if scalars > max_scalars:
                raise PayloadTooLargeError(
                    f"the file holds more than the limit of {max_scalars} YAML keys and values",
                    field="file",
                )
            is_key = type(top) is Mapping and pending[-1] is None
            node = _scalar(text, event, top is not None and top.flow, is_key)
            if node.is_string and node.value and not key_depth:
                # A lower bound on the walker's units, so a file of too many strings stops
                # here: values of plural-category keys may be forms of one unit, and
                # scalars inside a collection used as a key are never units.
                key = pending[-1] if type(top) is Mapping else None
                if type(key) is not Scalar or key.value not in CLDR_CATEGORIES:
                    strings += 1
                    if strings > limits.max_units:
                        raise PayloadTooLargeError(
                            f"the file holds more than the limit of {limits.max_units} strings",
                            field="file",
                        )
            if event.anchor is not None:
                budget.scalar(event.anchor)
        elif kind == "MappingStartEvent" or kind == "SequenceStartEvent":
            mark = event.start_mark
            if len(stack) >= limits.max_depth:
                raise FileFormatError(
                    f"YAML nested deeper than the limit of {limits.max_depth} levels",
                    line=mark.line + 1,
                )
            flow = bool(event.flow_style) or (top is not None and top.flow)
            cls = Mapping if kind == "MappingStartEvent" else Sequence
            node = cls(flow, mark.index, mark.line)
            if not key_depth and type(top) is Mapping and pending[-1] is None:
                key_depth = len(stack) + 1
            if event.anchor is not None:
                budget.start(event.anchor, len(stack) + 1, scalars + others)
            others += 1
        elif kind == "MappingEndEvent" or kind == "SequenceEndEvent":
            if budget.open and budget.open[-1][0] == len(stack):
                budget.end(scalars + others)
            if key_depth == len(stack):
                key_depth = 0
            stack.pop().end = event.end_mark.index
            pending.pop()
            top = stack[-1] if stack else None
            continue
        elif kind == "AliasEvent":
            mark = event.start_mark
            aliases += 1
            if aliases > limits.max_yaml_aliases:
                raise FileFormatError(
                    f"more than {limits.max_yaml_aliases} YAML aliases (an alias bomb?)",
                    line=mark.line + 1,
                )
            others += 1
            budget.alias(event.anchor, scalars + others, mark.line + 1)
            node = Alias(mark.index, event.end_mark.index, mark.line)
        else:
            if kind == "DocumentStartEvent":
                budget.new_document()
            continue
        # Attach the node to its parent: a sequence item, a mapping key or its value.
        if top is None:
            docs.append(node)
        elif type(top) is Sequence:
            top.items.append(node)
        elif pending[-1] is None:
            pending[-1] = node
        else:
            top.entries.append((pending[-1], node))  # type: ignore[union-attr]
            pending[-1] = None
        if type(node) is Mapping or type(node) is Sequence:
            stack.append(node)
            pending.append(None)
            top = node
    return docs


def _scalar(text: str, event: Any, flow: bool, is_key: bool) -> Scalar:
    start: int = event.start_mark.index
    end: int = event.end_mark.index
    value: str = event.value
    style: str = event.style or ""
    tag: str | None = event.tag
    anchor: str | None = event.anchor
    if anchor is not None or tag is not None:
        start = _skip_properties(text, start, end)
    if is_key:
        is_string = False  # keys are never units; spare the type check
    elif tag is None:
        is_string = bool(style) or is_string_plain(value)
    else:
        is_string = tag in _STR_TAGS
    return Scalar(value, style, start, end, event.start_mark.line, flow, is_string)


def _skip_properties(text: str, start: int, end: int) -> int:
    """Where the scalar's own token begins, past its `&anchor` and `!tag`."""
    i = start
    while i < end and text[i] in "&!":
        while i < end and text[i] not in " \t\r\n":
            i += 1
        while i < end and text[i] in " \t\r\n":
            i += 1
    return i
