"""Excel workbooks (.xlsx): text cells (shared and inline strings), sheet names, comments
(legacy and threaded), drawings (text boxes, alt text), chart and axis titles and the document
title; never formulas, their cached results, numbers, dates, booleans or errors.

A shared string is one paragraph however many cells show it; it is translated when at least
one cell without a formula shows it. A renamed sheet is renamed in formulas, defined names,
data validations, hyperlinks, charts and pivot caches too; table column names follow their
translated header cells.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dragoman.content.documents import _drawingml, _richtext, _sheetnames, _xlsxparts
from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.inline import escape, plain
from dragoman.content.documents.packages import Package, parse_xml, serialize_xml, write_package
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
         "http://purl.oclc.org/ooxml/spreadsheetml/main")  # fmt: skip
_REL_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DC = "{http://purl.org/dc/elements/1.1/}"
_VT_LPSTR = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}lpstr"
_FORMULAS = {"f", "formula", "formula1", "formula2"}
_REFERRING = re.compile(r"xl/(charts/chart|pivotCache/pivotCacheDefinition)[^/]*\.xml\Z")
_TABLES = re.compile(r"xl/tables/[^/]*\.xml\Z")
_CORE = "docProps/core.xml"
_APP = "docProps/app.xml"


@dataclass(frozen=True, slots=True)
class _Book:
    """What `write` needs: the archive, the parts it may change (raw), where each paragraph
    lives and how its rich text is rebuilt."""

    data: bytes
    infos: tuple[Any, ...]
    parts: Mapping[str, bytes]
    workbook: str
    shared: str | None
    sheets: tuple[tuple[str, str], ...]  # (name, part), in workbook order
    rich: Mapping[str, _richtext.Rich]
    places: Mapping[str, tuple[str, int]]  # paragraph id -> (part, ordinal of its element)
    texts: Mapping[str, str]  # paragraph id -> original tagged text
    blocks: Mapping[str, str]  # drawing or chart part -> "drawing" or "chart"
    threaded: Mapping[str, Mapping[int, object]]  # threaded comment id -> payloads
    # a legacy comment standing for a thread -> (threaded comment id, its text), in order
    fallbacks: Mapping[tuple[str, int], tuple[tuple[str, str], ...]]


class XlsxCodec(DocumentCodec):
    """`.xlsx`: Office Open XML workbooks."""

    name = "xlsx"
    extensions = (".xlsx",)
    media_types = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        package = Package(data, what="workbook")
        parts: dict[str, bytes] = {}
        workbook = _workbook_part(package)
        parts[workbook] = package.read(workbook)
        root = parse_xml(parts[workbook], workbook)
        main = _namespace(root)
        targets = _relationships(package, workbook)
        paragraphs: list[Paragraph] = []
        rich: dict[str, _richtext.Rich] = {}
        places: dict[str, tuple[str, int]] = {}

        def add(pid: str, text: str, place: tuple[str, int], info: _richtext.Rich | None = None,
                **extra: Any) -> None:  # fmt: skip
            if plain(text).strip():
                paragraphs.append(Paragraph(pid, text, **extra))
                places[pid] = place
                if info is not None:
                    rich[pid] = info

        if _CORE in package:
            parts[_CORE] = package.read(_CORE)
            title = parse_xml(parts[_CORE], _CORE).find(f"{_DC}title")
            if title is not None and title.text:
                add("title", escape(title.text), (_CORE, 0), segment=False)
        shared = next((t for t, kind in targets.values() if kind == "sharedStrings"), None)
        sheets: list[tuple[str, str]] = []
        for sheet in root.iter(f"{{{main}}}sheet"):
            rel = next((sheet.get(a) for a in _REL_ID if sheet.get(a)), None)
            target = targets.get(rel or "")
            if target is not None and target[1] == "worksheet" and target[0] in package:
                sheets.append((sheet.get("name") or "", target[0]))
        used: dict[int, str] = {}  # shared string index -> the first cell showing it
        for number, (name, part) in enumerate(sheets):
            add(f"sheet{number}", escape(name), (workbook, number), segment=False,
                max_length=_sheetnames.MAX_LENGTH, context=("sheet name",))  # fmt: skip
            parts[part] = package.read(part)
            sheet_root = parse_xml(parts[part], part)
            for ordinal, (cell, kind) in enumerate(_text_cells(sheet_root, main)):
                if kind == "s":
                    value = cell.find(f"{{{main}}}v")
                    index = _index(value.text if value is not None else None, part)
                    used.setdefault(index, f"{name}!{cell.get('r', '')}")
                    continue
                holder = cell.find(f"{{{main}}}is")
                if holder is not None:
                    text, info = _richtext.read(holder)
                    where = (f"{name}!{cell.get('r', '')}",)
                    add(f"i{number}.{ordinal}", text, (part, ordinal), info, context=where)
        if shared is not None and shared in package:
            parts[shared] = package.read(shared)
            items = list(parse_xml(parts[shared], shared).iter(f"{{{main}}}si"))
            for index in used:
                if index < len(items):
                    text, info = _richtext.read(items[index])
                    add(f"s{index}", text, (shared, index), info, context=(used[index],))
        blocks: dict[str, str] = {}
        threaded: dict[str, Mapping[int, object]] = {}
        fallbacks: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}
        seen: set[str] = set()
        holders = [part for _, part in sheets] + _chartsheets(package, root, targets)
        for sheet_part in holders:
            related = _relationships(package, sheet_part).values()
            threads: dict[str, list[tuple[str, str]]] = {}  # ref -> the thread's texts
            for part in [t for t, kind in related if kind == "threadedComment"]:
                if part in seen or part not in package:
                    continue
                seen.add(part)
                parts[part] = package.read(part)
                tree = parse_xml(parts[part], part)
                found = _xlsxparts.threaded_comments(tree)
                elements = list(tree.iter(_xlsxparts.THREADED))
                roots = {c.ident: c.ref for c in found if not c.parent}
                for comment in found:
                    pid = f"t{part}#{comment.ordinal}"
                    text, payloads = _xlsxparts.read_threaded(elements[comment.ordinal])
                    add(pid, text, (part, comment.ordinal), context=("comment", comment.ref))
                    threaded[pid] = payloads
                    ref = roots.get(comment.parent, comment.ref)
                    threads.setdefault(ref, []).append((pid, comment.text))
            for part in [t for t, kind in related if kind == "comments"]:
                if part in seen or part not in package:
                    continue
                seen.add(part)
                parts[part] = package.read(part)
                comments = parse_xml(parts[part], part).iter(f"{{{main}}}comment")
                for ordinal, comment in enumerate(comments):
                    holder = comment.find(f"{{{main}}}text")
                    if holder is None:
                        continue
                    text, info = _richtext.read(holder)
                    pid = f"c{part}#{ordinal}"
                    thread = threads.get(comment.get("ref", ""), [])
                    written = "".join(t.text or "" for t in holder.iter(f"{{{main}}}t"))
                    swaps = [(old, old) for _, old in thread]
                    if thread and _xlsxparts.replace_in_order(written, swaps) is not None:
                        fallbacks[(part, ordinal)] = tuple(thread)
                        rich[pid] = info
                        continue
                    context = ("comment", comment.get("ref", ""))
                    add(pid, text, (part, ordinal), info, context=context)
            for drawing in [t for t, kind in related if kind == "drawing"]:
                charts = [t for t, kind in _relationships(package, drawing).values()
                          if kind == "chart"]  # fmt: skip
                for part, kind in [(drawing, "drawing")] + [(c, "chart") for c in charts]:
                    if part in blocks or part not in package:
                        continue
                    blocks[part] = kind
                    parts[part] = package.read(part)
                    found_blocks = _xlsxparts.blocks(kind, parse_xml(parts[part], part))
                    for index, block in enumerate(found_blocks):
                        text, segmented = _xlsxparts.block_text(block)
                        add(f"d{part}#{index}", text, (part, index), segment=segmented,
                            context=(part,))  # fmt: skip
        for name in package.names:
            if _REFERRING.match(name) or _TABLES.match(name) or name == _APP:
                parts[name] = package.read(name)
        book = _Book(
            data, tuple(package.infos), parts, workbook, shared, tuple(sheets), rich, places,
            {p.id: p.text for p in paragraphs}, blocks, threaded, fallbacks,
        )  # fmt: skip
        return paragraphs, book

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Book)
        book = skeleton
        trees = _Trees(book.parts)
        by_part: dict[str, dict[int, str]] = {}
        for pid in texts:
            if pid in book.places and not pid.startswith("sheet"):
                part, ordinal = book.places[pid]
                by_part.setdefault(part, {})[ordinal] = pid
        new_threads: dict[str, str] = {}
        for part, wanted in by_part.items():
            root = trees.change(part)
            if part == _CORE:
                title = root.find(f"{_DC}title")
                if title is not None:
                    title.text = _richtext.clean(plain(texts["title"]))
                continue
            if part in book.blocks:
                found = _xlsxparts.blocks(book.blocks[part], root)
                for ordinal, pid in wanted.items():
                    _xlsxparts.write_block(found[ordinal], texts[pid])
                continue
            if next(iter(wanted.values())) in book.threaded:
                elements = list(root.iter(_xlsxparts.THREADED))
                for ordinal, pid in wanted.items():
                    new_threads[pid] = _xlsxparts.write_threaded(
                        elements[ordinal], texts[pid], book.threaded[pid]
                    )
                continue
            main = _namespace(root)
            if part == book.shared:
                holders = list(root.iter(f"{{{main}}}si"))
            elif next(iter(wanted.values())).startswith("c"):  # a comments part
                holders = [c.find(f"{{{main}}}text") for c in root.iter(f"{{{main}}}comment")]
            else:
                holders = [c.find(f"{{{main}}}is") for c, _ in _text_cells(root, main)]
            for ordinal, pid in wanted.items():
                holder = holders[ordinal]
                if holder is not None:
                    _richtext.write(holder, texts[pid], book.rich[pid])
        _follow_threads(book, new_threads, trees)
        for part in book.blocks:
            raw = book.parts[part]
            if b"lang" in raw and _drawingml.set_language(trees.get(part), target_locale,
                                                          add=False):  # fmt: skip
                trees.mark(part)
        renamed = _rename_sheets(book, texts)
        if renamed:
            _apply_renames(book, renamed, trees)
        _rename_table_columns(book, texts, trees)
        if _CORE in book.parts:
            language = parse_xml(book.parts[_CORE], _CORE).find(f"{_DC}language")
            if language is not None and language.text != target_locale:
                found = trees.change(_CORE).find(f"{_DC}language")
                assert found is not None
                found.text = target_locale
        return write_package(book.data, book.infos, trees.serialized())


class _Trees:
    """Parts parsed for writing, each from its raw bytes (the skeleton is never touched);
    only parts marked changed are written."""

    def __init__(self, raw: Mapping[str, bytes]) -> None:
        self._raw = raw
        self._trees: dict[str, etree._Element] = {}
        self._changed: set[str] = set()

    def get(self, part: str) -> etree._Element:
        if part not in self._trees:
            self._trees[part] = parse_xml(self._raw[part], part)
        return self._trees[part]

    def change(self, part: str) -> etree._Element:
        self._changed.add(part)
        return self.get(part)

    def mark(self, part: str) -> None:
        self._changed.add(part)

    def serialized(self) -> dict[str, bytes]:
        return {part: serialize_xml(self._trees[part]) for part in sorted(self._changed)}


def _chartsheets(package: Package, root: etree._Element,
                 targets: Mapping[str, tuple[str, str]]) -> list[str]:  # fmt: skip
    """The chartsheet parts of the workbook, in workbook order."""
    out = []
    for sheet in root.iter(f"{{{_namespace(root)}}}sheet"):
        rel = next((sheet.get(a) for a in _REL_ID if sheet.get(a)), None)
        target = targets.get(rel or "")
        if target is not None and target[1] == "chartsheet" and target[0] in package:
            out.append(target[0])
    return out


def _follow_threads(book: _Book, new_threads: Mapping[str, str], trees: _Trees) -> None:
    """Legacy comments standing for a thread say what the translated thread says."""
    comments: dict[str, list[etree._Element]] = {}
    for (part, ordinal), thread in book.fallbacks.items():
        if not any(pid in new_threads for pid, _ in thread):
            continue
        root = trees.get(part)
        main = _namespace(root)
        if part not in comments:
            comments[part] = list(root.iter(f"{{{main}}}comment"))
        holder = comments[part][ordinal].find(f"{{{main}}}text")
        assert holder is not None
        written = "".join(t.text or "" for t in holder.iter(f"{{{main}}}t"))
        swaps = [(old, new_threads.get(pid, old)) for pid, old in thread]
        new = _xlsxparts.replace_in_order(written, swaps)
        if new is not None:
            info = book.rich[f"c{part}#{ordinal}"]
            _richtext.write(holder, escape(new), _richtext.Rich({}, info.dominant, info.runs))
            trees.mark(part)


def _text_cells(root: etree._Element, main: str) -> list[tuple[etree._Element, str]]:
    """Cells holding text of their own (a shared string `s` or an inline string), in order;
    cells with a formula are left out whatever their cached value."""
    out = []
    formula = f"{{{main}}}f"
    for cell in root.iter(f"{{{main}}}c"):
        kind = cell.get("t")
        if kind in ("s", "inlineStr") and cell.find(formula) is None:
            out.append((cell, kind))
    return out


def _index(text: str | None, part: str) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise FileFormatError(f"{part}: a shared string cell holds {text!r}") from None


def _namespace(root: etree._Element) -> str:
    tag = root.tag
    namespace = tag[1 : tag.index("}")] if tag.startswith("{") else ""
    if namespace not in _MAIN:
        raise FileFormatError(f"unexpected SpreadsheetML namespace {namespace!r}")
    return namespace


def _workbook_part(package: Package) -> str:
    if "_rels/.rels" in package:
        for rel in parse_xml(package.read("_rels/.rels"), "_rels/.rels").iter(_PKG_REL):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = str(rel.get("Target", "")).lstrip("/")
                if target in package:
                    return target
    if "xl/workbook.xml" in package:
        return "xl/workbook.xml"
    raise FileFormatError("the workbook has no xl/workbook.xml: is it really an .xlsx file?")


def _relationships(package: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (target part, type's last word) of `part`."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in package:
        return {}
    out = {}
    for rel in parse_xml(package.read(rels), rels).iter(_PKG_REL):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        out[rel.get("Id", "")] = (posixpath.normpath(path), kind)
    return out


def _rename_sheets(book: _Book, texts: Mapping[str, str]) -> dict[str, str]:
    """Old name -> new name of each sheet whose translated name is valid and unique."""
    names = [name for name, _ in book.sheets]
    wanted = {
        number: plain(texts[f"sheet{number}"])
        for number in range(len(names))
        if f"sheet{number}" in texts
    }
    return {names[n]: new for n, new in _sheetnames.valid_names(names, wanted).items()}


def _apply_renames(book: _Book, renamed: Mapping[str, str], trees: _Trees) -> None:
    workbook = trees.change(book.workbook)
    main = _namespace(workbook)
    for sheet in workbook.iter(f"{{{main}}}sheet"):
        sheet.set("name", renamed.get(sheet.get("name", ""), sheet.get("name", "")))
    for defined in workbook.iter(f"{{{main}}}definedName"):
        defined.text = _sheetnames.rename_in_formula(defined.text or "", renamed)
    folded = {old.casefold(): new for old, new in renamed.items()}
    sheet_parts = {part for _, part in book.sheets}
    for part in sorted(book.parts):
        if part not in sheet_parts and not _REFERRING.match(part):
            continue
        if not any(_mentions(book.parts[part], old) for old in renamed):
            continue
        changed = False
        for element in trees.get(part).iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            before = (element.text, element.get("location"), element.get("sheet"))
            if local in _FORMULAS and element.text:
                element.text = _sheetnames.rename_in_formula(element.text, renamed)
            elif local == "hyperlink" and element.get("location"):
                location = element.get("location", "")
                element.set("location", _sheetnames.rename_in_formula(location, renamed))
            elif local == "worksheetSource" and element.get("sheet"):
                element.set("sheet", folded.get(element.get("sheet", "").casefold(),
                                                element.get("sheet", "")))  # fmt: skip
            changed |= before != (element.text, element.get("location"), element.get("sheet"))
        if changed:
            trees.mark(part)
    if _APP in book.parts and any(_mentions(book.parts[_APP], old) for old in renamed):
        for item in trees.get(_APP).iter(_VT_LPSTR):
            if item.text in renamed:
                item.text = renamed[item.text]
                trees.mark(_APP)


def _mentions(raw: bytes, name: str) -> bool:
    escaped = escape(name)
    return escaped.encode() in raw or escaped.replace("'", "&apos;").encode() in raw


def _rename_table_columns(book: _Book, texts: Mapping[str, str], trees: _Trees) -> None:
    """A table's column name must equal its header cell's text: follow translated strings."""
    new_text = {
        plain(book.texts[pid]): plain(tagged)
        for pid, tagged in texts.items()
        if pid[0] in "si" and not pid.startswith("sheet") and pid in book.texts
    }
    if not new_text:
        return
    for part in sorted(book.parts):
        if not _TABLES.match(part):
            continue
        columns = [e for e in trees.get(part).iter() if _is_column(e)]
        names = {c.get("name", "").casefold() for c in columns}
        for column in columns:
            new = new_text.get(column.get("name", ""))
            if new and "\n" not in new and new.casefold() not in names:
                names.add(new.casefold())
                column.set("name", _richtext.clean(new))
                trees.mark(part)


def _is_column(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag.endswith("}tableColumn")
