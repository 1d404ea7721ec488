"""Hostile and broken documents through the real server: each is a 4xx naming the problem in
under 2 s, the server's RSS grows by less than 256 MB, and a normal DOCX job sent alongside
completes (real server on 127.0.0.1, real SQLite, native file upload)."""

from __future__ import annotations

import io
import random
import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator

import docx
import psutil
import pytest

from dragoman.content.documents import packages
from dragoman.settings import Settings
from tests.apptools import Api, running_api

MB = 1024 * 1024


def clean_docx(text: str = "The quick brown fox jumps over the lazy dog.") -> bytes:
    document = docx.Document()
    document.add_heading("Report", 1)
    document.add_paragraph(text).add_run(" In bold.").bold = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rezip(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """`data` (a zip) rebuilt with some entries' content replaced and entries appended."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add or []:
            archive.writestr(name, content)
    return out.getvalue()


def raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already-deflated bodies: (name, body, crc, inflated size) each, so that one
    compressed body can be stored under many names without compressing it again."""
    out = bytearray()
    central = bytearray()
    for name, body, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, len(body), size, len(encoded), 0
        )
        out += encoded + body
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, crc, len(body), size,
            len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


def deflated(content: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush(), zlib.crc32(content), len(content)


def docx_entries() -> list[tuple[str, bytes, int, int]]:
    source = zipfile.ZipFile(io.BytesIO(clean_docx()))
    return [(i.filename, *deflated(source.read(i))) for i in source.infolist()]


# --- the hostile files ---


def ratio_bomb() -> bytes:
    """word/document.xml inflating 64 MiB of spaces from about 64 KiB."""
    body, crc, size = deflated(b" " * (64 * MB))
    entries = [e for e in docx_entries() if e[0] != "word/document.xml"]
    return raw_zip([*entries, ("word/document.xml", body, crc, size)])


def total_size_bomb() -> bytes:
    """65 entries of 4 MiB each at a plausible 55:1 ratio: 260 MiB inflated from 5 MiB."""
    rng = random.Random(7)
    chunk = bytearray(b"x" * (4 * MB))
    for index in range(0, len(chunk), 150):
        chunk[index] = rng.randrange(256)
    body, crc, size = deflated(bytes(chunk))
    media = [(f"word/media/image{i}.bin", body, crc, size) for i in range(65)]
    return raw_zip([*docx_entries(), *media])


def lying_sizes_bomb() -> bytes:
    """word/document.xml declaring 2 KB but inflating to 64 MiB."""
    body, crc, _size = deflated(b"<w:document>" + b" " * (64 * MB))
    entries = [e for e in docx_entries() if e[0] != "word/document.xml"]
    return raw_zip([*entries, ("word/document.xml", body, crc, 2000)])


def many_entries() -> bytes:
    count = packages.MAX_ENTRIES + 1000
    return rezip(clean_docx(), add=[(f"customXml/extra{i}.xml", b"<a/>") for i in range(count)])


def zip_slip() -> bytes:
    return rezip(clean_docx(), add=[("../../../../tmp/dragoman-pwned.xml", b"<a/>")])


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%s;" % (b"%d" % (i - 1) if i > 1 else b"")) * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def entity_expansion() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(clean_docx())).read("word/document.xml")
    body = source.split(b"?>", 1)[1].replace(b"The quick brown fox", b"&lol9;")
    return rezip(clean_docx(), replace={"word/document.xml": LAUGHS + body})


def external_entity() -> bytes:
    app = (
        b'<?xml version="1.0"?>\n<!DOCTYPE Properties [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Properties><Company>&x;</Company></Properties>"
    )
    return rezip(clean_docx(), replace={"docProps/app.xml": app})


def macros_inside() -> bytes:
    return rezip(clean_docx(), add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro code")])


def encrypted_ooxml() -> bytes:
    """What Word writes for a password-protected .docx: an OLE compound file (CFB) holding
    EncryptionInfo and EncryptedPackage streams (here its header and directory names)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    directory = bytearray(512)
    for slot, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        encoded = (name + "\0").encode("utf-16-le")
        directory[slot * 128 : slot * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, slot * 128 + 64, len(encoded))
    return bytes(header) + bytes(directory) + bytes(random.Random(3).randbytes(4096))


def zip_encryption_flag() -> bytes:
    data = bytearray(clean_docx())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    struct.pack_into("<H", data, info.header_offset + 6, info.flag_bits | 1)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        (name_len,) = struct.unpack_from("<H", data, central + 28)
        if data[central + 46 : central + 46 + name_len] == b"word/document.xml":
            flags = struct.unpack_from("<H", data, central + 8)[0]
            struct.pack_into("<H", data, central + 8, flags | 1)
        central = data.find(b"PK\x01\x02", central + 46)
    return bytes(data)


def truncated() -> bytes:
    data = clean_docx()
    return data[: len(data) // 2]


def bad_crc() -> bytes:
    data = bytearray(clean_docx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x55  # flip bits inside the deflated stream
    return bytes(data)


def really_a_pdf() -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


CASES: dict[str, tuple[str, Callable[[], bytes], int, str]] = {
    # name: (filename, content, status, what the error must say)
    "zip bomb: compression ratio": ("bomb.docx", ratio_bomb, 413, "compression ratio"),
    "zip bomb: total size": ("big.docx", total_size_bomb, 413, "inflates to"),
    "zip bomb: sizes that lie": ("liar.docx", lying_sizes_bomb, 422, "corrupt"),
    "zip bomb: entry count": ("many.docx", many_entries, 413, "zip entries"),
    "zip slip": ("slip.docx", zip_slip, 422, "zip slip"),
    "xml entity expansion": ("laughs.docx", entity_expansion, 422, "dtd or entities"),
    "external entity in a part no codec reads": ("xxe.docx", external_entity, 422, "dtd"),
    "macro-enabled name": ("report.docm", clean_docx, 422, "macro-enabled"),
    "vbaProject.bin inside a .docx": ("report.docx", macros_inside, 422, "macros"),
    "encrypted ooxml (cfb)": ("secret.docx", encrypted_ooxml, 422, "encrypted"),
    "zip encryption flag": ("locked.docx", zip_encryption_flag, 422, "encrypted"),
    "corrupt: truncated": ("cut.docx", truncated, 422, "not a readable zip"),
    "corrupt: bad crc": ("crc.docx", bad_crc, 422, "corrupt"),
    "a .docx that is really a pdf": ("report.docx", really_a_pdf, 422, "really a pdf document"),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, sqlite_template: object) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("hostile-documents")
    shutil.copy(str(sqlite_template), tmp / "dragoman.db")
    settings = Settings(
        data_dir=tmp,
        database_url=f"sqlite:///{tmp / 'dragoman.db'}",
        default_engine_provider="pseudo",
        max_upload_bytes=20 * MB,
    )
    with running_api(settings) as running:
        yield running


def upload(api: Api, key: str, filename: str, content: bytes) -> object:
    return api.client.post(
        "/jobs/localization/files",
        headers={"X-API-Key": key},
        files={"file": (filename, content)},
        data={"sourceLocale": "en", "targetLocales": "es"},
    )


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_document_is_refused_fast_and_bounded(api: Api, case: str) -> None:
    filename, build, status, words = CASES[case]
    content = build()
    key = api.new_key()
    process = psutil.Process()
    before = process.memory_info().rss
    healthy = upload(api, key, "healthy.docx", clean_docx())
    assert healthy.status_code == 202, healthy.text  # type: ignore[attr-defined]
    start = time.perf_counter()
    response = upload(api, key, filename, content)
    elapsed = time.perf_counter() - start
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    message = response.json()["error"]  # type: ignore[attr-defined]
    assert words in message.lower(), message
    assert elapsed < 2.0, f"{case}: {elapsed:.2f} s"
    grown = process.memory_info().rss - before
    assert grown < 256 * MB, f"{case}: RSS grew {grown / MB:.0f} MB"
    group = api.wait_group(key, healthy.json()["groupId"], timeout=20)  # type: ignore[attr-defined]
    assert group["status"] == "completed", group
    job = group["jobs"][0]
    got = api.get(key, f"/jobs/localization/{job['id']}/file")
    assert got.status_code == 200 and got.content.startswith(b"PK")
    assert api.client.get("/healthz").status_code == 200
