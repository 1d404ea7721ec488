"""Nested JSON data (the native API's `data` object): its string leaves as units, and back.

The `structured` codec: a JSON object kept inline in the group row. Unit ids are readable
paths (`data.steps[3].title`); the skeleton is the parsed object and its leaf paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dragoman.content.formats.base import Codec
from dragoman.content.model import ArtifactKind, Extraction, Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError, ValidationError

JsonPath = tuple[str | int, ...]
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$-]*")


def _children(node: Any, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
    """The direct children of a container, in document order."""
    if isinstance(node, dict):
        return (((*path, k), v) for k, v in node.items())
    return (((*path, i), v) for i, v in enumerate(node))


def iter_strings(data: Any) -> Iterator[tuple[JsonPath, str]]:
    """Every string leaf with its path, in document order; keys are never yielded."""
    if isinstance(data, str):
        yield (), data
        return
    if not isinstance(data, dict | list):
        return
    # An explicit stack of iterators: document order without Python recursion.
    stack: list[Iterator[tuple[JsonPath, Any]]] = [_children(data, ())]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        path, value = step
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict | list):
            stack.append(_children(value, path))


def replace_strings(data: Any, new: Mapping[JsonPath, str]) -> Any:
    """A copy of `data` whose string leaves at the paths in `new` are replaced."""
    if isinstance(data, str):
        return new.get((), data)
    if not isinstance(data, dict | list):
        return data
    root: dict[Any, Any] | list[Any] = {} if isinstance(data, dict) else []
    stack: list[tuple[Iterator[tuple[JsonPath, Any]], dict[Any, Any] | list[Any]]] = [
        (_children(data, ()), root)
    ]
    while stack:
        children, out = stack[-1]
        step = next(children, None)
        if step is None:
            stack.pop()
            continue
        path, value = step
        if isinstance(value, dict | list):
            copy: dict[Any, Any] | list[Any] = {} if isinstance(value, dict) else []
            stack.append((_children(value, path), copy))
            value = copy
        elif isinstance(value, str):
            value = new.get(path, value)
        # Children arrive in order, so appending / inserting keeps key order and indexes.
        if isinstance(out, dict):
            out[path[-1]] = value
        else:
            out.append(value)
    return root


def format_path(path: JsonPath, root: str = "data") -> str:
    """A readable path such as `data.steps[3].title`."""
    parts = [root]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _IDENTIFIER.fullmatch(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)


def check_shape(data: Any, *, max_depth: int, max_strings: int) -> int:
    """Validate `data` as an object within the limits; return its number of string leaves."""
    if not isinstance(data, dict):
        raise ValidationError("data must be a JSON object", field="data")
    count = 0
    # (container, its depth, link to its path); paths are linked lists built into a tuple
    # only for the error message, so a deep input costs linear time.
    stack: list[tuple[Any, int, _Link]] = [(data, 1, None)]
    while stack:
        node, depth, link = stack.pop()
        if depth > max_depth:
            where = format_path(_unlink(link))
            raise ValidationError(
                f"data is nested deeper than the limit of {max_depth} levels at {where}",
                field=where,
            )
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, str):
                count += 1
                if count > max_strings:
                    raise PayloadTooLargeError(
                        f"data holds more than the limit of {max_strings} strings",
                        field="data",
                    )
            elif isinstance(value, dict | list):
                stack.append((value, depth + 1, (link, key)))
    return count


_Link = tuple[Any, str | int] | None


def _unlink(link: _Link) -> JsonPath:
    """The path a linked list of (parent, key) pairs spells."""
    keys: list[str | int] = []
    while link is not None:
        link, key = link
        keys.append(key)
    return tuple(reversed(keys))


def hints_for(path: JsonPath, hints: Mapping[str, Sequence[str]] | None) -> tuple[str, ...]:
    """The breadcrumbs for a leaf: the most specific key of `hints` that names it or an ancestor."""
    if not hints:
        return ()
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        exact = ".".join(str(k) for k in prefix)
        found = hints.get(exact)
        if found is None:
            # `steps.heading` names every `steps[i].heading`.
            found = hints.get(".".join(str(k) for k in prefix if not isinstance(k, int)))
        if found is not None:
            return tuple(found)
    return ()


class StructuredCodec(Codec):
    """A JSON object: every string leaf is a unit; keys, order and non-strings are kept."""

    name = "structured"
    kind = ArtifactKind.STRUCTURED
    media_types = ("application/json",)

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        try:
            tree = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FileFormatError(f"the content is not valid JSON: {exc}") from None
        return self.extract(tree)

    def extract(self, tree: Any) -> Extraction:
        """The units of an already parsed object (the worker has it from the row)."""
        leaves = list(iter_strings(tree))
        units = [Unit(id=format_path(path), source=text) for path, text in leaves]
        return Extraction(units, (tree, [path for path, _ in leaves]))

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        return json.dumps(self.rebuild(skeleton, units), ensure_ascii=False).encode()

    def rebuild(self, skeleton: Any, units: Sequence[Unit]) -> Any:
        """The object with each unit's target in place of its source."""
        tree, paths = skeleton
        new = {
            path: unit.target
            for path, unit in zip(paths, units, strict=True)
            if unit.target is not None
        }
        return replace_strings(tree, new)

    @staticmethod
    def hints(skeleton: Any, hints: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
        """The request's breadcrumbs for each unit, most specific key first."""
        return [hints_for(path, hints) for path in skeleton[1]]
