"""A DOCX and a PPTX translated end to end by `dragoman translate` through the real Apertium
en->es pipeline: the outputs open in python-docx / python-pptx, are Spanish, keep the bold
run, the link target, the footnote and the field, and say `es`."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import docx
import pptx
import pytest

from tests.acceptance.serverproc import cli, server_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_office_documents_translate_with_apertium(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    out = tmp_path / "out"
    env = server_env(tmp_path / "unused")
    env.pop("DRAGOMAN_SERVER", None)
    sources = [FIXTURES / "docx" / "python_docx.docx", FIXTURES / "pptx" / "python_pptx.pptx"]
    done = cli(
        env, "translate", *map(str, sources), "--from", "en", "--to", "es", "--out", str(out),
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["python_docx.es.docx", "python_pptx.es.pptx"]

    data = (out / "python_docx.es.docx").read_bytes()
    document = docx.Document(io.BytesIO(data))
    body = document.paragraphs[1]
    assert "zorro" in body.text  # "fox", by Apertium
    assert any(run.bold and run.text.strip() for run in body.runs)
    assert [link.address for link in body.hyperlinks] == ["https://example.com/docs"]
    assert document.sections[0].header.paragraphs[0].text != "Company confidential"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("word/styles.xml").decode()
        source = zipfile.ZipFile(FIXTURES / "docx" / "python_docx.docx")
        assert archive.read("word/media/image1.png") == source.read("word/media/image1.png")
    assert 'w:lang w:val="es"' in styles

    deck = pptx.Presentation(io.BytesIO((out / "python_pptx.es.pptx").read_bytes()))
    slide = deck.slides[0]
    assert slide.shapes.title.text != "Launch plan for spring"
    link_runs = [r for p in slide.placeholders[1].text_frame.paragraphs for r in p.runs]
    assert "https://example.com/press" in [r.hyperlink.address for r in link_runs]
    assert slide.notes_slide.notes_text_frame.text != "Speak slowly and thank the sponsors."
