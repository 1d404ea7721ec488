"""A JSON token scanner that records where each string value and object member lies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b
from json import JSONDecodeError
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner, untyped
from typing import TypeAlias

from dragoman.content.model import Limits
from dragoman.errors import FileFormatError, PayloadTooLargeError

JsonPath = tuple[str | int, ...]
# A path as a linked list (parent link, key), None at the root: one small tuple per container
# however deep, where a full tuple per container would cost its depth.
Link: TypeAlias = "tuple[Link, str | int] | None"

_NOT_WS = re.compile(r"[^ \t\n\r]")
_MAX_ID, _KEEP = 200, 90
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A string value: where it sits, its unit id, its quoted token's span and its text."""

    parent: Link  # the container's path, shared by all its children
    key: str | int
    uid: str  # the key path, shortened past _MAX_ID
    start: int
    end: int
    value: str

    @property
    def path(self) -> JsonPath:
        return (*unlink(self.parent), self.key)


@dataclass(frozen=True, slots=True)
class Member:
    """One `"key": value` of an object, with the offsets a re-layout needs."""

    key: str
    lead: int  # just after the `{` or `,` before it
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    end: int  # index of the `,` or `}` that follows it (after any whitespace)
    leaf: int  # index of its string value in `Scan.leaves`, -1 for other values


@dataclass(frozen=True, slots=True)
class Obj:
    """A non-empty object: its path and id, where its interior ends and its members."""

    link: Link
    uid: str
    close: int  # index of its `}`
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Scan:
    """Every string value in document order and, when asked for, every object's members."""

    leaves: tuple[Leaf, ...]
    objects: tuple[Obj, ...]


@dataclass(frozen=True, slots=True)
class Text:
    """A decoded file and what it takes to encode it back to the same bytes."""

    text: str
    bom: bytes
    encoding: str

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding, "surrogatepass")


def decode(data: bytes, limits: Limits, what: str = "file") -> Text:
    """The file's text (UTF-8, or UTF-16 with a byte order mark); refuses binary junk."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLargeError(
            f"the {what} is larger than the limit of {limits.max_bytes} bytes"
        )
    bom, encoding = b"", "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    try:
        text = data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(
            f"the {what} is not valid {encoding.upper()}: {exc.reason}", line=line
        ) from None
    if "\x00" in text:
        raise FileFormatError(
            f"the {what} holds NUL characters (binary data?)",
            line=line_of(text, text.index("\x00")),
        )
    return Text(text, bom, encoding)


def _skip(text: str, i: int) -> int:
    """The offset of the first non-whitespace character at or after `i`."""
    match = _NOT_WS.search(text, i)
    return match.start() if match else len(text)


def line_of(text: str, pos: int) -> int:
    """The 1-based line number of offset `pos`."""
    return text.count("\n", 0, pos) + 1


class _Frame:
    """An open container while scanning; for objects, the member being read."""

    __slots__ = (
        "index",
        "is_obj",
        "key",
        "key_end",
        "key_start",
        "lead",
        "link",
        "members",
        "uid",
        "value_start",
    )

    def __init__(self, is_obj: bool, link: Link, uid: str, lead: int) -> None:
        self.is_obj = is_obj
        self.link = link
        self.uid = uid
        self.members: list[Member] = []
        self.lead = lead
        self.key = ""
        self.index = 0
        self.key_start = self.key_end = self.value_start = lead

    @property
    def child(self) -> str | int:
        """The key or index of the value being read."""
        return self.key if self.is_obj else self.index


def scan(text: str, limits: Limits, *, members: re.Pattern[str] | None = None) -> Scan:
    """Scan `text` as one JSON object or array; raise FileFormatError at the first fault.

    With `members`, `Scan.objects` lists every object with a key that pattern finds.
    """
    # A cheap lower bound on the string values refuses a file of millions of strings before
    # scanning it: every string has two quotes (an escaped quote only lowers the count) and
    # every key needs a colon (a colon inside a string only lowers it too).
    strings = (text.count('"') - text.count('\\"')) // 2
    if strings - text.count(":") > limits.max_units:
        raise PayloadTooLargeError(_too_many(limits))
    try:
        return _Scanner(text, limits, members).run()
    except JSONDecodeError as exc:
        raise FileFormatError(f"invalid JSON: {exc.msg}", line=line_of(text, exc.pos)) from None


def _too_many(limits: Limits) -> str:
    return f"the file holds more than the limit of {limits.max_units} strings"


class _Scanner:
    """An iterative scanner (no recursion, so depth is bounded by Limits, not the stack)."""

    def __init__(self, text: str, limits: Limits, members: re.Pattern[str] | None) -> None:
        self.text = text
        self.limits = limits
        self.want_members = members is not None
        self.keep = members
        self.leaves: list[Leaf] = []
        self.objects: list[Obj] = []

    def fail(self, why: str, pos: int) -> FileFormatError:
        return FileFormatError(f"invalid JSON: {why}", line=line_of(self.text, pos))

    def run(self) -> Scan:
        text, skip, leaves = self.text, _skip, self.leaves
        n = len(text)
        i = skip(text, 0)
        if i == n:
            raise self.fail("the file is empty", i)
        if text[i] not in "{[":
            raise self.fail("a locale file must hold an object or an array", i)
        stack: list[_Frame] = []
        while True:
            # Read one value at `i`; containers push a frame and go on to their first value.
            c = text[i] if i < n else ""
            if c == '"':
                value, j = scanstring(text, i + 1, True)
                parent = stack[-1]
                key = parent.child
                leaves.append(Leaf(parent.link, key, join_id(parent.uid, key), i, j, value))
                if len(leaves) > self.limits.max_units:
                    raise PayloadTooLargeError(_too_many(self.limits))
                i = j
            elif c in ("{", "["):
                if len(stack) >= self.limits.max_depth:
                    raise self.fail(
                        f"nested deeper than the limit of {self.limits.max_depth} levels", i
                    )
                j = skip(text, i + 1)
                if text.startswith("}" if c == "{" else "]", j):
                    i = j + 1  # an empty container holds nothing to record
                else:
                    if stack:
                        key = stack[-1].child
                        link: Link = (stack[-1].link, key)
                        uid = join_id(stack[-1].uid, key)
                    else:
                        link, uid = None, ""
                    frame = _Frame(c == "{", link, uid, i + 1)
                    stack.append(frame)
                    i = self.key(frame, j) if frame.is_obj else j
                    continue
            else:
                match = _SCALAR.match(text, i)
                if match is None:
                    raise self.fail("expected a value" if c else "unexpected end of file", i)
                i = match.end()
            # The value is done: read `,` or the closing bracket, as many levels up as close.
            while stack:
                frame = stack[-1]
                value_end = i
                i = skip(text, i)
                c = text[i] if i < n else ""
                if frame.is_obj and c in (",", "}") and self.want_members:
                    is_string = text[frame.value_start] == '"'
                    frame.members.append(
                        Member(
                            frame.key,
                            frame.lead,
                            frame.key_start,
                            frame.key_end,
                            frame.value_start,
                            value_end,
                            i,
                            len(leaves) - 1 if is_string else -1,
                        )
                    )
                if c == ",":
                    if frame.is_obj:
                        frame.lead = i + 1
                        i = self.key(frame, skip(text, i + 1))
                    else:
                        frame.index += 1
                        i = skip(text, i + 1)
                    break
                if c != ("}" if frame.is_obj else "]"):
                    expected = "',' or '}'" if frame.is_obj else "',' or ']'"
                    raise self.fail(f"expected {expected}" if c else "unexpected end of file", i)
                stack.pop()
                if (
                    frame.is_obj
                    and self.keep
                    and any(self.keep.search(m.key) for m in frame.members)
                ):
                    self.objects.append(Obj(frame.link, frame.uid, i, tuple(frame.members)))
                i += 1
            else:
                end = skip(text, i)
                if end != n:
                    raise self.fail("extra data after the top-level value", end)
                return Scan(tuple(leaves), tuple(self.objects))

    def key(self, frame: _Frame, i: int) -> int:
        """Read `"key":` at `i` into `frame`; return where its value starts."""
        text = self.text
        if not text.startswith('"', i):
            raise self.fail("expected a key in double quotes", i)
        frame.key, frame.key_end = scanstring(text, i + 1, True)
        frame.key_start = i
        j = _skip(text, frame.key_end)
        if not text.startswith(":", j):
            raise self.fail("expected ':' after a key", j)
        frame.value_start = _skip(text, j + 1)
        return frame.value_start


def join_id(prefix: str, key: str | int) -> str:
    """A child's unit id: `home.title`, `menu.items[2]`, `[0]`; an id longer than _MAX_ID
    keeps its ends and a digest of the whole, so a file of long nested keys cannot make
    every id megabytes long."""
    if isinstance(key, int):
        return _shorten(f"{prefix}[{key}]")
    return _shorten(f"{prefix}.{key}" if prefix else key)


def _shorten(uid: str) -> str:
    if len(uid) <= _MAX_ID:
        return uid
    digest = blake2b(uid.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
    return f"{uid[:_KEEP]}...{uid[-_KEEP:]}~{digest}"


def breadcrumbs(parent: Link, key: str | int) -> tuple[str, ...]:
    """The last keys along a path (array indexes left out), as context for the translator."""
    keys = [key]
    while parent is not None and len(keys) < 4:
        parent, key = parent
        keys.append(key)
    return tuple(k for k in reversed(keys) if isinstance(k, str))


def unlink(link: Link) -> JsonPath:
    """The path a link spells, root first."""
    keys: list[str | int] = []
    while link is not None:
        link, key = link
        keys.append(key)
    return tuple(reversed(keys))


def unique(ids: list[str]) -> list[str]:
    """The ids made unique in order: a repeated id gets `#2`, `#3`, ... (duplicate keys)."""
    seen: set[str] = set()
    out: list[str] = []
    for uid in ids:
        candidate, n = uid, 1
        while candidate in seen:
            n += 1
            candidate = f"{uid}#{n}"
        seen.add(candidate)
        out.append(candidate)
    return out
