"""Zip packages (OOXML, ODF) read safely and written back with untouched entries copied raw.

Reading refuses what a hostile upload tries: too many entries, a total or per-entry size or
compression ratio of a zip bomb (checked on the bytes really inflated, not on the sizes the
archive declares), paths that climb out (`../`, absolute, drive letters), encrypted entries
and macros. Writing copies every entry that was not replaced byte for byte (its local header
and compressed data), so images, fonts and untouched parts are exactly as they came.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from dragoman.errors import FileFormatError, PayloadTooLargeError, ValidationError

MAX_ENTRIES = 5_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # inflated, all entries together
MAX_ENTRY_BYTES = 128 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for entries over 1 MiB inflated
_CHUNK = 1024 * 1024
_PROLOG = 64 * 1024  # how much of each XML part `check_prologs` reads
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "basic/", "scripts/")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored member: its name and where its raw bytes lie in the archive."""

    info: zipfile.ZipInfo
    raw_start: int  # the local header
    raw_end: int  # after the compressed data and any data descriptor


class Package:
    """A zip archive opened from bytes, checked before anything is inflated."""

    def __init__(self, data: bytes, *, what: str = "document") -> None:
        self.data = data
        self.what = what
        _check_entry_count(data, what)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise FileFormatError(f"the {what} is not a readable zip package: {exc}") from None
        if len(infos) > MAX_ENTRIES:
            raise PayloadTooLargeError(
                f"the {what} has {len(infos)} zip entries; the limit is {MAX_ENTRIES}",
                field="file",
            )
        self._inflated = 0
        self.names: list[str] = []
        for info in infos:
            _check_name(info.filename, what)
            if info.flag_bits & 0x1:
                raise ValidationError(
                    f"the {what} is encrypted ({info.filename}); upload it without a password",
                    field="file",
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise FileFormatError(
                    f"{info.filename} uses zip compression method {info.compress_type}, "
                    "which is not read here"
                )
            self.names.append(info.filename)
        _check_declared_sizes(infos, what)
        for name in self.names:
            lowered = name.lower()
            if lowered.endswith(MACRO_PARTS[:2]) or lowered.startswith(MACRO_PARTS[2:]):
                raise ValidationError(
                    f"the {what} contains macros ({name}); macro-enabled documents are refused",
                    field="file",
                )
        self.infos = infos

    def __contains__(self, name: str) -> bool:
        return name in self._zip.NameToInfo

    def info(self, name: str) -> zipfile.ZipInfo:
        """An entry's header (its declared sizes, flags, method)."""
        return self._zip.getinfo(name)

    def check_prologs(self) -> None:
        """Refuse any XML part (`.xml`, `.rels`) that declares a DTD, whether or not a codec
        will parse it: only the head of each part is inflated."""
        for info in self.infos:
            if not info.filename.lower().endswith((".xml", ".rels")) or info.is_dir():
                continue
            try:
                with self._zip.open(info) as stream:
                    head = stream.read(_PROLOG)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise FileFormatError(
                    f"{info.filename} in the {self.what} is corrupt: {exc}"
                ) from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _dtd_refused(info.filename)

    def read(self, name: str) -> bytes:
        """An entry's bytes, inflated under the size and ratio limits."""
        info = self._zip.getinfo(name)
        out = bytearray()
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    out += chunk
                    self._check_size(info, len(out))
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise FileFormatError(f"{name} in the {self.what} is corrupt: {exc}") from None
        self._inflated += len(out)
        if self._inflated > MAX_TOTAL_BYTES:
            raise PayloadTooLargeError(
                f"the {self.what} inflates to more than {MAX_TOTAL_BYTES} bytes", field="file"
            )
        return bytes(out)

    def _check_size(self, info: zipfile.ZipInfo, size: int) -> None:
        if size > MAX_ENTRY_BYTES:
            raise PayloadTooLargeError(
                f"{info.filename} inflates to more than {MAX_ENTRY_BYTES} bytes", field="file"
            )
        if size > _CHUNK and size > MAX_RATIO * max(info.compress_size, 1):
            raise PayloadTooLargeError(
                f"{info.filename} has a compression ratio over {MAX_RATIO}:1 (a zip bomb?)",
                field="file",
            )
        if self._inflated + size > MAX_TOTAL_BYTES:
            raise PayloadTooLargeError(
                f"the {self.what} inflates to more than {MAX_TOTAL_BYTES} bytes", field="file"
            )

    def text(self, name: str) -> str:
        """An entry as UTF-8 text."""
        try:
            return self.read(name).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{name} in the {self.what} is not UTF-8: {exc}") from None

    def xml(self, name: str) -> etree._Element:
        """An XML entry parsed without DTDs, entities or network (see `parse_xml`)."""
        return parse_xml(self.read(name), name)

    def write(self, replaced: Mapping[str, bytes]) -> bytes:
        """The package with `replaced` entries rewritten (deflated) and every other entry
        copied raw, in the original order."""
        return write_package(self.data, self.infos, replaced)


def inflated_size(data: bytes) -> int:
    """What parsing `data` really takes on: for a zip package, the inflated size its
    directory declares (of entries that will be parsed: XML, not images); else its length.
    Cheap (no entry is inflated); a bad or hostile directory counts as its length, and
    `Package` refuses it later with the reason."""
    if not data.startswith(b"PK\x03\x04"):
        return len(data)
    try:
        _check_entry_count(data, "document")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parsed = (i.file_size for i in archive.infolist() if i.filename.endswith(_PARSED))
            return max(len(data), sum(parsed))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, PayloadTooLargeError):
        return len(data)


_PARSED = (".xml", ".rels")


def _check_entry_count(data: bytes, what: str) -> None:
    """The entry count the end record declares, checked before the central directory is
    read (reading a million-entry directory would itself cost seconds and memory)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - _END.size - 65_535))
    if end < 0 or end + _END.size > len(data):
        return  # not a zip (or a damaged one): zipfile says so
    declared = _END.unpack_from(data, end)[4]
    if declared > MAX_ENTRIES:
        raise PayloadTooLargeError(
            f"the {what} has {declared} zip entries; the limit is {MAX_ENTRIES}", field="file"
        )


def _check_declared_sizes(infos: list[zipfile.ZipInfo], what: str) -> None:
    """Refuse a bomb by the sizes its directory declares (zipfile never inflates an entry
    past its declared size: a lie is a CRC error), before anything is inflated."""
    total = 0
    for info in infos:
        size = info.file_size
        if size > MAX_ENTRY_BYTES:
            raise PayloadTooLargeError(
                f"{info.filename} inflates to {size} bytes; the limit is {MAX_ENTRY_BYTES}",
                field="file",
            )
        if size > _CHUNK and size > MAX_RATIO * max(info.compress_size, 1):
            raise PayloadTooLargeError(
                f"{info.filename} has a compression ratio over {MAX_RATIO}:1 (a zip bomb?)",
                field="file",
            )
        total += size
    if total > MAX_TOTAL_BYTES:
        raise PayloadTooLargeError(
            f"the {what} inflates to {total} bytes; the limit is {MAX_TOTAL_BYTES}",
            field="file",
        )


def _check_name(name: str, what: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise ValidationError(f"the {what} has an unsafe path {name!r} (zip slip)", field="file")


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes, name: str = "the document") -> etree._Element:
    """XML with no DOCTYPE at all (documents never need one: any DTD, entity declaration or
    external reference is refused, so neither a billion laughs nor XXE can run)."""
    if b"<!DOCTYPE" in data[:4096]:
        raise _dtd_refused(name)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc):  # libxml2 stopped an entity expansion
            raise _dtd_refused(name) from None
        raise FileFormatError(f"{name} is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None:  # a DOCTYPE after a long prolog
        raise _dtd_refused(name)
    return root


def _dtd_refused(name: str) -> ValidationError:
    return ValidationError(
        f"{name} declares a DTD or entities, which documents never need; refused",
        field="file",
    )


def serialize_xml(root: etree._Element) -> bytes:
    """An XML part as Office writes it: UTF-8 with a standalone declaration."""
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def write_package(
    data: bytes, infos: Iterable[zipfile.ZipInfo], replaced: Mapping[str, bytes]
) -> bytes:
    """A zip of `infos` in order: replaced entries deflated anew, the rest copied raw."""
    out = io.BytesIO()
    central: list[bytes] = []
    count = 0
    for info in infos:
        offset = out.tell()
        if info.filename in replaced:
            header, body, record = _new_entry(info, replaced[info.filename], offset)
            out.write(header)
            out.write(body)
        else:
            out.write(_raw_entry(data, info))
            record = _central_record(info, offset, info.CRC, info.compress_size, info.file_size)
        central.append(record)
        count += 1
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(_END.pack(0x06054B50, 0, 0, count, count, size, start, 0))
    return out.getvalue()


def _raw_entry(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """An entry's local header, compressed data and data descriptor, as stored."""
    offset = info.header_offset
    fields = _LOCAL.unpack_from(data, offset)
    if fields[0] != 0x04034B50:
        raise FileFormatError(f"{info.filename}: bad local header")
    end = offset + _LOCAL.size + fields[9] + fields[10] + info.compress_size
    if info.flag_bits & 0x08:  # a data descriptor follows, with or without its signature
        end += 16 if data[end : end + 4] == b"PK\x07\x08" else 12
    return data[offset:end]


def _new_entry(info: zipfile.ZipInfo, content: bytes, offset: int) -> tuple[bytes, bytes, bytes]:
    crc = zlib.crc32(content) & 0xFFFFFFFF
    if info.compress_type == zipfile.ZIP_STORED:
        method, body = zipfile.ZIP_STORED, content
    else:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        method, body = zipfile.ZIP_DEFLATED, packer.compress(content) + packer.flush()
    name = info.filename.encode("utf-8")
    flags = 0x800  # names in UTF-8; sizes in the header, no data descriptor
    time, date = _dos_time(info.date_time)
    header = _LOCAL.pack(
        0x04034B50, 20, flags, method, time, date, crc, len(body), len(content), len(name), 0
    )
    record = _CENTRAL.pack(
        0x02014B50, 20, 20, flags, method, time, date, crc, len(body), len(content),
        len(name), 0, 0, 0, 0, info.external_attr, offset,
    ) + name  # fmt: skip
    return header + name, body, record


def _central_record(info: zipfile.ZipInfo, offset: int, crc: int, csize: int, size: int) -> bytes:
    name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    time, date = _dos_time(info.date_time)
    return _CENTRAL.pack(
        0x02014B50, (info.create_system << 8) | info.create_version, info.extract_version,
        info.flag_bits, info.compress_type, time, date, crc, csize, size, len(name),
        len(info.extra), len(info.comment), 0, info.internal_attr, info.external_attr, offset,
    ) + name + info.extra + info.comment  # fmt: skip


def _dos_time(stamp: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    dos_date = (max(year, 1980) - 1980) << 9 | month << 5 | day
    return (hour << 11) | (minute << 5) | (second // 2), dos_date
