"""Content checks of document uploads: the extension picks the codec, the bytes must agree,
and a mismatch names what the file really is (libmagic through python-magic)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from odf.element import Element
from odf.opendocument import OpenDocument, OpenDocumentSpreadsheet, OpenDocumentText
from odf.text import P

from dragoman.content.documents import detect
from dragoman.content.documents.text import TextCodec
from dragoman.content.formats import registry
from dragoman.content.model import ArtifactKind
from dragoman.errors import FileFormatError, UnsupportedFormatError, ValidationError


def codec_for(*extensions: str) -> TextCodec:
    """A document codec that claims `extensions` (only `extensions` matters to `check`)."""
    kind = type("Claimed", (TextCodec,), {"extensions": extensions})
    codec: TextCodec = kind()
    return codec


DOCX, PPTX, XLSX = codec_for(".docx"), codec_for(".pptx"), codec_for(".xlsx")
ODT, ODS, HTML = codec_for(".odt"), codec_for(".ods"), codec_for(".html", ".htm")


def a_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Hello world.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def an_odf(document: OpenDocument) -> bytes:
    if isinstance(getattr(document, "text", None), Element):
        document.text.addElement(P(text="Hello"))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91\x68\x36"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_real_docx_passes() -> None:
    detect.check(DOCX, "report.docx", a_docx())


def test_real_odf_files_pass() -> None:
    detect.check(ODT, "report.odt", an_odf(OpenDocumentText()))
    detect.check(ODS, "sheet.ods", an_odf(OpenDocumentSpreadsheet()))


def test_a_docx_that_is_really_a_pdf_names_the_pdf() -> None:
    with pytest.raises(FileFormatError) as caught:
        detect.check(DOCX, "report.docx", PDF)
    message = caught.value.message
    assert message.startswith("report.docx is really a PDF document (application/pdf)")
    assert "upload it with its own extension" in message
    assert caught.value.status_code == 422 and caught.value.field == "file"


def test_a_pptx_that_is_really_a_docx_is_named_by_its_parts() -> None:
    with pytest.raises(FileFormatError, match=r"is really a Word document \(DOCX\)"):
        detect.check(PPTX, "deck.pptx", a_docx())


def test_an_odt_that_is_really_a_spreadsheet_is_named_by_its_mimetype() -> None:
    with pytest.raises(FileFormatError, match=r"really an OpenDocument spreadsheet \(ODS\)"):
        detect.check(ODT, "letter.odt", an_odf(OpenDocumentSpreadsheet()))


def test_a_zip_without_the_main_part_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileFormatError, match="plain zip archive"):
        detect.check(XLSX, "book.xlsx", out.getvalue())


def test_a_legacy_word_file_is_told_to_save_as_docx() -> None:
    # A minimal OLE compound file header: libmagic reads the CFB signature.
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"W\0o\0r\0d\0" + bytes(1024)
    with pytest.raises(FileFormatError, match=r"report\.docx is really"):
        detect.check(DOCX, "report.docx", legacy)


def test_an_encrypted_office_file_asks_for_the_password_to_be_removed() -> None:
    encrypted = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(50)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(512)
    )
    with pytest.raises(ValidationError, match="encrypted"):
        detect.check(DOCX, "secret.docx", encrypted)


def test_binary_junk_is_not_a_docx() -> None:
    with pytest.raises(FileFormatError, match="unrecognised binary data"):
        detect.check(DOCX, "report.docx", bytes([0x13, 0x37, 0, 1, 2, 3]) * 100)


@pytest.mark.parametrize(
    ("content", "real"),
    [
        (PDF, "PDF document"),
        (PNG, "PNG image data"),
        (a_docx(), "(application/vnd.openxmlformats-officedocument.wordprocessingml.document)"),
    ],
)
def test_a_text_format_that_is_really_binary_names_the_real_type(content: bytes, real: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        detect.check(HTML, "page.html", content)
    assert caught.value.message.startswith("page.html is really")
    assert real in caught.value.message and "not text" in caught.value.message


def test_text_passes_in_utf8_latin1_and_utf16() -> None:
    detect.check(HTML, "page.html", b"<html><body><p>Hello</p></body></html>")
    detect.check(HTML, "page.html", "Caf\u00e9".encode("latin-1"))
    detect.check(HTML, "page.html", "\ufeffHello".encode("utf-16-le"))


def test_unknown_binary_in_a_text_format_is_binary_data() -> None:
    with pytest.raises(FileFormatError, match="unrecognised binary data"):
        detect.check(HTML, "page.html", bytes([0x13, 0x37, 0, 1, 2, 3]) * 100)


@pytest.mark.parametrize("name", ["report.docm", "deck.pptm", "book.XLSM", "book.xlsb"])
def test_macro_enabled_extensions_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="macro-enabled") as caught:
        registry.for_file(name, b"PK\x03\x04 whatever")
    assert not isinstance(caught.value, UnsupportedFormatError)
    assert caught.value.field == "file"


def test_the_registry_checks_documents_but_not_i18n_files() -> None:
    with pytest.raises(FileFormatError, match=r"notes\.txt is really a PDF document"):
        registry.for_file("notes.txt", PDF)
    with pytest.raises(FileFormatError, match=r"notes\.bin is really a PDF document"):
        registry.for_file("notes.bin", PDF, "text")  # a format override is checked too
    assert registry.for_file("messages.po", PDF).name == "po"  # the PO codec says what it says


def test_libmagic_missing_still_names_common_types(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_magic(name: str, *args: object, **kwargs: object) -> object:
        if name == "magic":
            raise ImportError("no libmagic here")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]  # passthrough

    monkeypatch.setattr(builtins, "__import__", no_magic)
    assert detect.describe(PDF) == ("PDF document", "application/pdf")
    assert detect.describe(b"\x01\x02") == ("data", "application/octet-stream")


def test_a_docx_whose_main_part_has_another_name_passes_by_its_content_type() -> None:
    source = zipfile.ZipFile(io.BytesIO(a_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info).replace(b"/word/document.xml", b"/word/main.xml")
            content = content.replace(b'Target="word/document.xml"', b'Target="word/main.xml"')
            name = info.filename.replace("word/document.xml", "word/main.xml")
            name = name.replace("word/_rels/document.xml.rels", "word/_rels/main.xml.rels")
            archive.writestr(name, content)
    assert "word/document.xml" not in zipfile.ZipFile(out).namelist()
    detect.check(DOCX, "report.docx", out.getvalue())
    with pytest.raises(FileFormatError, match=r"is really a Word document \(DOCX\)"):
        detect.check(XLSX, "report.xlsx", out.getvalue())


FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "formats"
DOCUMENT_FIXTURES = sorted(
    path
    for folder in FIXTURES.iterdir()
    if folder.name in registry.CODECS and registry.get(folder.name).kind is ArtifactKind.DOCUMENT
    for path in folder.iterdir()
)


@pytest.mark.parametrize("path", DOCUMENT_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_document_fixture_passes_detection(path: Path) -> None:
    assert registry.for_file(path.name, path.read_bytes()).name == path.parent.name


@pytest.mark.parametrize(
    "path",
    [p for p in DOCUMENT_FIXTURES if p.suffix in detect.ZIP_RULES],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_package_fixture_under_another_package_name_is_refused(path: Path) -> None:
    wrong = ".odt" if path.suffix != ".odt" else ".docx"
    with pytest.raises(FileFormatError, match=r"is really (a|an) .*; upload it with its own"):
        registry.for_file(f"renamed{wrong}", path.read_bytes())
