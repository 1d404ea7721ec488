"""Gettext PO and POT files, spliced: render rewrites only the msgstr lines of changed
entries (wrapped as gettext wraps them) and the header's Language and Plural-Forms."""

from __future__ import annotations

import codecs
import io
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats import _po_header as hdr
from dragoman.content.formats._po_syntax import PAGE_WIDTH, Entry, format_field, read_entries
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import gettext_plurals
from dragoman.errors import FileFormatError, PayloadTooLargeError

_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class PoSkeleton:
    """The file's text (lines split at `\\n`, so a CRLF line keeps its `\\r`), where each
    line starts, and its messages. The text is kept whole, not as a tuple of lines: a 20 MiB
    catalogue's million line objects cost more than the catalogue itself."""

    text: str
    starts: array[int]  # offset of each line in `text`
    header: Entry | None
    entries: tuple[Entry, ...]
    ids: tuple[str, ...]
    encoding: str
    bom: bool
    newline_tail: str  # "\r" for a CRLF file, "" for LF
    width: int | None  # None: the file was written with --no-wrap
    language: str  # the header's Language, else the parsed source locale
    source_locale: str
    table: tuple[int, str, tuple[str, ...]]  # the file's plural table
    template: bool


def message_id(entry: Entry) -> str:
    """gettext's own key for a message: `msgctxt EOT msgid`."""
    return entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"


class PoCodec(Codec):
    """A gettext catalog. The msgid is the source and translated, non-fuzzy msgstrs are
    listed in `meta["targets"]`/`["target_plurals"]`; except in a catalog whose `Language`
    is the source language itself (a monolingual `en.po`), where they are the source."""

    name = "po"
    extensions = (".po",)
    media_types = ("text/x-gettext-translation", "text/x-po")
    file_type = "po"
    bilingual = True
    template = False

    def sniff(self, head: bytes) -> bool:
        return b'msgid "' in head and b"msgstr" in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the PO file is larger than {limits.max_bytes} bytes")
        if b"\x00" in data:
            raise FileFormatError("the file is binary, not a PO file (it has NUL bytes)")
        encoding = hdr.declared_charset(data)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise FileFormatError(f"the file is not valid {encoding}", line=line) from None
        bom = text.startswith(_BOM)
        body = text[1:] if bom else text
        del text
        lines = _Lines(body)  # one line at a time: a 20 MiB file's lines never exist at once
        entries = read_entries(lines, limits.max_units)
        header = entries[0] if entries and entries[0].is_header else None
        messages = tuple(entries[1:] if header else entries)
        head = hdr.fields(header.msgstr[0]) if header else {}
        language = head.get("Language") or source_locale
        table = hdr.plural_table(head.get("Plural-Forms"), language)
        monolingual = hdr.same_primary(head.get("Language", ""), source_locale)
        units: list[Unit] = []
        targets: dict[str, str] = {}
        target_plurals: dict[str, dict[str, str]] = {}
        seen: set[str] = set()
        for entry in messages:
            uid = message_id(entry)
            if uid in seen:
                raise FileFormatError(f"duplicate message {entry.msgid[:40]!r}", line=entry.line)
            seen.add(uid)
            forms = _translation(entry, table)
            units.append(_unit(uid, entry, forms if monolingual else None))
            if forms is not None and not monolingual:
                if entry.msgid_plural is None:
                    targets[uid] = forms["other"]
                else:
                    target_plurals[uid] = forms
        if len(units) > limits.max_units:
            raise FileFormatError(f"more than {limits.max_units} messages")
        skeleton = PoSkeleton(
            text=body,
            starts=lines.starts,
            header=header,
            entries=messages,
            ids=tuple(u.id for u in units),
            encoding=encoding,
            bom=bom,
            newline_tail="\r" if lines.crlf else "",
            width=None if lines.wide else PAGE_WIDTH,
            language=language,
            source_locale=source_locale,
            table=table,
            template=self.template,
        )  # fmt: skip
        meta = {"language": language, "targets": targets, "target_plurals": target_plurals}
        return Extraction(units, skeleton, meta)

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: PoSkeleton = skeleton
        try:
            return _Renderer(sk, units, target_locale, utf8=False).data(sk.encoding)
        except UnicodeEncodeError:
            # A target the file's charset cannot hold: the whole file becomes UTF-8.
            return _Renderer(sk, units, target_locale, utf8=True).data("utf-8")

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        return po_filename(filename or "messages.po", source_locale, target_locale)


class PotCodec(PoCodec):
    """A gettext template (msgstr empty, so the msgid is the source); renders `<lang>.po`."""

    name = "pot"
    extensions = (".pot",)
    template = True

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        # msginit's convention: `po/messages.pot` -> `po/es.po`.
        path = PurePosixPath(filename or "messages.pot")
        return str(path.with_name(f"{hdr.gettext_language(target_locale)}.po"))


def _translation(entry: Entry, table: tuple[int, str, tuple[str, ...]]) -> dict[str, str] | None:
    """An entry's msgstr forms by category (`other` alone for a singular), or None when it
    is untranslated, fuzzy or has the wrong number of forms."""
    if "fuzzy" in entry.flags or not all(entry.msgstr):
        return None
    if entry.msgid_plural is None:
        return {"other": entry.msgstr[0]}
    if len(entry.msgstr) != table[0]:
        return None
    forms = dict(zip(table[2], entry.msgstr, strict=True))
    # gettext's last form serves every number the others do not take.
    forms.setdefault("other", entry.msgstr[-1])
    return forms


def _unit(uid: str, entry: Entry, own: dict[str, str] | None) -> Unit:
    """The entry as a unit: its msgid, or `own` forms when the msgstr holds the source."""
    plural: dict[str, str] | None = None
    if entry.msgid_plural is not None:
        plural = own or {"one": entry.msgid, "other": entry.msgid_plural}
        source = plural.get("one", plural["other"])
    else:
        source = own["other"] if own else entry.msgid
    context = ((entry.msgctxt,) if entry.msgctxt is not None else ()) + entry.references
    notes = entry.extracted + entry.translator
    return Unit(id=uid, source=source, plural=plural, context=context, notes=notes)


def po_filename(filename: str, source_locale: str, target_locale: str) -> str:
    """`locale/en/LC_MESSAGES/django.po` -> `locale/es/...`, `en.po` -> `es.po`,
    `messages_en.po` -> `messages_es.po`, else `name.es.po`."""
    path = PurePosixPath(filename)
    source, target = hdr.gettext_language(source_locale), hdr.gettext_language(target_locale)
    names = {source.lower(), source.split("_")[0].lower()}
    parts = list(path.parts)
    for i, part in enumerate(parts[:-1]):
        if part.lower() in names:
            parts[i] = target
            return str(PurePosixPath(*parts))
    stem, suffix = path.stem, path.suffix
    for name in sorted(names, key=len, reverse=True):
        if stem.lower() == name:
            return str(path.with_name(f"{target}{suffix}"))
        for sep in ("_", "-", "."):
            if stem.lower().endswith(sep + name):
                return str(path.with_name(f"{stem[: -len(name)]}{target}{suffix}"))
    return str(path.with_name(f"{stem}.{target}{suffix}"))


class _Renderer:
    """One render: the edits to the skeleton's lines, then the joined text."""

    def __init__(self, sk: PoSkeleton, units: Sequence[Unit], target: str, *, utf8: bool):
        self.sk = sk
        # start -> (end, lines that replace lines[start:end]); end > start always
        self.edits: dict[int, tuple[int, list[str]]] = {}
        self.target = target
        # Rendering for the parsed source locale leaves the header alone (identity).
        self.relocale = not (
            hdr.same_language(target, sk.language) or hdr.same_language(target, sk.source_locale)
        )
        self.table = gettext_plurals(target) if self.relocale else sk.table
        self.utf8 = utf8
        self.units = units

    def _units(self) -> Iterator[tuple[Entry, Unit]]:
        """Each message with its unit; units usually come in the file's order, so a lookup
        table is built only when they do not."""
        by_id: dict[str, Unit] | None = None
        units = self.units
        for index, (uid, entry) in enumerate(zip(self.sk.ids, self.sk.entries, strict=True)):
            unit = units[index] if index < len(units) else None
            if unit is None or unit.id != uid:
                if by_id is None:
                    by_id = {u.id: u for u in units}
                unit = by_id.get(uid)
            if unit is not None:
                yield entry, unit

    def data(self, encoding: str) -> bytes:
        """The rendered file, written message by message into one buffer: each message's
        edits are applied and dropped as the text is copied (on a 20 MiB catalogue, holding
        every edit, or the whole text as one string next to its bytes, cost 100 MB)."""
        sk = self.sk
        encode = codecs.getincrementalencoder(encoding)().encode  # one BOM at most, if any
        out = io.BytesIO()
        prefix = _BOM if sk.bom else ""  # before the first piece; "\n" before the others
        done = 0  # lines before this one are written

        def write(piece: str) -> None:
            nonlocal prefix
            out.write(encode(prefix + piece))
            prefix = "\n"

        def flush() -> None:
            nonlocal done
            for start in sorted(self.edits):
                if start < done:  # inside lines an earlier edit replaced
                    continue
                end, new = self.edits[start]
                if start > done:
                    write(sk.text[sk.starts[done] : sk.starts[start] - 1])
                for line in new:
                    write(line)
                done = end
            self.edits.clear()

        self._header()
        flush()
        for entry, unit in self._units():
            self._entry(entry, unit)
            if self.edits:
                flush()
        if done < len(sk.starts):
            write(sk.text[sk.starts[done] :])
        if prefix and prefix != "\n":  # nothing written: a BOM alone
            write("")
        return out.getvalue()

    def _lines(self, keyword: str, text: str) -> list[str]:
        return format_field(keyword, text, self.sk.width, self.sk.newline_tail)

    def _header(self) -> None:
        sk = self.sk
        changes: dict[str, str] = {}
        if self.relocale:
            count, expr, _ = self.table
            changes["Language"] = hdr.gettext_language(self.target)
            changes["Plural-Forms"] = f"nplurals={count}; plural={expr};"
        old = sk.header.msgstr[0] if sk.header else ""
        charset = hdr.fields(old).get("Content-Type", "")
        if self.utf8 or (self.relocale and "charset=CHARSET" in charset):
            changes["Content-Type"] = "text/plain; charset=UTF-8"
        if not changes:
            return
        new = hdr.with_fields(old, changes)
        if sk.header is None:
            lines = ['msgid ""' + sk.newline_tail, *self._lines("msgstr", new), sk.newline_tail]
            self.edits[0] = (1, [*lines, _line(sk, 0)])
            return
        start, end = sk.header.msgstr_lines
        self.edits[start] = (end, self._lines("msgstr", new))
        if sk.template and "fuzzy" in sk.header.flags:
            self._drop_fuzzy(sk.header)  # msginit clears it once Language is filled in

    def _entry(self, entry: Entry, unit: Unit) -> None:
        forms: list[str] | None = None
        translated = unit.translatable and (
            unit.target is not None or unit.target_plural is not None
        )
        if entry.msgid_plural is None:
            if translated and unit.target is not None:
                forms = [unit.target]
        elif translated:
            chosen = unit.target_plural or {"other": unit.target or ""}
            forms = [_pick(chosen, cat) for cat in self.table[2]]
        elif self.relocale and len(entry.msgstr) != self.table[0]:
            # The plural count changed: lay the old forms out again, matched by category.
            old = dict(zip(self.sk.table[2], entry.msgstr, strict=False))
            old.setdefault("other", entry.msgstr[-1])
            forms = [_pick(old, cat) for cat in self.table[2]]
        if forms is None:
            return
        if forms == list(entry.msgstr) and not (translated and "fuzzy" in entry.flags):
            return
        if entry.msgid_plural is None:
            new = self._lines("msgstr", forms[0])
        else:
            new = [ln for i, f in enumerate(forms) for ln in self._lines(f"msgstr[{i}]", f)]
        start, end = entry.msgstr_lines
        self.edits[start] = (end, new)
        if translated and "fuzzy" in entry.flags:
            self._drop_fuzzy(entry)

    def _drop_fuzzy(self, entry: Entry) -> None:
        """A translated entry is no longer fuzzy, nor needs its previous msgid (`#|`)."""
        flags = [f for f in entry.flags if f != "fuzzy"]
        first, *rest = entry.flag_lines
        keep = [f"#, {', '.join(flags)}{self.sk.newline_tail}"] if flags else []
        self.edits[first] = (first + 1, keep)
        for index in (*rest, *entry.previous_lines):
            self.edits[index] = (index + 1, [])


class _Lines:
    """The lines of a text (split at `\\n`), one at a time, noting where each starts, whether
    the file uses CRLF, and whether a quoted line is longer than gettext's wrap width."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: array[int] = array("Q")
        self.crlf = False
        self.wide = False

    def __iter__(self) -> Iterator[str]:
        text, starts = self.text, self.starts
        position = 0
        while True:
            starts.append(position)
            end = text.find("\n", position)
            line = text[position:] if end < 0 else text[position:end]
            if position == 0:
                self.crlf = line.endswith("\r")
            if not self.wide and len(line.rstrip("\r")) > PAGE_WIDTH and '"' in line:
                self.wide = True
            yield line
            if end < 0:
                return
            position = end + 1


def _line(sk: PoSkeleton, index: int) -> str:
    end = sk.starts[index + 1] - 1 if index + 1 < len(sk.starts) else len(sk.text)
    return sk.text[sk.starts[index] : end]


def _pick(forms: dict[str, str], category: str) -> str:
    if category in forms:
        return forms[category]
    return forms.get("other", next(reversed(forms.values()), ""))
