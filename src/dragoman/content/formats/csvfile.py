"""CSV string tables: a key, a source and a target column; render fills the target column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from babel import Locale

from dragoman.content.formats._jsonscan import Text, decode, unique
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

_DELIMITERS = (",", ";", "\t", "|")
_QUOTE_RUN = re.compile(r'"+')
_QUOTED_RUN = re.compile(r'"[^"]*"')
_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
# Header names per role, compared lower-cased with `_` and `-` read as spaces.
_ROLES: dict[str, frozenset[str]] = {
    role: frozenset(names.split("|"))
    for role, names in {
        "key": "key|id|identifier|name|string id|string key|resource|resname|resource key|"
        "key name|msgctxt",
        "source": "source|source text|source string|original|text|string|msgid|value|"
        "source language",
        "target": "target|target text|target string|translation|translated|translated text|"
        "msgstr|target language",
        "notes": "comment|comments|note|notes|description|context|developer comment|hint|"
        "instructions",
        "max_length": "max length|maxlength|max len|limit|char limit|character limit|max chars",
    }.items()
}
_TARGET_NAME = {
    "source": "target",
    "source text": "target text",
    "source string": "target string",
    "original": "translation",
    "text": "translation",
    "string": "translation",
    "msgid": "msgstr",
    "value": "translation",
}


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    quoted: bool
    value: str


@dataclass(frozen=True, slots=True)
class Row:
    """One record: its first line, its cells and where it ends (before the line break)."""

    line: int
    cells: tuple[Cell, ...]
    end: int

    @property
    def blank(self) -> bool:
        return len(self.cells) == 1 and not self.cells[0].quoted and not self.cells[0].value

    def get(self, column: int | None) -> str:
        return self.cells[column].value if column is not None and column < len(self.cells) else ""


@dataclass(frozen=True, slots=True)
class CsvSkeleton:
    """The decoded file, its records, which columns hold what and each unit's record."""

    doc: Text
    delimiter: str
    rows: tuple[Row, ...]
    header: int | None  # index of the header record
    source: int
    target: int | None
    width: int
    units: tuple[tuple[int, str], ...]  # (row index, unit id)
    source_locale: str


class CsvCodec(Codec):
    """Comma, semicolon, tab or pipe separated; the header row is detected by its names."""

    name = "csv"
    extensions = (".csv",)
    media_types = ("text/csv",)
    bilingual = True  # translations go in their own column; parse lists them in meta

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = decode(data, limits)
        delimiter = _delimiter(doc.text)
        _check_size(doc.text, delimiter, limits)
        rows = _records(doc.text, delimiter)
        first = next((i for i, row in enumerate(rows) if not row.blank), None)
        if first is None:
            raise FileFormatError("the CSV file has no rows")
        roles = _roles(rows[first], source_locale)
        is_header = len(roles) >= 2 or bool(roles.keys() & {"source", "target"})
        width = max(len(row.cells) for row in rows)
        if is_header:
            header: int | None = first
            key = roles.get("key")
            source = roles.get("source")
            if source is None:
                taken = set(roles.values())
                source = next((i for i in range(width) if i not in taken), None)
                if source is None:
                    raise FileFormatError("cannot tell which column holds the source text", line=1)
            target = roles.get("target")
            if target is None:
                # One column named after another language (`German`, `de`) holds that
                # language's translations: listed in meta, but never filled for another one.
                taken = set(roles.values()) | {source}
                languages = [
                    i
                    for i, cell in enumerate(rows[first].cells)
                    if i not in taken and _names_a_language(cell.value)
                ]
                translated = languages[0] if len(languages) == 1 else None
            width = len(rows[first].cells)
        else:
            header, roles = None, {}
            key, source, target = (0, 1, 2) if width >= 2 else (None, 0, 1)
        if target is not None:
            translated = target
        notes = [
            i
            for i, cell in enumerate(rows[first].cells)
            if is_header and _norm(cell.value) in _ROLES["notes"]
        ]
        limit = roles.get("max_length")
        units: list[Unit] = []
        placed: list[int] = []
        names: list[str] = []
        for index, row in enumerate(rows):
            if index == header or row.blank or not row.get(source):
                continue
            name = row.get(key) or f"line {row.line}"
            names.append(name)
            placed.append(index)
            units.append(
                Unit(
                    id=name,
                    source=row.get(source),
                    context=(name,) if key is not None else (),
                    notes=tuple(row.get(i) for i in notes if row.get(i)),
                    max_length=int(row.get(limit)) if row.get(limit).strip().isdigit() else None,
                )
            )
            if len(units) > limits.max_units:
                raise PayloadTooLargeError(
                    f"the file holds more than the limit of {limits.max_units} strings"
                )
        ids = unique(names)
        for unit, uid in zip(units, ids, strict=True):
            unit.id = uid
        skeleton = CsvSkeleton(
            doc,
            delimiter,
            tuple(rows),
            header,
            source,
            target,
            width,
            tuple(zip(placed, ids, strict=True)),
            source_locale,
        )
        # Translations already in the target column: the file is bilingual, like a PO file.
        targets = {
            uid: rows[i].get(translated) for i, uid in skeleton.units if rows[i].get(translated)
        }
        return Extraction(
            units, skeleton, meta={"source_locale": source_locale, "targets": targets}
        )

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: CsvSkeleton = skeleton
        by_id = {u.id: u for u in units}
        writes: dict[int, str] = {}
        for index, uid in sk.units:
            unit = by_id.get(uid)
            if unit is not None and unit.target is not None:
                writes[index] = unit.target
        found = _target_column(sk, target_locale)
        column = sk.width if found is None else found
        adding = column >= sk.width  # a new column: every record gets a cell, even empty
        if adding:
            if not writes:
                return sk.doc.encode(sk.doc.text)
            if sk.header is not None:
                source_name = sk.rows[sk.header].get(sk.source)
                writes[sk.header] = _new_header(source_name, sk.source_locale, target_locale)
        text, out, pos = sk.doc.text, [], 0
        for index, row in enumerate(sk.rows):
            value = writes.get(index)
            if value is None and not (adding and not row.blank):
                continue
            cell = row.cells[column] if column < len(row.cells) else None
            if cell is not None and value is not None and value == cell.value:
                continue
            encoded = _encode(value or "", sk.delimiter, _quoted(row, cell, sk.source))
            if cell is not None:
                out.append(text[pos : cell.start])
                pos = cell.end
            else:
                out.append(text[pos : row.end])
                pos = row.end
                encoded = sk.delimiter * (column - len(row.cells) + 1) + encoded
            out.append(encoded)
        out.append(text[pos:])
        return sk.doc.encode("".join(out))


def _delimiter(text: str) -> str:
    """The candidate found most often on the first line outside quotes (`,` on a tie)."""
    line = _QUOTED_RUN.sub("", text[: text.find("\n") if "\n" in text else 4096])
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_size(text: str, delimiter: str, limits: Limits) -> None:
    """Refuse more records than units allowed (plus a header) before the slower scan: the
    C `csv` reader counts them fast."""
    if text.count("\n") <= limits.max_units:
        return
    if '"' not in text:  # no quoted cells: each line that is not blank is a record
        lines = text.split("\n")
        records = len(lines) - lines.count("") - lines.count("\r")
        if records > limits.max_units + 1:
            raise PayloadTooLargeError(_too_many_rows(limits))
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = sum(1 for row in reader if row)
    except csv.Error:
        return  # malformed: the scan below names the problem and its line
    if records > limits.max_units + 1:
        raise PayloadTooLargeError(_too_many_rows(limits))


def _too_many_rows(limits: Limits) -> str:
    return f"the file holds more than the limit of {limits.max_units} rows"


def _records(text: str, delimiter: str) -> list[Row]:
    """Split `text` into records, keeping each cell's span and whether it was quoted."""
    plain = re.compile(r'(?!")[^' + re.escape(delimiter) + r"\r\n]*")
    rows: list[Row] = []
    i, n, line = 0, len(text), 1
    while i < n:
        cells: list[Cell] = []
        start_line = line
        while True:
            if text.startswith('"', i):
                close = _closing_quote(text, i + 1)
                if close < 0:
                    raise FileFormatError("a quoted field is never closed", line=line)
                raw = text[i + 1 : close]
                line += raw.count("\n")
                cells.append(Cell(i, close + 1, True, raw.replace('""', '"')))
                i = close + 1
            else:
                match = plain.match(text, i)
                assert match is not None  # the pattern matches the empty string
                cells.append(Cell(i, match.end(), False, match.group()))
                i = match.end()
            if not text.startswith(delimiter, i):
                break
            i += 1
        rows.append(Row(start_line, tuple(cells), i))
        if i < n:
            if text.startswith("\r\n", i):
                i += 2
            elif text[i] in "\r\n":
                i += 1
            else:
                raise FileFormatError("unexpected text after a closing quote", line=line)
            line += 1
    return rows


def _closing_quote(text: str, start: int) -> int:
    """The offset of the quote that closes a field opened before `start`, or -1: the last
    quote of the first run of odd length (`""` is an escaped quote)."""
    for run in _QUOTE_RUN.finditer(text, start):
        if (run.end() - run.start()) % 2:
            return run.end() - 1
    return -1


def _norm(cell: str) -> str:
    return " ".join(cell.strip().lower().replace("_", " ").replace("-", " ").split())


@cache
def _locale_names(locale: str) -> frozenset[str]:
    """What a column named after `locale` may be called: `pt-BR`, `pt`, `Portuguese`..."""
    names = {locale.lower().replace("_", "-"), locale.lower().split("-")[0].split("_")[0]}
    try:
        parsed = Locale.parse(locale.replace("_", "-"), sep="-")
        language = Locale(parsed.language)
        for loc in (parsed, language):
            names |= {n.lower() for n in (loc.english_name, loc.display_name) if n}
    except (ValueError, TypeError, LookupError):
        pass
    return frozenset(names)


def _names_a_language(cell: str) -> bool:
    """Whether a header is a language code Babel knows or an English language name."""
    name = cell.strip()
    if not name:
        return False
    if _CODE.fullmatch(name.lower().replace("_", "-")):
        try:
            Locale.parse(name.replace("_", "-"), sep="-")
            return True
        except (ValueError, TypeError, LookupError):
            return False
    return name.lower() in _english_language_names()


@lru_cache(maxsize=1)
def _english_language_names() -> frozenset[str]:
    return frozenset(n.lower() for n in Locale("en").languages.values())


def _matches_locale(cell: str, locale: str, *, any_region: bool = False) -> bool:
    """Whether a header names `locale`; with `any_region`, `en_US` names `en` too (a source
    column is found that way, but a `pt-PT` column must not take `pt-BR` text)."""
    name = cell.strip().lower().replace("_", "-")
    names = _locale_names(locale)
    if name in names:
        return True
    return any_region and bool(_CODE.fullmatch(name)) and name.split("-")[0] in names


def _roles(row: Row, source_locale: str) -> dict[str, int]:
    """The first column each role's header name appears in."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        name = _norm(cell.value)
        role = next((r for r, names in _ROLES.items() if name in names), None)
        if role is None and name and _matches_locale(cell.value, source_locale, any_region=True):
            role = "source"
        if role is not None and role not in roles:
            roles[role] = index
    return roles


def _target_column(sk: CsvSkeleton, target_locale: str) -> int | None:
    """A header column named after the target locale, else the target column, if any."""
    if sk.header is not None:
        cells = sk.rows[sk.header].cells
        exact = [
            i
            for i, c in enumerate(cells)
            if c.value.strip().lower().replace("_", "-") == target_locale.lower().replace("_", "-")
        ]
        named = [i for i, c in enumerate(cells) if _matches_locale(c.value, target_locale)]
        for found in (exact, named):
            if found and found[0] != sk.source:
                return found[0]
    return sk.target


def _new_header(source_name: str, source_locale: str, target_locale: str) -> str:
    """The added column's name, in the style of the source column's name."""
    name = source_name.strip()
    low = _norm(name)
    if low in _TARGET_NAME:
        new = _TARGET_NAME[low]
        if name.isupper():
            return new.upper()
        return new[:1].upper() + new[1:] if name[:1].isupper() else new
    if _CODE.fullmatch(name):
        return target_locale.replace("-", "_") if "_" in name else target_locale
    if _matches_locale(name, source_locale):
        try:  # the source column is named after its language (`English`)
            return str(Locale.parse(target_locale.replace("_", "-"), sep="-").english_name)
        except (ValueError, TypeError, LookupError):
            return target_locale
    return "target"


def _quoted(row: Row, cell: Cell | None, source: int) -> bool:
    """Whether the file quotes this cell: as it was, or as the row's source cell is."""
    if cell is not None and (cell.quoted or cell.value):
        return cell.quoted
    return source < len(row.cells) and row.cells[source].quoted


def _encode(value: str, delimiter: str, quoted: bool) -> str:
    if quoted or any(ch in value for ch in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value
