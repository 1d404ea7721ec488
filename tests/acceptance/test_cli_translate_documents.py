"""`dragoman translate report.docx` as a user runs it: embedded with Apertium, and through a
running server; the output opens in python-docx with its formatting in place."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env


def write_report(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Annual report", 1)
    paragraph = document.add_paragraph("The house is big. ")
    paragraph.add_run("The dog is black.").bold = True
    document.add_paragraph("The cat sleeps in the garden.")
    document.save(str(path))
    return path


def runs(path: Path) -> list[list[tuple[str, bool | None]]]:
    return [[(r.text, r.bold) for r in p.runs] for p in docx.Document(str(path)).paragraphs]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    tmp = tmp_path_factory.mktemp("cli-docx")
    env = server_env(tmp / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="pseudo")
    made = cli(env, "keys", "create", "--org", "translate-docx")
    assert made.returncode == 0, made.stderr
    process = ServerProcess(env, tmp / "server.log").start()
    yield process, made.stdout.strip().splitlines()[-1]
    process.stop()


def test_translate_a_docx_embedded_with_apertium(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    source = write_report(tmp_path / "report.docx")
    env = server_env(tmp_path / "unused")
    env.pop("DRAGOMAN_SERVER", None)
    out = tmp_path / "out"
    done = cli(env, "translate", str(source), "--to", "es", "--out", str(out), timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert [p.name for p in out.iterdir()] == ["report.es.docx"]
    got = runs(out / "report.es.docx")
    assert got[0] == [("Informe anual", None)]
    assert got[1] == [("La casa es grande. ", None), ("El perro es negro.", True)]
    assert "jardín" in got[2][0][0]


def test_translate_a_docx_to_german_through_a_server(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, key = server
    source = write_report(tmp_path / "report.docx")
    out = tmp_path / "out"
    done = cli(
        process.env, "translate", str(source), "--to", "de", "--from", "en",
        "--server", process.base, "--key", key, "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    assert "report.docx -> de" in done.stderr
    result = out / "report.de.docx"
    got = runs(result)
    before = runs(source)
    assert len(got) == len(before)
    assert got[1][1] == ("Ţĥé đóĝ íš ƀĺáçķ.", True)
    for translated, original in zip(got, before, strict=True):
        # the pseudo engine pads each sentence outside its tags: bold stays on its words
        assert len([t for t, bold in translated if bold]) == len([t for t, b in original if b])
        assert "".join(t for t, _ in translated) != "".join(t for t, _ in original)
    assert b'w:lang w:val="de' in _part(result, "word/styles.xml") + _part(
        result, "word/document.xml"
    )


def test_translate_refuses_a_pdf_named_docx(
    server: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    process, key = server
    fake = tmp_path / "report.docx"
    fake.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    done = cli(
        process.env, "translate", str(fake), "--from", "en", "--to", "de",
        "--server", process.base, "--key", key, "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 1
    assert "422" in done.stderr and "really a PDF document" in done.stderr


def _part(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name)
