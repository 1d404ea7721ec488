"""Edits to YAML text: a scalar rewritten in its own style, plural categories added or removed."""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType

from dragoman.content.formats import _yaml_write as write
from dragoman.content.formats._yaml_tree import Mapping, Scalar

Edit = tuple[int, int, str]
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")


def scalar_edit(text: str, node: Scalar, value: str, *, newline: str, ascii_only: bool) -> Edit:
    """Replace `node`'s token with `value` in the same style, or double-quoted when that style
    cannot carry it."""
    if node.style in ("|", ">"):
        return node.start, node.end, _block_edit(text, node, value, newline, ascii_only)
    return node.start, node.end, inline(value, node.style, flow=node.flow, ascii_only=ascii_only)


def inline(value: str, style: str, *, flow: bool, ascii_only: bool) -> str:
    """`value` as a one-line scalar of `style` (`''`, `'` or `"`), else double-quoted."""
    written: str | None = None
    if style == "" and (not ascii_only or value.isascii()):
        written = write.plain(value, flow=flow)
    elif style == "'" and (not ascii_only or value.isascii()):
        written = write.single_quoted(value)
    return written if written is not None else write.double_quoted(value, ascii_only=ascii_only)


def _block_edit(text: str, node: Scalar, value: str, newline: str, ascii_only: bool) -> str:
    span = text[node.start : node.end]
    first_break = span.find("\n")
    header = span if first_break < 0 else span[:first_break].rstrip("\r")
    header_rest = header[_BLOCK_HEADER.match(header).end() :]  # type: ignore[union-attr]
    lines = span.split("\n")
    # The last line with content; the blank lines after it are layout (or `|+` content).
    last = max((i for i in range(1, len(lines)) if lines[i].strip(" \t\r")), default=0)
    body_lines = lines[1 : last + 1]
    tail = "\n".join(lines[last + 1 :])
    indent = next((_indent(line) for line in body_lines if line.strip(" \t\r")), None)
    if indent is None:
        indent = _indent(_line_of(text, node.start)) + "  "
    written = None
    if not ascii_only or value.isascii():
        written = write.block(
            value,
            folded=node.style == ">",
            header_rest=header_rest,
            indent=indent,
            newline=newline,
        )
    if written is None:
        # Keep the header's comment and the line breaks the block ended with.
        written = write.double_quoted(value, ascii_only=ascii_only) + header_rest + newline
    elif value.endswith("\n\n"):
        tail = ""  # `|+`: the value's own trailing newlines are the blank lines now
    out = written + tail
    if not span.endswith("\n") and out.endswith(newline):
        out = out[: -len(newline)]  # the block ended the file without a line break
    return out


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _line_of(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : len(text) if end < 0 else end]


def plural_edits(
    text: str,
    node: Mapping,
    forms: MappingType[str, str],
    target: MappingType[str, str],
    *,
    newline: str,
    ascii_only: bool,
) -> list[Edit]:
    """Edits that give a Rails plural mapping exactly `target`'s categories: changed values
    rewritten, categories the target lacks removed (`zero` kept), missing ones added after
    the last entry in the siblings' style."""
    entries = [(k, v) for k, v in node.entries if isinstance(k, Scalar) and isinstance(v, Scalar)]
    present = {k.value for k, _ in entries}
    drop = {c for c in present if c not in target and c != "zero"}
    missing = [c for c in target if c not in present]
    if node.flow and (drop or missing):
        return [_flow_rewrite(text, node, entries, target, missing, ascii_only)]
    edits: list[Edit] = []
    for key, value in entries:
        if key.value in drop:
            line_start = _line_start(text, key.start)
            if text[line_start : key.start].strip():
                continue  # `- one: ...`: the line opens a sequence item, so it stays
            edits.append((line_start, _entry_end(text, value), ""))
        elif key.value in target and target[key.value] != forms.get(key.value):
            edits.append(
                scalar_edit(text, value, target[key.value], newline=newline, ascii_only=ascii_only)
            )
    if missing and entries:
        edits.append(_block_additions(text, entries[-1], target, missing, newline, ascii_only))
    return edits


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _entry_end(text: str, value: Scalar) -> int:
    """Just past the line break that ends the entry whose value is `value`."""
    if value.style in ("|", ">"):
        return value.end
    end = text.find("\n", value.end)
    return len(text) if end < 0 else end + 1


def _block_additions(
    text: str,
    last: tuple[Scalar, Scalar],
    target: MappingType[str, str],
    missing: list[str],
    newline: str,
    ascii_only: bool,
) -> Edit:
    key, value = last
    indent = text[_line_start(text, key.start) : key.start]
    if indent.strip():
        indent = " " * len(indent)  # the entry sits after `- ` on its line
    between = text[key.end : value.start]
    separator = between if "\n" not in between and between.strip() == ":" else ": "
    quote = key.style if key.style in ("'", '"') else ""
    at = _entry_end(text, value)
    lines = []
    for cat in missing:
        head = f"{indent}{quote}{cat}{quote}{separator}"
        if value.style in ("|", ">"):
            span_indent = _block_indent(text, value) or indent + "  "
            written = write.block(
                target[cat],
                folded=value.style == ">",
                header_rest="",
                indent=span_indent,
                newline=newline,
            )
            if written is not None and (not ascii_only or target[cat].isascii()):
                lines.append(head + written)
                continue
        style = value.style if value.style in ("", "'") else '"'
        lines.append(head + inline(target[cat], style, flow=False, ascii_only=ascii_only) + newline)
    prefix = newline if at == len(text) and not text.endswith("\n") else ""
    return at, at, prefix + "".join(lines)


def _block_indent(text: str, value: Scalar) -> str | None:
    for line in text[value.start : value.end].split("\n")[1:]:
        if line.strip(" \t\r"):
            return _indent(line)
    return None


def _flow_rewrite(
    text: str,
    node: Mapping,
    entries: list[tuple[Scalar, Scalar]],
    target: MappingType[str, str],
    missing: list[str],
    ascii_only: bool,
) -> Edit:
    """A flow mapping whose categories change is written again on one line."""
    pad = " " if text[node.start + 1 : node.start + 2] == " " else ""
    parts = []
    style = '"'
    for key, value in entries:
        if key.value in target or key.value == "zero":
            new = target.get(key.value, value.value)
            parts.append(
                f"{key.value}: {inline(new, value.style, flow=True, ascii_only=ascii_only)}"
            )
            style = value.style if value.style in ("", "'", '"') else '"'
    for cat in missing:
        parts.append(f"{cat}: {inline(target[cat], style, flow=True, ascii_only=ascii_only)}")
    return node.start, node.end, "{" + pad + ", ".join(parts) + pad + "}"
