"""Hostile-YAML guards: a cheap count of values before parsing, and alias expansion sizes."""

from __future__ import annotations

from dragoman.content.model import Limits
from dragoman.errors import FileFormatError, PayloadTooLargeError

# A consumer that expands aliases (Rails I18n flattening keys and deep-merging, anything
# that copies or serializes the tree) visits this many nodes, or this many times the
# file's own nodes where that is larger: a million is a short walk for any of them, and
# real merges (`<<: *default`) grow a file a few times at most, never a hundredfold, while
# a "billion laughs" file grows tenfold a line and crosses the bound within a few lines.
# The bound is checked at each alias against the nodes read so far, so the line is named.
EXPANSION_FLOOR = 1_000_000
EXPANSION_RATIO = 100

_BLANKS = bytes.maketrans(b"\t\r\n", b"   ")


def max_values(limits: Limits) -> int:
    """How many scalars (keys and values) a file may hold: four per string allowed."""
    return 4 * limits.max_units + 16


def check_value_count(text: str, limits: Limits) -> None:
    """Refuse, before parsing, a file whose indicators promise far more values than allowed.

    Parsing costs a few µs a value, so a 20 MiB file of a million keys would take seconds
    to reach the in-stream limits, while counting bytes takes tens of milliseconds. Every
    block entry has an indicator and a blank (`key: value` two values, `key:` at a line's
    end one, `- item`, `? key`), every further flow entry a comma, every bare document
    after the first a `...` line: for a file built to be large the estimate is its value
    count. Prose inside values adds to it (a 20 MiB file of comma-rich sentences and
    100k strings counts ~1.1M), so the bound is twice the in-stream one; a file between
    the two is parsed and stopped by the in-stream limits.
    """
    cap = 2 * max_values(limits)
    if len(text) <= cap:
        return  # no indicator weighs more than one per character: nothing to count
    raw = text.encode("utf-8", "surrogatepass")
    # The common spellings first, so a file of a million `key: value` lines stops at one.
    pairs = raw.count(b": ")
    estimate = 2 * pairs
    if estimate <= cap:
        estimate += raw.count(b",")
    if estimate <= cap:
        estimate += raw.count(b"- ")
    if estimate <= cap:
        # Then every spelling: a tab or line break after the indicator, `?`, `...`.
        flat = raw.translate(_BLANKS)
        estimate = (
            pairs
            + flat.count(b": ")
            + flat.count(b"- ")
            + flat.count(b"? ")
            + flat.count(b",")
            + raw.count(b"\n...")
        )
    if estimate > cap:
        raise PayloadTooLargeError(
            f"the file holds some {estimate} YAML keys and values or more, over the limit of {cap}",
            field="file",
        )


class AliasBudget:
    """Tracks each anchor's expanded size (its nodes, with the aliases inside it expanded)
    and refuses aliases that would expand the document past the bound."""

    def __init__(self) -> None:
        self.extra = 0  # nodes the aliases read so far add when expanded, beyond themselves
        self._sizes: dict[str, int] = {}
        # Anchored collections still open: (depth, name, nodes before it, extra before it).
        self.open: list[tuple[int, str, int, int]] = []

    def new_document(self) -> None:
        """Forget the anchors: an alias never refers to one in an earlier document."""
        self._sizes.clear()

    def scalar(self, name: str) -> None:
        """Record a scalar's anchor (one node)."""
        self._sizes[name] = 1

    def start(self, name: str, depth: int, nodes_before: int) -> None:
        """Note an anchored collection that opens at `depth` after `nodes_before` nodes."""
        self.open.append((depth, name, nodes_before, self.extra))

    def end(self, nodes: int) -> None:
        """Record the size of the innermost anchored collection, which has just closed."""
        _, name, nodes_before, extra_before = self.open.pop()
        self._sizes[name] = nodes - nodes_before + self.extra - extra_before

    def alias(self, name: str, nodes: int, line: int) -> None:
        """Count `*name` (the document has `nodes` nodes with it); refuse a bomb."""
        size = self._sizes.get(name)
        if any(entry[1] == name for entry in self.open):
            raise FileFormatError(
                f"YAML alias *{name} inside its own anchor (a recursive alias)", line=line
            )
        if size is None:
            raise FileFormatError(f"YAML alias *{name} refers to no anchor before it", line=line)
        self.extra += size - 1
        bound = max(EXPANSION_FLOOR, EXPANSION_RATIO * nodes)
        if nodes + self.extra > bound:
            raise FileFormatError(
                f"YAML aliases would expand to more than {bound} nodes (an alias bomb)",
                line=line,
            )
