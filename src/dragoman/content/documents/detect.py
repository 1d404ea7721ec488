"""A document upload's content checked against the format its name picked: zip formats must be
packages with their main part, text formats must be text; the real type is named otherwise.

The extension chooses the codec; these checks run before any parse so that a `.docx` that is
really a PDF, a legacy `.doc`, a password-protected file or a macro-enabled one is a 4xx that
says what the file is (libmagic, through python-magic, names what we do not recognise).
"""

from __future__ import annotations

from dataclasses import dataclass

from dragoman.content.documents.packages import Package
from dragoman.content.formats.base import Codec
from dragoman.errors import FileFormatError, ValidationError

_HEAD = 64 * 1024
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy Office, or encrypted
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
MACRO_EXTENSIONS = {
    ".docm": ".docx",
    ".dotm": ".dotx",
    ".pptm": ".pptx",
    ".potm": ".potx",
    ".ppsm": ".ppsx",
    ".xlsm": ".xlsx",
    ".xltm": ".xltx",
    ".xlsb": ".xlsx",
}


@dataclass(frozen=True, slots=True)
class ZipRule:
    """What a zip-based format must hold: its main part, or its ODF `mimetype` entry."""

    label: str  # "a Word document (DOCX)"
    main_part: str | None = None
    main_types: tuple[bytes, ...] = ()  # content types of the main part, as declared
    odf_mimetype: str | None = None


_OOXML = "[Content_Types].xml"
_ODF = "application/vnd.oasis.opendocument."
ZIP_RULES: dict[str, ZipRule] = {
    ".docx": ZipRule(
        "a Word document (DOCX)",
        main_part="word/document.xml",
        main_types=(b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"),
    ),
    ".pptx": ZipRule(
        "a PowerPoint presentation (PPTX)",
        main_part="ppt/presentation.xml",
        main_types=(b"presentationml.presentation.main+xml", b"presentationml.slideshow.main+xml"),
    ),
    ".xlsx": ZipRule(
        "an Excel workbook (XLSX)",
        main_part="xl/workbook.xml",
        main_types=(b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml"),
    ),
    ".odt": ZipRule("an OpenDocument text (ODT)", odf_mimetype=_ODF + "text"),
    ".ods": ZipRule("an OpenDocument spreadsheet (ODS)", odf_mimetype=_ODF + "spreadsheet"),
    ".odp": ZipRule("an OpenDocument presentation (ODP)", odf_mimetype=_ODF + "presentation"),
}
_LEGACY = {
    "application/msword": ("a Word 97-2003 document", ".docx"),
    "application/vnd.ms-excel": ("an Excel 97-2003 workbook", ".xlsx"),
    "application/vnd.ms-powerpoint": ("a PowerPoint 97-2003 presentation", ".pptx"),
}


def refuse_macro_extension(filename: str, suffix: str) -> None:
    """A 4xx for macro-enabled Office names (`.docm`, `.xlsm`, ...): macros never run here."""
    if suffix in MACRO_EXTENSIONS:
        raise ValidationError(
            f"{filename} is a macro-enabled document ({suffix}); macro-enabled documents are "
            f"refused: save it as {MACRO_EXTENSIONS[suffix]} without macros and upload that",
            field="file",
        )


def check(codec: Codec, filename: str, data: bytes) -> None:
    """Raise a 4xx naming the real type when `data` is not what `codec` reads."""
    rule = next((ZIP_RULES[e] for e in codec.extensions if e in ZIP_RULES), None)
    if rule is not None:
        _check_package(rule, filename, data)
    else:
        _check_text(filename, data)


def _check_package(rule: ZipRule, filename: str, data: bytes) -> None:
    if data.startswith(_CFB):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ValidationError(
                f"{filename} is encrypted (password-protected); remove the password and "
                "upload it again",
                field="file",
            )
        raise _really(filename, data, rule.label)
    if not data.startswith(_ZIP):
        raise _really(filename, data, rule.label)
    package = Package(data, what=f"document {filename}")  # count, sizes, paths, crypto, macros
    names = set(package.names)
    if rule.main_part is not None:
        if _OOXML in names and rule in _ooxml_kinds(package, names):
            package.check_prologs()
            return
    elif "mimetype" in names and package.info("mimetype").file_size <= 256:
        found = package.read("mimetype").decode("ascii", "replace").strip()
        if found == rule.odf_mimetype:
            package.check_prologs()
            return
    actual = _package_label(package, names)
    raise FileFormatError(
        f"{filename} is really {actual}, not {rule.label}; upload it with its own extension",
        field="file",
    )


def _package_label(package: Package, names: set[str]) -> str:
    """What a zip holds, named by its parts."""
    if _OOXML in names:
        kinds = _ooxml_kinds(package, names)
        if kinds:
            return kinds[0].label
        return "an Office Open XML package without a main document part"
    if "mimetype" in names and package.info("mimetype").file_size <= 256:
        found = package.read("mimetype").decode("ascii", "replace").strip()
        for rule in ZIP_RULES.values():
            if rule.odf_mimetype == found:
                return rule.label
        return f"a package of type {found[:80]!r}"
    return "a plain zip archive (application/zip)"


def _ooxml_kinds(package: Package, names: set[str]) -> list[ZipRule]:
    """The OOXML formats a package holds the main part of: by the usual part name, else by
    the main content type `[Content_Types].xml` declares (a main part stored elsewhere)."""
    found = [r for r in ZIP_RULES.values() if r.main_part is not None and r.main_part in names]
    if found or package.info(_OOXML).file_size > _HEAD:
        return found
    types = package.read(_OOXML)
    return [r for r in ZIP_RULES.values() if any(t in types for t in r.main_types)]


def _check_text(filename: str, data: bytes) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: its NULs are the encoding's
    head = data[:_HEAD]
    if b"\x00" in head or data.startswith((*_ZIP, _CFB, b"%PDF-")):
        raise _really(filename, data, "text")


def _really(filename: str, data: bytes, expected: str) -> FileFormatError:
    description, mime = describe(data)
    legacy = _LEGACY.get(mime)
    if legacy is not None:
        label, modern = legacy
        return FileFormatError(
            f"{filename} is really {label} ({mime}), not {expected}; save it as {modern} "
            "and upload that",
            field="file",
        )
    if mime == "application/octet-stream":
        return FileFormatError(
            f"{filename} is not {expected}: its content is unrecognised binary data",
            field="file",
        )
    return FileFormatError(
        f"{filename} is really {_article(description)} ({mime}), not {expected}; upload it "
        "with its own extension",
        field="file",
    )


def describe(data: bytes) -> tuple[str, str]:
    """libmagic's short description and media type of `data` (from its first 64 KiB)."""
    try:
        import magic  # lazily: libmagic is loaded only when an upload needs naming
    except ImportError:  # python-magic or libmagic1 missing: name only the common cases
        return _fallback(data)
    head = data[:_HEAD]
    try:
        description = str(magic.from_buffer(head))
        mime = str(magic.from_buffer(head, mime=True))
    except magic.MagicException:
        return _fallback(data)
    return description.split(",")[0].strip() or "data", mime or "application/octet-stream"


def _fallback(data: bytes) -> tuple[str, str]:
    if data.startswith(b"%PDF-"):
        return "PDF document", "application/pdf"
    if data.startswith(_CFB):
        return "Composite Document File V2 Document", "application/x-ole-storage"
    if data.startswith(_ZIP):
        return "Zip archive data", "application/zip"
    return "data", "application/octet-stream"


def _article(description: str) -> str:
    return ("an " if description[:1].lower() in "aeio" else "a ") + description
