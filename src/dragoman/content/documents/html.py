"""HTML and XHTML: block text and a few attributes, spliced back into the source as written.

The tree is never re-serialized: each paragraph (a run of text and inline elements between
block boundaries: `p`, `h1`-`h6`, `li`, `td`, `th`, `dt`, `dd`, `figcaption`, `caption`,
`blockquote`, `label`, `button`, `option`, `title`, a `div`'s loose text, ...) knows its span in
the source, and only the spans of changed paragraphs, of changed attribute values and of the
`lang` markers are replaced; every other byte stays as it came (entities, whitespace, case).

Inline elements inside a paragraph are paired tags (`<b>`, `<a href>` with its attributes,
`<span>`, ...); `<br>`, `<img>`, `<input>`, comments and untranslatable inline elements
(`code`, `kbd`, `samp`, `var`, `svg`, `script`, `translate="no"`, `class="notranslate"`) are
empty tags; an element that wraps a whole paragraph (`<li><a>Home</a></li>`) stays outside it.
Whitespace runs read as one space. `title`, `alt`, `placeholder`, `aria-label`, the `value` of
submit buttons and `<meta name="description">` (and `og:`/`twitter:` title and description)
`content` are one unit each. `script`, `style`, `pre`, `textarea`, `template` and
`translate="no"` subtrees are never units.
"""

from __future__ import annotations

import codecs
import html
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dragoman.content.documents import htmltree
from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.htmlflow import Flow, flows, never_translated, render_flow
from dragoman.content.documents.inline import plain
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
_META_TEXT = frozenset(
    {"description", "og:title", "og:description", "twitter:title", "twitter:description"}
)
_BUTTON_TYPES = frozenset({"submit", "button", "reset"})
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\n\r\f]+")
MAX_DEPTH = 512
_ERRORS = "dragoman-html"


def _encode_errors(error: UnicodeError) -> tuple[str | bytes, int]:
    """Bytes that did not decode go back as they were; characters the document's encoding
    lacks (a translation into another script) are written as character references."""
    assert isinstance(error, UnicodeEncodeError)
    bad = error.object[error.start : error.end]
    if all("\udc80" <= char <= "\udcff" for char in bad):
        return bytes(ord(char) - 0xDC00 for char in bad), error.end
    return "".join(f"&#{ord(char)};" for char in bad), error.end


codecs.register_error(_ERRORS, _encode_errors)


@dataclass(frozen=True, slots=True)
class Fragment:
    """What `render` needs: the source text, the flows and attributes by paragraph id, and
    the spans of language markers to set."""

    source: str
    flows: Mapping[str, Flow]
    attributes: Mapping[str, htmltree.Attribute]
    languages: tuple[htmltree.Attribute, ...]
    insert_lang: int  # where to add ` lang="…"` when the <html> tag has none (-1: nowhere)
    xml: bool


def extract(
    source: str, prefix: str = "", *, document: bool = True
) -> tuple[list[Paragraph], Fragment]:
    """The paragraphs of an HTML text (ids `prefix` + a number, in source order) and the
    fragment to render them back with; `document` False skips the `<html lang>` markers."""
    root = htmltree.parse(source, max_depth=MAX_DEPTH)
    found: list[tuple[int, Paragraph | None, Flow | htmltree.Attribute]] = []
    for flow in flows(source, root):
        found.append((flow.start, Paragraph("", flow.text, context=(flow.tag,)), flow))
    html_element: htmltree.Element | None = None
    for element in _translatable_elements(root):
        if element.tag == "html":
            html_element = html_element or element
        spans = htmltree.attribute_spans(source, element)
        for name in _attribute_names(element):
            span = spans.get(name)
            if span is None:
                continue
            value = _SPACE.sub(" ", html.unescape(source[span.start : span.end])).strip()
            if value:
                context = (f"{element.tag}@{name}",)
                text = html.escape(value, quote=False)
                found.append(
                    (span.start, Paragraph("", text, context=context, segment=False), span)
                )
    found.sort(key=lambda item: item[0])
    paragraphs: list[Paragraph] = []
    by_flow: dict[str, Flow] = {}
    by_attribute: dict[str, htmltree.Attribute] = {}
    for number, (_start, paragraph, target) in enumerate(found, 1):
        assert paragraph is not None
        paragraph_id = f"{prefix}{number}"
        paragraphs.append(
            Paragraph(paragraph_id, paragraph.text, paragraph.context, None, paragraph.segment)
        )
        if isinstance(target, Flow):
            by_flow[paragraph_id] = target
        else:
            by_attribute[paragraph_id] = target
    languages: list[htmltree.Attribute] = []
    insert_lang = -1
    xml = source.lstrip().startswith("<?xml")
    if document and html_element is not None:
        spans = htmltree.attribute_spans(source, html_element)
        languages = [spans[n] for n in ("lang", "xml:lang") if n in spans]
        xml = xml or "xmlns" in spans
        if not languages:
            insert_lang = html_element.start + len("<html")
    if document:
        languages.extend(_content_language(source, root))
    return paragraphs, Fragment(source, by_flow, by_attribute, tuple(languages), insert_lang, xml)


def render(fragment: Fragment, texts: Mapping[str, str], target_locale: str | None) -> str:
    """The fragment's text with `texts` put back and its language markers set."""
    source = fragment.source
    attribute_edits: list[tuple[int, int, str]] = []
    for paragraph_id, tagged in texts.items():
        span = fragment.attributes.get(paragraph_id)
        if span is not None:
            value = plain(tagged)
            attribute_edits.append(_attribute_edit(span, value, fragment.xml))
    if target_locale is not None:
        attribute_edits.extend(
            _attribute_edit(span, target_locale, fragment.xml) for span in fragment.languages
        )
        if fragment.insert_lang >= 0:
            attrs = f' lang="{target_locale}"' + (
                f' xml:lang="{target_locale}"' if fragment.xml else ""
            )
            attribute_edits.append((fragment.insert_lang, fragment.insert_lang, attrs))
    attribute_edits.sort()
    edits = sorted(
        (flow.start, flow.end, render_flow(source, flow, texts[key], attribute_edits, fragment.xml))
        for key, flow in fragment.flows.items()
        if key in texts
    )
    starts = [edit[0] for edit in edits]
    for edit in attribute_edits:  # those inside a rewritten flow were applied by render_flow
        index = bisect_right(starts, edit[0]) - 1
        if index < 0 or not (edits[index][0] <= edit[0] and edit[1] <= edits[index][1]):
            edits.append(edit)
    edits.sort(key=lambda edit: edit[:2])
    out: list[str] = []
    position = 0
    for start, end, replacement in edits:
        out.append(source[position:start])
        out.append(replacement)
        position = end
    out.append(source[position:])
    return "".join(out)


def _attribute_edit(span: htmltree.Attribute, value: str, xml: bool) -> tuple[int, int, str]:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("\xa0", "&#160;" if xml else "&nbsp;")
    if span.quote == "'":
        return span.start, span.end, escaped.replace("'", "&#39;")
    escaped = escaped.replace('"', "&quot;")
    return (span.start, span.end, escaped) if span.quote else (span.start, span.end, f'"{escaped}"')


def _attribute_names(element: htmltree.Element) -> list[str]:
    names = [n for n in _ATTRIBUTES if n in element.attrs]
    if element.tag == "meta":
        kind = (element.attrs.get("name") or element.attrs.get("property") or "").lower()
        if kind in _META_TEXT:
            names.append("content")
    elif element.tag == "input" and (element.attrs.get("type") or "").lower() in _BUTTON_TYPES:
        names.append("value")
    return names


def _translatable_elements(root: htmltree.Element) -> list[htmltree.Element]:
    """Every element whose attributes may be translated, in source order: none inside a
    `translate="no"` subtree, and only the element itself of a `textarea`, `code`, ..."""
    out: list[htmltree.Element] = []
    todo: list[htmltree.Element] = [root]
    while todo:
        element = todo.pop()
        if element is not root:
            if _declined(element):
                continue
            out.append(element)
            if never_translated(element):
                continue
        todo.extend(c for c in reversed(element.children) if isinstance(c, htmltree.Element))
    return out


def _declined(element: htmltree.Element) -> bool:
    if (element.attrs.get("translate") or "").strip().lower() == "no":
        return True
    return "notranslate" in (element.attrs.get("class") or "").split()


def _content_language(source: str, root: htmltree.Element) -> list[htmltree.Attribute]:
    out = []
    for element in _translatable_elements(root):
        if (
            element.tag == "meta"
            and (element.attrs.get("http-equiv") or "").lower() == "content-language"
        ):
            span = htmltree.attribute_spans(source, element).get("content")
            if span is not None:
                out.append(span)
    return out


class HtmlCodec(DocumentCodec):
    """`.html`, `.htm`, `.xhtml`: block text and attributes, spliced into the source."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml")
    media_types = ("text/html", "application/xhtml+xml")

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        encoding, bom = _encoding(data)
        text = data[len(bom) :].decode(encoding, errors="surrogateescape")
        if "\x00" in text:
            raise FileFormatError("the HTML holds NUL characters: is it really an HTML file?")
        paragraphs, fragment = extract(text)
        return paragraphs, (encoding, bom, fragment)

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        encoding, bom, fragment = skeleton
        assert isinstance(fragment, Fragment) and isinstance(bom, bytes)
        out = render(fragment, texts, target_locale)
        return bom + out.encode(encoding, errors=_ERRORS)


def _encoding(data: bytes) -> tuple[str, bytes]:
    """The document's encoding (BOM, then `<meta charset>`, then UTF-8 if it decodes, else
    Windows-1252) and its BOM."""
    for bom, name in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return name, bom
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            name = ""
        if name and not name.startswith("utf-16"):
            return ("cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name), b""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", b""
    return "utf-8", b""
