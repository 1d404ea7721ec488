"""Codecs by name, and the one that fits a file (format override, extension, then sniff)."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import PurePosixPath

from dragoman.content.formats.base import Codec
from dragoman.content.model import ArtifactKind
from dragoman.errors import UnsupportedFormatError

# name -> "module:Class", imported on first use so the server loads only what it needs.
CODECS: dict[str, str] = {
    "structured": "dragoman.content.formats.structured:StructuredCodec",
    "json": "dragoman.content.formats.jsonfile:JsonCodec",
    "i18next": "dragoman.content.formats.jsonfile:I18nextCodec",
    "arb": "dragoman.content.formats.arb:ArbCodec",
    "yaml": "dragoman.content.formats.yamlfile:YamlCodec",
    "po": "dragoman.content.formats.po:PoCodec",
    "pot": "dragoman.content.formats.po:PotCodec",
    "properties": "dragoman.content.formats.properties:PropertiesCodec",
    "strings": "dragoman.content.formats.strings:StringsCodec",
    "stringsdict": "dragoman.content.formats.stringsdict:StringsdictCodec",
    "xcstrings": "dragoman.content.formats.xcstrings:XcstringsCodec",
    "android": "dragoman.content.formats.android:AndroidCodec",
    "xliff": "dragoman.content.formats.xliff:XliffCodec",
    "resx": "dragoman.content.formats.resx:ResxCodec",
    "ts": "dragoman.content.formats.qt:QtTsCodec",
    "csv": "dragoman.content.formats.csvfile:CsvCodec",
    # Documents (content/documents/): paragraphs split into sentences with inline tags.
    "text": "dragoman.content.documents.text:TextCodec",
    "html": "dragoman.content.documents.html:HtmlCodec",
    "markdown": "dragoman.content.documents.markdown:MarkdownCodec",
    "srt": "dragoman.content.documents.subtitles:SrtCodec",
    "vtt": "dragoman.content.documents.subtitles:VttCodec",
    "docx": "dragoman.content.documents.docx:DocxCodec",
    "pptx": "dragoman.content.documents.pptx:PptxCodec",
    "xlsx": "dragoman.content.documents.xlsx:XlsxCodec",
    "odt": "dragoman.content.documents.odf:OdtCodec",
    "ods": "dragoman.content.documents.odf:OdsCodec",
    "odp": "dragoman.content.documents.odf:OdpCodec",
}
# Extension -> candidate formats, sniffed in order, the last one the fallback; kept here so
# that picking a codec imports only that codec (a contract test checks the codecs agree).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".json": ("i18next", "json"),
    ".arb": ("arb",),
    ".yml": ("yaml",),
    ".yaml": ("yaml",),
    ".po": ("po",),
    ".pot": ("pot",),
    ".properties": ("properties",),
    ".strings": ("strings",),
    ".stringsdict": ("stringsdict",),
    ".xcstrings": ("xcstrings",),
    ".xml": ("android", "resx", "xliff"),
    ".xlf": ("xliff",),
    ".xliff": ("xliff",),
    ".resx": ("resx",),
    ".ts": ("ts",),
    ".csv": ("csv",),
    ".txt": ("text",),
    ".text": ("text",),
    ".html": ("html",),
    ".htm": ("html",),
    ".xhtml": ("html",),
    ".md": ("markdown",),
    ".markdown": ("markdown",),
    ".srt": ("srt",),
    ".vtt": ("vtt",),
    ".docx": ("docx",),
    ".pptx": ("pptx",),
    ".xlsx": ("xlsx",),
    ".odt": ("odt",),
    ".ods": ("ods",),
    ".odp": ("odp",),
}
_HEAD = 4096


@cache
def get(name: str) -> Codec:
    """The codec called `name`; UnsupportedFormatError lists the known ones."""
    target = CODECS.get(name)
    if target is None:
        raise UnsupportedFormatError(
            f"unknown format {name!r}; known formats: {', '.join(sorted(CODECS))}",
            field="format",
        )
    module, cls = target.split(":")
    codec: Codec = getattr(importlib.import_module(module), cls)()
    return codec


def names() -> list[str]:
    """Every file format this server reads (the structured JSON object excluded)."""
    return sorted(n for n in CODECS if n != "structured")


def for_file(filename: str | None, data: bytes, override: str | None = None) -> Codec:
    """The codec for an uploaded file: `override` if given, else by extension and content."""
    if override:
        return _checked(get(override), filename, data)
    suffix = PurePosixPath(filename or "").suffix.lower()
    candidates = EXTENSIONS.get(suffix)
    if candidates:
        head = data[:_HEAD]
        for name in candidates[:-1]:
            if get(name).sniff(head):
                return get(name)
        return _checked(get(candidates[-1]), filename, data)
    from dragoman.content.documents import detect  # names macro-enabled Office files

    detect.refuse_macro_extension(filename or "the upload", suffix)
    raise UnsupportedFormatError(
        f"cannot tell the format of {filename or 'the upload'!r} from its extension "
        f"{suffix or '(none)'!r}; name one of: {', '.join(names())}",
        field="format",
    )


def _checked(codec: Codec, filename: str | None, data: bytes) -> Codec:
    """`codec`, once a document's content is seen to agree with it (documents/detect.py)."""
    if codec.kind is ArtifactKind.DOCUMENT:
        from dragoman.content.documents import detect  # lxml, libmagic: only for documents

        detect.check(codec, filename or "the upload", data)
    return codec
