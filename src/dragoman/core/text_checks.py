"""Checks on text a client sends, run before anything is stored or translated.

A lone surrogate (`"a\\ud800b"`, legal in JSON, not in UTF-8) cannot be encoded for SQLite,
PostgreSQL or an engine's pipe; a NUL (`\\u0000`) cannot be stored in PostgreSQL text and is
dropped by Apertium. Either one reaching the database writer makes it roll back and replay a
whole batch of other requests' writes, so every surface refuses them here, with a 422 that
names the field (issue 9, item 5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dragoman.errors import NotFoundError, ValidationError
from dragoman.ids import has_prefix

# One pass in C over the string, allocating nothing unless something is found.
_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _suspect(value: str) -> bool:
    """Whether `value` may hold a NUL or a surrogate (ASCII without NUL cannot)."""
    return not value.isascii() or "\x00" in value


def _complaint(found: re.Match[str], field: str, subject: str | None = None) -> ValidationError:
    # The message never quotes the raw text: a lone surrogate cannot even be sent back.
    char = found.group()
    if char == "\x00":
        what = "a NUL character (\\u0000), which cannot be stored or translated"
    else:
        what = f"a lone surrogate (\\u{ord(char):04x}), which is not valid Unicode text"
    subject = f"{field} has a key {subject} that" if subject else field
    return ValidationError(f"{subject} contains {what} (at offset {found.start()})", field=field)


def check_text(value: str, field: str, *, allow_nul: bool = False) -> str:
    """`value` unchanged when storable text; else a ValidationError naming `field`."""
    if not _suspect(value):
        return value  # the common case: one C-speed scan
    found = (_SURROGATE if allow_nul else _NUL_OR_SURROGATE).search(value)
    if found is not None:
        raise _complaint(found, field)
    return value


def check_optional(value: str | None, field: str) -> str | None:
    """`check_text` for an optional field; None passes."""
    return None if value is None else check_text(value, field)


def check_texts(values: Iterable[str], field: str) -> None:
    """`check_text` on each string of a list, naming the bad item as `field[i]`."""
    for i, value in enumerate(values):
        if isinstance(value, str):
            check_text(value, f"{field}[{i}]")


# A path as a linked list, (parent, key): a node costs O(1) however deep it sits, and the
# readable form is built only for the one error that gets reported.
_Link = tuple[Any, Any]


def _path(link: _Link) -> str:
    """`data.a[2].b` from the linked path, the way validation errors name fields."""
    parts: list[Any] = []
    while link is not None:
        link, part = link
        parts.append(part)
    text = ""
    for part in reversed(parts):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def check_tree(value: Any, field: str) -> None:
    """Every key and string in a JSON value checked; the error names the path (`data.a[2]`).

    Iterative and linear, so neither depth nor width can make the check itself costly.
    """
    stack: list[tuple[Any, _Link]] = [(value, (None, field))]
    while stack:
        node, link = stack.pop()
        if isinstance(node, str):
            if _suspect(node):
                check_text(node, _path(link))
        elif isinstance(node, Mapping):
            for key, child in node.items():
                if isinstance(key, str) and _suspect(key):
                    found = _NUL_OR_SURROGATE.search(key)
                    if found is not None:
                        raise _complaint(found, _path(link), ascii(key[:40]))
                if not isinstance(child, (int, float, bool)) and child is not None:
                    stack.append((child, (link, key)))
        elif isinstance(node, (list, tuple)):
            stack.extend(
                (child, (link, i))
                for i, child in enumerate(node)
                if isinstance(child, (str, list, tuple, Mapping))
            )


def check_fields(
    raw: Any,
    *,
    texts: Iterable[str] = (),
    lists: Iterable[str] = (),
    trees: Iterable[str] = (),
) -> Any:
    """A request body's named fields checked before any other validation; returns `raw`.

    Fields of the wrong type are left for the model to reject with its own message.
    """
    if not isinstance(raw, Mapping):
        return raw
    for name in texts:
        if isinstance(value := raw.get(name), str):
            check_text(value, name)
    for name in lists:
        if isinstance(value := raw.get(name), list):
            check_texts(value, name)
    for name in trees:
        if (value := raw.get(name)) is not None:
            check_tree(value, name)
    return raw


def check_id(value: str, prefix: str, what: str, field: str | None = None) -> str:
    """`value` if it has the shape of an id with `prefix`; else NotFoundError ("no such
    `what`"), so that a NUL or a surrogate in a path never reaches the database."""
    if not has_prefix(value, prefix):
        raise NotFoundError(f"{what} {value[:80]!a} not found", field=field)
    return value
