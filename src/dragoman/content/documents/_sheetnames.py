"""Spreadsheet sheet names: a translation made into a valid, unique name, and references to a
renamed sheet in formulas (`'Old Name'!A1`, `Old!A1:B2`) rewritten outside string literals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

MAX_LENGTH = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_LITERAL = re.compile(r'"(?:[^"]|"")*"')
# A quoted name, or an unquoted one not preceded by a workbook index (`[1]Sheet!`) or a name char.
_REFERENCE = re.compile(r"'((?:[^']|'')+)'!|(?<![\w.\]'])([^\s!'\"(),;:+\-*/&=<>^%{}\[\]]+)!")


def valid_names(original: Sequence[str], wanted: Mapping[int, str]) -> dict[int, str]:
    """Index -> new name for each sheet whose translation makes a valid name that no other
    sheet has (case-insensitively); other sheets keep their name."""
    final = list(original)
    out: dict[int, str] = {}
    for index, text in sorted(wanted.items()):
        name = _FORBIDDEN.sub(" ", text)
        name = " ".join(name.split()).strip("'")[:MAX_LENGTH].strip().strip("'")
        taken = {n.casefold() for i, n in enumerate(final) if i != index}
        if not name or name.casefold() in taken or name.casefold() == "history":
            continue
        if name != original[index]:
            final[index] = name
            out[index] = name
    return out


def quote(name: str) -> str:
    """A sheet name as a formula writes it (always quoted, which is always valid)."""
    return "'" + name.replace("'", "''") + "'"


def rename_in_formula(formula: str, renamed: Mapping[str, str]) -> str:
    """`formula` with references to each renamed sheet (keys compared case-insensitively)
    pointing at its new name; string literals are left alone."""
    if not renamed or "!" not in formula:
        return formula
    folded = {old.casefold(): new for old, new in renamed.items()}
    out: list[str] = []
    position = 0
    for literal in _LITERAL.finditer(formula):
        out.append(_rename(formula[position : literal.start()], folded))
        out.append(literal.group(0))
        position = literal.end()
    out.append(_rename(formula[position:], folded))
    return "".join(out)


def _rename(code: str, folded: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            name = match.group(1).replace("''", "'")
            if name.startswith("["):  # another workbook's sheet
                return match.group(0)
            parts = name.split(":")  # a 3-D reference: 'First:Last'!A1
            if all(p.casefold() not in folded for p in parts):
                return match.group(0)
            return quote(":".join(folded.get(p.casefold(), p) for p in parts)) + "!"
        new = folded.get(match.group(2).casefold())
        return match.group(0) if new is None else quote(new) + "!"

    return _REFERENCE.sub(replace, code)
