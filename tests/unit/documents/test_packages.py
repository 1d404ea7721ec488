"""Zip packages: untouched entries copied byte for byte (stored, deflated, with and without data
descriptors), ODF's `mimetype` kept first and stored, and hostile archives refused before
anything large is inflated."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from odf.opendocument import OpenDocumentText, load
from odf.text import P

from dragoman.content.documents import packages
from dragoman.content.documents.packages import Package, parse_xml
from dragoman.errors import FileFormatError, PayloadTooLargeError, ValidationError

XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<doc><p>Hello</p></doc>'


def build(entries: list[tuple[str, bytes, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content, method in entries:
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 6, 7, 8, 10)), content, method)
    return out.getvalue()


def raw_entries(data: bytes) -> dict[str, bytes]:
    """Each entry's local header, compressed data and data descriptor, as stored."""
    out = {}
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        start = info.header_offset
        name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
        end = start + 30 + name_len + extra_len + info.compress_size
        if info.flag_bits & 0x08:
            end += 16 if data[end : end + 4] == b"PK\x07\x08" else 12
        out[info.filename] = data[start:end]
    return out


def check_readable(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def test_untouched_entries_are_copied_byte_for_byte() -> None:
    image = bytes(range(256)) * 40
    data = build(
        [
            ("[Content_Types].xml", XML, zipfile.ZIP_DEFLATED),
            ("word/document.xml", XML, zipfile.ZIP_DEFLATED),
            ("word/media/image1.png", image, zipfile.ZIP_STORED),
            ("docProps/core.xml", XML, zipfile.ZIP_DEFLATED),
        ]
    )
    new = XML.replace(b"Hello", b"Hola")
    out = Package(data).write({"word/document.xml": new})
    archive = check_readable(out)
    assert archive.namelist() == zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert archive.read("word/document.xml") == new
    assert archive.read("word/media/image1.png") == image
    before, after = raw_entries(data), raw_entries(out)
    for name in ("[Content_Types].xml", "word/media/image1.png", "docProps/core.xml"):
        assert after[name] == before[name], name
    assert after["word/document.xml"] != before["word/document.xml"]


def test_no_replacement_gives_an_equivalent_archive() -> None:
    data = build([("a.xml", XML, zipfile.ZIP_DEFLATED), ("b.bin", b"\0" * 10, 0)])
    out = Package(data).write({})
    assert raw_entries(out) == raw_entries(data)
    assert check_readable(out).read("a.xml") == XML


def test_a_stored_entry_replaced_stays_stored() -> None:
    data = build([("mimetype", b"application/x-test", 0), ("a.xml", XML, zipfile.ZIP_STORED)])
    out = Package(data).write({"a.xml": b"<doc/>"})
    info = check_readable(out).getinfo("a.xml")
    assert info.compress_type == zipfile.ZIP_STORED
    assert zipfile.ZipFile(io.BytesIO(out)).read("a.xml") == b"<doc/>"


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors after each entry."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # bytes in, count out
        self.buffer += data
        return len(data)


def test_entries_with_signed_data_descriptors_are_copied_and_replaced() -> None:
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]  # any writable stream
        archive.writestr("a.xml", XML)
        archive.writestr("b.xml", XML * 3)
        archive.writestr("c.xml", XML * 5)
    data = bytes(stream.buffer)
    assert all(i.flag_bits & 0x08 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    out = Package(data).write({"b.xml": b"<new/>"})
    archive = check_readable(out)
    assert archive.read("b.xml") == b"<new/>"
    assert archive.read("c.xml") == XML * 5
    before, after = raw_entries(data), raw_entries(out)
    assert after["a.xml"] == before["a.xml"] and after["c.xml"] == before["c.xml"]
    assert before["a.xml"].endswith(
        struct.pack("<I", 0x08074B50) + before["a.xml"][-12:]
    )  # the descriptor's signature was copied too


def unsigned_descriptor_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A deflated zip whose local headers defer CRC and sizes to a data descriptor written
    without its optional signature (as some Java and .NET writers do)."""
    out = bytearray()
    central = bytearray()
    for name, content in entries:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packer.compress(content) + packer.flush()
        crc = zlib.crc32(content)
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 8, 8, 0, 33, 0, 0, 0, len(encoded), 0)
        out += encoded + body + struct.pack("<III", crc, len(body), len(content))
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 8, 8, 0, 33, crc, len(body),
            len(content), len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                       len(central), start, 0)  # fmt: skip
    return bytes(out)


def test_entries_with_unsigned_data_descriptors_are_copied_exactly() -> None:
    data = unsigned_descriptor_zip([("a.xml", XML), ("b.xml", XML * 2), ("c.xml", XML * 4)])
    assert check_readable(data).read("c.xml") == XML * 4
    out = Package(data).write({"b.xml": b"<b/>"})
    archive = check_readable(out)
    assert [archive.read(n) for n in ("a.xml", "b.xml", "c.xml")] == [XML, b"<b/>", XML * 4]
    before, after = raw_entries(data), raw_entries(out)
    assert after["a.xml"] == before["a.xml"] and after["c.xml"] == before["c.xml"]


def test_odf_mimetype_stays_first_and_stored(tmp_path: object) -> None:
    document = OpenDocumentText()
    document.text.addElement(P(text="Hello world"))
    source = io.BytesIO()
    document.write(source)
    data = source.getvalue()
    package = Package(data)
    assert package.names[0] == "mimetype"
    content = package.read("content.xml").replace(b"Hello world", b"Hola mundo")
    out = package.write({"content.xml": content})
    archive = check_readable(out)
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert out[30:38] == b"mimetype"  # no extra field: readers sniff the type at offset 38
    assert out[38:77] == b"application/vnd.oasis.opendocument.text"
    assert raw_entries(out)["mimetype"] == raw_entries(data)["mimetype"]
    reloaded = load(io.BytesIO(out))
    assert "Hola mundo" in str(reloaded.text)


# --- hostile archives: each refused with a 4xx before anything large is inflated ---


def test_too_many_entries_are_refused_from_the_end_record() -> None:
    count = packages.MAX_ENTRIES + 1
    data = build([(f"e{i}", b"", zipfile.ZIP_STORED) for i in range(count)])
    with pytest.raises(PayloadTooLargeError, match="zip entries"):
        Package(data)


def bomb(size: int, name: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=False) as entry,
    ):
        for _ in range(size // len(chunk)):
            entry.write(chunk)
    return out.getvalue()


def test_a_high_compression_ratio_is_refused_before_inflating() -> None:
    data = bomb(64 * 1024 * 1024)
    assert len(data) < 100_000
    with pytest.raises(PayloadTooLargeError, match="compression ratio"):
        Package(data)


def test_an_entry_that_lies_about_its_size_is_corrupt_not_inflated() -> None:
    data = bytearray(bomb(16 * 1024 * 1024))
    struct.pack_into("<I", data, 22, 1000)  # the local header's uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)
    package = Package(bytes(data))
    with pytest.raises(FileFormatError, match="corrupt"):
        package.read("word/document.xml")


def test_the_total_inflated_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    # A small limit stands in for 256 MiB so the test stays fast; the check is the same.
    monkeypatch.setattr(packages, "MAX_TOTAL_BYTES", 100_000)
    data = build([(f"part{i}.xml", bytes(range(256)) * 100, 8) for i in range(5)])
    with pytest.raises(PayloadTooLargeError, match="inflates to"):
        Package(data)


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "a/../../b", "C:\\x", "..\\up"])
def test_paths_that_climb_out_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="zip slip"):
        Package(build([("ok.xml", XML, 8), (name, b"x", 8)]))


def test_an_encrypted_entry_is_refused() -> None:
    data = bytearray(build([("a.xml", XML, 8)]))
    struct.pack_into("<H", data, 6, 1)  # the local header's flags
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)
    with pytest.raises(ValidationError, match="encrypted"):
        Package(bytes(data))


@pytest.mark.parametrize("name", ["word/vbaProject.bin", "xl/vbaData.xml", "Basic/Standard/M.xml"])
def test_macros_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="macros"):
        Package(build([("a.xml", XML, 8), (name, b"macro", 8)]))


def test_garbage_is_not_a_package() -> None:
    with pytest.raises(FileFormatError, match="not a readable zip"):
        Package(b"%PDF-1.7 not a zip at all")


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        b"<?xml version='1.0'?><!--" + b"x" * 5000 + b'--><!DOCTYPE r [<!ENTITY a "b">]><r/>',
        b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
    ],
)
def test_xml_with_a_dtd_is_refused(xml: bytes) -> None:
    with pytest.raises(ValidationError, match="DTD"):
        parse_xml(xml, "word/document.xml")


def test_every_xml_part_is_checked_for_a_dtd_even_one_no_codec_reads() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p/>'
    package = Package(build([("word/document.xml", XML, 8), ("docProps/app.xml", evil, 8)]))
    with pytest.raises(ValidationError, match=r"docProps/app\.xml declares a DTD"):
        package.check_prologs()


def test_well_formed_xml_parses_and_broken_xml_is_a_format_error() -> None:
    assert parse_xml(XML).findtext("p") == "Hello"
    with pytest.raises(FileFormatError, match="well-formed"):
        parse_xml(b"<doc><p></doc>", "word/document.xml")


def test_inflated_size_counts_the_xml_a_package_holds_not_its_length() -> None:
    """Submission parses an upload in a child process by this size: a small .docx can hold
    a lot of XML (images are not parsed, so they do not count)."""
    import io
    import zipfile

    xml = b"<w:p><w:r><w:t>Same words again.</w:t></w:r></w:p>" * 100_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
        archive.writestr("word/media/image1.png", b"\x89PNG" + b"\x00" * 500_000)
    data = out.getvalue()
    assert len(data) < 200_000
    assert packages.inflated_size(data) == len(xml)
    assert packages.inflated_size(b"plain text") == len(b"plain text")
    assert packages.inflated_size(b"PK\x03\x04 broken") == len(b"PK\x03\x04 broken")
