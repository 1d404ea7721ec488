"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp): one codec for all three.

Paragraphs and headings everywhere in `content.xml` (body, tables, lists, frames and text
boxes, notes, annotations, presentation notes), the headers, footers and master pages of
`styles.xml`, image titles and descriptions (`svg:title`, `svg:desc`) and the document title
in `meta.xml`. Spreadsheet cells are translated only when they hold a string (never a number,
date, boolean or a formula's result). The language of styles (`fo:language`, `fo:country`)
follows the target; Asian and complex-script languages are left as they are.

Spreadsheet sheet names (`table:table/@table:name`) are deliberately not translated, unlike
XLSX's. OpenFormula references themselves would be easy to rename (`[$'Sheet Name'.A1]`,
`[.B2:.B4]`: bracketed, quotes doubled). The risk is everywhere else a sheet is named: bare
cell-range addresses (`$Sheet1.$A$1:.$A$3`, quoting optional) in named ranges, validations,
conditional formats (`calcext:`), database and data-pilot ranges, print ranges, scenarios,
form controls (`form:linked-cell`), `xlink:href="#Sheet1.A1"`, embedded charts
(`Object N/content.xml`: `chart:values-cell-range-address`, `draw:notify-on-update-of-ranges`),
formulas in other dialects (`msoxl:=Sheet1!A1`, `ooow:`) and the per-sheet view settings of
`settings.xml`. One place missed turns data into #REF! or empties a chart silently, which is
worse than an untranslated tab name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dragoman.content.documents import _odfinline
from dragoman.content.documents._richtext import clean
from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.inline import escape, plain
from dragoman.content.documents.packages import Package, parse_xml, serialize_xml, write_package
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_TEXT = _odfinline.TEXT
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_P, _H = f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"
_TITLE, _DESC = f"{{{_SVG}}}title", f"{{{_SVG}}}desc"
_CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
_ANNOTATION = f"{{{_OFFICE}}}annotation"
_VALUE_TYPE, _STRING_VALUE = f"{{{_OFFICE}}}value-type", f"{{{_OFFICE}}}string-value"
_FORMULA = f"{{{_TABLE}}}formula"
_TEXT_PROPERTIES = f"{{{_STYLE}}}text-properties"
_LANGUAGE, _COUNTRY = f"{{{_FO}}}language", f"{{{_FO}}}country"
_RFC_TAG = f"{{{_STYLE}}}rfc-language-tag"
_PARTS = (("content.xml", "c"), ("styles.xml", "s"))
_META = "meta.xml"
_REGION = re.compile(r"^(?:[A-Za-z]{2}|\d{3})$")


@dataclass(frozen=True, slots=True)
class _Document:
    """What `write` needs: the archive, the raw parts it may change, each paragraph's
    payloads."""

    data: bytes
    infos: tuple[Any, ...]
    parts: Mapping[str, bytes]
    payloads: Mapping[str, Mapping[int, Any]]  # paragraph id -> tag payloads


class OdfCodec(DocumentCodec):
    """OpenDocument packages: paragraphs of content.xml and styles.xml, the title of
    meta.xml."""

    name = "odt"

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        package = Package(data, what="document")
        if "content.xml" not in package:
            raise FileFormatError("the document has no content.xml: is it really OpenDocument?")
        parts: dict[str, bytes] = {}
        paragraphs: list[Paragraph] = []
        payloads: dict[str, Mapping[int, Any]] = {}
        if _META in package:
            parts[_META] = package.read(_META)
            title = parse_xml(parts[_META], _META).find(f".//{{{_DC}}}title")
            if title is not None and (title.text or "").strip():
                paragraphs.append(Paragraph("m", escape(title.text or ""), segment=False))
        for part, prefix in _PARTS:
            if part not in package:
                continue
            parts[part] = package.read(part)
            for index, element in enumerate(_items(parse_xml(parts[part], part), part)):
                found: dict[int, Any]
                if element.tag in (_TITLE, _DESC):
                    text, found = escape(element.text or ""), {}
                elif _in_value_cell(element):
                    continue
                else:
                    text, found = _odfinline.read(element)
                if plain(text).strip():
                    pid = f"{prefix}{index}"
                    paragraphs.append(Paragraph(pid, text, context=(part,)))
                    payloads[pid] = found
        return paragraphs, _Document(data, tuple(package.infos), parts, payloads)

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Document)
        replaced: dict[str, bytes] = {}
        for part, prefix in _PARTS:
            if part not in skeleton.parts:
                continue
            root = parse_xml(skeleton.parts[part], part)
            changed = _set_language(root, target_locale)
            wanted = {int(pid[1:]): tagged for pid, tagged in texts.items() if pid[0] == prefix}
            if wanted:
                items = _items(root, part)
                for index, tagged in sorted(wanted.items()):
                    _put(items[index], tagged, skeleton.payloads[f"{prefix}{index}"])
                changed = True
            if changed:
                replaced[part] = serialize_xml(root)
        if _META in skeleton.parts:
            meta = _write_meta(skeleton.parts[_META], texts.get("m"), target_locale)
            if meta is not None:
                replaced[_META] = meta
        return write_package(skeleton.data, skeleton.infos, replaced)


class OdtCodec(OdfCodec):
    """`.odt`: OpenDocument text."""

    name = "odt"
    extensions = (".odt",)
    media_types = ("application/vnd.oasis.opendocument.text",)


class OdsCodec(OdfCodec):
    """`.ods`: OpenDocument spreadsheets (string cells only)."""

    name = "ods"
    extensions = (".ods",)
    media_types = ("application/vnd.oasis.opendocument.spreadsheet",)


class OdpCodec(OdfCodec):
    """`.odp`: OpenDocument presentations (slides, text boxes, notes)."""

    name = "odp"
    extensions = (".odp",)
    media_types = ("application/vnd.oasis.opendocument.presentation",)


def _items(root: etree._Element, part: str) -> list[etree._Element]:
    """Paragraphs, headings and image titles/descriptions of a part, in document order
    (in styles.xml only those of the master pages: headers, footers, slide masters)."""
    master = part == "styles.xml"
    scopes = list(root.iter(f"{{{_OFFICE}}}master-styles")) if master else [root]
    return [e for scope in scopes for e in scope.iter(_P, _H, _TITLE, _DESC)]


def _in_value_cell(paragraph: etree._Element) -> bool:
    """True for the text a spreadsheet shows for a number, date, boolean or formula."""
    node = paragraph.getparent()
    while node is not None:
        if node.tag in _CELLS:
            kind = node.get(_VALUE_TYPE)
            return (kind is not None and kind != "string") or node.get(_FORMULA) is not None
        if node.tag == _ANNOTATION:
            return False
        node = node.getparent()
    return False


def _put(element: etree._Element, tagged: str, payloads: Mapping[int, Any]) -> None:
    if element.tag in (_TITLE, _DESC):
        element.text = clean(plain(tagged))
        return
    _odfinline.write(element, tagged, payloads)
    cell = element.getparent()
    if cell is not None and cell.tag in _CELLS and cell.get(_STRING_VALUE) is not None:
        del cell.attrib[_STRING_VALUE]  # the cell's value is now its text


def _language(locale: str) -> tuple[str, str]:
    """(fo:language, fo:country) of a locale: `pt-BR` -> (pt, BR), `es` -> (es, none)."""
    parts = locale.replace("_", "-").split("-")
    region = next((p.upper() for p in parts[1:] if _REGION.match(p)), "none")
    return parts[0].lower(), region


def _set_language(root: etree._Element, locale: str) -> bool:
    """Western-language text properties set to `locale` (`zxx`, no language, kept); True
    when something changed."""
    language, country = _language(locale)
    changed = False
    for props in root.iter(_TEXT_PROPERTIES):
        current = props.get(_LANGUAGE)
        if current is None or current in ("zxx", "none"):
            continue
        if current != language or props.get(_COUNTRY) != country:
            props.set(_LANGUAGE, language)
            props.set(_COUNTRY, country)
            changed = True
        if props.get(_RFC_TAG) not in (None, locale):
            props.set(_RFC_TAG, locale)
            changed = True
    return changed


def _write_meta(raw: bytes, title: str | None, locale: str) -> bytes | None:
    root = parse_xml(raw, _META)
    changed = False
    if title is not None:
        found = root.find(f".//{{{_DC}}}title")
        if found is not None:
            found.text = clean(plain(title))
            changed = True
    language = root.find(f".//{{{_DC}}}language")
    if language is not None and language.text != locale:
        language.text = locale
        changed = True
    return serialize_xml(root) if changed else None
