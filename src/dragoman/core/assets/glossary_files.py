"""Glossary files: CSV through the csv module, TBX through `tbx.py`, chosen by name or content.

CSV has a header row; its columns (any order, names case-insensitive, spaces or hyphens for
underscores) are `source_term` (or `source`, `term`), `target_term` (or `target`,
`translation`), `case_sensitive`, `do_not_translate`, `part_of_speech`, `note`. Flags read
true/false, yes/no, 1/0 or empty (false). Comma, semicolon and tab delimiters are accepted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from dragoman.core.assets import tbx
from dragoman.core.assets.glossary import GlossaryTerm, Pair, TermInput, checked
from dragoman.errors import FileFormatError, ValidationError

FORMATS = ("csv", "tbx")
COLUMNS = (
    "source_term",
    "target_term",
    "case_sensitive",
    "do_not_translate",
    "part_of_speech",
    "note",
)
_ALIASES = {
    "source": "source_term",
    "term": "source_term",
    "target": "target_term",
    "translation": "target_term",
    "pos": "part_of_speech",
    "dnt": "do_not_translate",
    "comment": "note",
}
_FLAGS = {"": False, "0": False, "false": False, "no": False, "n": False, "f": False,
          "1": True, "true": True, "yes": True, "y": True, "t": True, "x": True}  # fmt: skip
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "tbx": "application/x-tbx+xml"}


@dataclass(frozen=True, slots=True)
class ReadTerms:
    """The terms read from a file, and how many of its entries could not be used."""

    terms: list[TermInput]
    skipped: int


def format_of(filename: str | None, data: bytes) -> str:
    """`csv` or `tbx`, from the file's extension, else from its first bytes."""
    name = (filename or "").lower()
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    if name.endswith(".xml") or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "tbx"
    return "csv"


def read_terms(data: bytes, filename: str | None, pair: Pair) -> ReadTerms:
    """The terms of a CSV or TBX file for `pair`; FileFormatError says what is wrong where."""
    if format_of(filename, data) == "tbx":
        terms, skipped = tbx.read_tbx(data, pair)
        return ReadTerms(terms, skipped)
    return ReadTerms(read_csv(data), 0)


def _column(name: str) -> str:
    key = "_".join(name.strip().lower().replace("-", " ").split())
    return _ALIASES.get(key, key)


def _flag(value: str, column: str, line: int) -> bool:
    found = _FLAGS.get(value.strip().lower())
    if found is None:
        raise FileFormatError(
            f"{column} must be true or false, not {value!r}", line=line, field="file"
        )
    return found


def read_csv(data: bytes) -> list[TermInput]:
    """The rows of a glossary CSV file with a header row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"the CSV file is not UTF-8 (byte {exc.start})", field="file"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_column(name) for name in next(rows)]
    except StopIteration:
        raise FileFormatError("the CSV file is empty", field="file") from None
    if "source_term" not in header:
        raise FileFormatError(
            "the CSV header names no source_term column (columns: " + ", ".join(COLUMNS) + ")",
            line=1,
            field="file",
        )
    terms: list[TermInput] = []
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = dict(zip(header, row, strict=False))
            entry = TermInput(
                source_term=cells.get("source_term", ""),
                target_term=cells.get("target_term", ""),
                case_sensitive=_flag(cells.get("case_sensitive", ""), "case_sensitive", line),
                do_not_translate=_flag(cells.get("do_not_translate", ""), "do_not_translate", line),
                part_of_speech=cells.get("part_of_speech") or None,
                note=cells.get("note") or None,
            )
            try:
                checked(entry)  # as storing it would, so the error names the line
            except ValidationError as exc:
                raise FileFormatError(exc.message, line=line, field="file") from None
            terms.append(entry)
    except csv.Error as exc:
        raise FileFormatError(f"the CSV file is malformed: {exc}", field="file") from None
    return terms


def write_csv(terms: Iterable[GlossaryTerm]) -> bytes:
    """The terms as CSV with the standard header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for term in terms:
        writer.writerow(
            [
                term.source_term,
                term.target_term,
                "true" if term.case_sensitive else "false",
                "true" if term.do_not_translate else "false",
                term.part_of_speech or "",
                term.note or "",
            ]
        )
    return out.getvalue().encode("utf-8")


def write_terms(terms: Iterable[GlossaryTerm], pair: Pair, fmt: str) -> bytes:
    """The terms as a `csv` or `tbx` file."""
    if fmt == "csv":
        return write_csv(terms)
    if fmt == "tbx":
        return tbx.write_tbx(terms, pair)
    raise ValidationError(f"format must be one of {', '.join(FORMATS)}", field="format")
