"""Java .properties codec: Java's own reading rules, each value spliced in the file's style."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest

from dragoman.content.formats import registry
from dragoman.content.formats.properties import PropertiesCodec
from dragoman.content.model import Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "properties"
CODEC = PropertiesCodec()
TRICKY = " «{}» \"q\" 'a' \\ & <b> %% ñ 日本 = : # !\nnext 😀\t"


def parse(data: bytes | str, **limits: int) -> list[Unit]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return CODEC.parse(raw, source_locale="en", limits=Limits(**limits)).units  # type: ignore[arg-type]


def render(data: bytes | str, targets: dict[str, str], locale: str = "es") -> bytes:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    extraction = CODEC.parse(raw, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_registry_finds_the_codec_by_extension() -> None:
    codec = registry.for_file("messages_en.properties", b"a=b\n")
    assert codec.name == "properties" and codec.file_type == "properties"


def test_java_reading_rules() -> None:
    units = {u.id: u for u in parse((FIXTURES / "messages.properties").read_bytes())}
    assert units["page.welcome"].source == "Welcome back, {0}!"
    assert units["page.footer"].source == "© 2024 Example GmbH \u2013 All rights reserved"
    assert units["cart.empty"].source == "Your cart is empty, {0}. Café break?"
    assert units["cart.checkout.help"].source == (
        'Review your order, then press "Pay".\nYou can still change the delivery address.\n'
        "Payment is taken when the goods ship."
    )
    assert units["cart.long"].source.endswith("it was wrapped onto a second line in the file.")
    assert units["error.path"].source == "Could not read C:\\data\\orders.csv"
    assert units["error.leading"].source == "  two leading spaces"
    assert units["key with spaces"].source == "Key with spaces"
    assert units["key=with:separators"].context == ("key=with:separators",)
    assert units["tab.separated"].source == "Value after a tab"
    assert units["unicode.escapes"].source == "Grüße aus München — à bientôt"
    assert "empty.value" not in units and "only.key" not in units


def test_hash_and_bang_comments_become_notes_of_the_next_key() -> None:
    units = {u.id: u for u in parse((FIXTURES / "messages.properties").read_bytes())}
    assert units["page.title"].notes == ("Page titles",)
    assert units["cart.empty"].notes == (
        "Shown when the cart is empty.",
        "{0} is the user's first name.",
    )
    assert units["page.subtitle"].notes == ()
    # A comment parted from the key by a blank line belongs to no key.
    assert parse("# header\n\nkey=value\n")[0].notes == ()


def test_latin1_file_keeps_crlf_and_spacing_and_escapes_beyond_latin1() -> None:
    data = (FIXTURES / "messages.properties").read_bytes()
    out = render(data, {"cart.empty": "Tu carrito está vacío, {0}. ¿Café? 日本 😀"})
    # The file writes \uXXXX in lower case, so new escapes follow it.
    line = "cart.empty = Tu carrito está vacío, {0}. ¿Café? \\u65e5\\u672c \\ud83d\\ude00\r\n"
    assert line.encode("iso-8859-1") in out
    assert out.replace(line.encode("iso-8859-1"), b"") == data.replace(
        b"cart.empty = Your cart is empty, {0}. Caf\xe9 break?\r\n", b""
    )


def test_ascii_file_that_escapes_keeps_escaping_in_its_hex_case() -> None:
    data = (FIXTURES / "ValidationMessages.properties").read_bytes()
    key = "jakarta.validation.constraints.NotBlank.message"
    out = render(data, {key: "ne doit pas être vide: #1 = ok!"}).decode("ascii")
    # This file was written by Properties.store, which escapes = : # ! too.
    assert f"{key}=ne doit pas \\u00eatre vide\\: \\#1 \\= ok\\!\n" in out


def test_utf8_file_is_written_raw() -> None:
    data = (FIXTURES / "app_en.properties").read_bytes()
    out = render(data, {"app.quote": "C\u2019est « cité » 日本"}).decode("utf-8")
    assert "app.quote : C\u2019est « cité » 日本\n" in out


@pytest.mark.parametrize(
    ("line", "target", "expected"),
    [
        ("k=v", "  lead", "k=\\  lead"),
        ("k=v", "a\\b\nc\td", "k=a\\\\b\\nc\\td"),
        ("k v", "=x", "k \\=x"),
        ("k v", ":x = y", "k \\:x = y"),
        ("k = v", "=x # y!", "k = =x # y!"),
        ("k:v", "#not a comment", "k:#not a comment"),
        ("k = one\\n\\\n    two", "uno\ndos\n", "k = uno\\n\\\n    dos\\n"),
    ],
)
def test_values_are_escaped_where_java_needs_it(line: str, target: str, expected: str) -> None:
    out = render(f"a=1\n{line}\nz=2\n", {"k": target}).decode("utf-8")
    assert out == f"a=1\n{expected}\nz=2\n"
    assert {u.id: u.source for u in parse(out)}["k"] == target


def test_duplicate_keys_are_kept_under_distinct_ids() -> None:
    data = (FIXTURES / "app_en.properties").read_bytes()
    assert [u.id for u in parse(data)][-2:] == ["dup.key", "dup.key#2"]
    out = render(data, {"dup.key#2": "segundo"}).decode("utf-8")
    assert out.endswith("dup.key = first\ndup.key = segundo\n")


def test_encoding_detection() -> None:
    assert CODEC.parse(b"a=caf\xc3\xa9\n", source_locale="en", limits=Limits()).meta == {
        "encoding": "utf-8"
    }
    assert parse(b"a=caf\xe9\n")[0].source == "café"
    assert parse(b"\xef\xbb\xbfa=b\n")[0].id == "a"
    assert render(b"\xef\xbb\xbfa=b\n", {"a": "é"}) == b"\xef\xbb\xbfa=\xc3\xa9\n"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"a=b\nc=\\u12G4\n", 2),
        (b"a=b\n\nc=x\x00y\n", 3),
        (b"\xef\xbb\xbfa=b\nc=\xff\n", 2),
    ],
)
def test_unreadable_files_name_the_line(data: bytes, line: int) -> None:
    with pytest.raises(FileFormatError) as info:
        parse(data)
    assert info.value.line == line


def test_limits() -> None:
    with pytest.raises(PayloadTooLargeError):
        parse("".join(f"k{i}=v\n" for i in range(50)), max_units=20)
    with pytest.raises(PayloadTooLargeError):
        parse("a=" + "x" * 2000, max_bytes=1000)


@pytest.mark.parametrize(
    ("filename", "source", "target", "expected"),
    [
        ("messages.properties", "en", "es", "messages_es.properties"),
        ("messages_en.properties", "en", "es", "messages_es.properties"),
        ("messages_en_US.properties", "en-US", "pt-BR", "messages_pt_BR.properties"),
        ("ValidationMessages.properties", "en", "de", "ValidationMessages_de.properties"),
    ],
)
def test_output_filename(filename: str, source: str, target: str, expected: str) -> None:
    assert CODEC.output_filename(filename, source, target) == expected


_JAVA_DUMP = """
import java.io.*; import java.nio.charset.Charset; import java.util.*;
public class Dump { public static void main(String[] a) throws Exception {
  for (int i = 0; i < a.length; i += 2) {
    Properties p = new Properties();
    try (Reader r = new InputStreamReader(new FileInputStream(a[i]), Charset.forName(a[i + 1]))) {
      p.load(r); }
    System.out.println("file " + hex(new File(a[i]).getName()));
    for (String k : new TreeSet<>(p.stringPropertyNames())) {
      System.out.println(hex(k) + " " + hex(p.getProperty(k))); } } }
  static String hex(String s) throws Exception { StringBuilder b = new StringBuilder("x");
    for (byte c : s.getBytes("UTF-8")) b.append(String.format("%02x", c)); return b.toString(); } }
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime")
def test_java_reads_the_rendered_files_as_we_meant(tmp_path: Path) -> None:
    source = tmp_path / "Dump.java"
    source.write_text(_JAVA_DUMP)
    args: list[str] = []
    expected: dict[str, dict[str, str]] = {}
    for path in sorted(FIXTURES.iterdir()):
        extraction = CODEC.parse(path.read_bytes(), source_locale="en", limits=Limits())
        units = [copy.copy(u) for u in extraction.units]
        for unit in units:
            unit.target = TRICKY.format(unit.source)
        out = tmp_path / path.name
        out.write_bytes(CODEC.render(extraction.skeleton, units, target_locale="es"))
        args += [str(out), extraction.meta["encoding"]]
        # Java keeps the last of duplicate keys.
        expected[path.name] = {unit.context[0]: unit.target or "" for unit in units}
    run = subprocess.run(
        ["java", str(source), *args], capture_output=True, text=True, check=True, timeout=120
    )
    java: dict[str, dict[str, str]] = {}
    for row in run.stdout.splitlines():
        head, tail = row.split(" ")
        value = bytes.fromhex(tail[1:]).decode()
        if head == "file":
            current = java.setdefault(value, {})
        else:
            current[bytes.fromhex(head[1:]).decode()] = value
    for name, want in expected.items():
        assert {key: java[name].get(key) for key in want} == want, name
