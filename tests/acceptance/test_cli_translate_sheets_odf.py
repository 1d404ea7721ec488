"""`dragoman translate budget.xlsx report.odt` embedded with Apertium en->es: the outputs open
in openpyxl and odfpy, text is Spanish, formulas and numbers are untouched, bold stays put."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from odf.opendocument import load as odf_load

from tests.acceptance.serverproc import cli, server_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def test_translate_a_workbook_and_a_text_document_with_apertium(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    book = shutil.copy(FIXTURES / "xlsx" / "budget.xlsx", tmp_path / "budget.xlsx")
    report = shutil.copy(FIXTURES / "odt" / "report.odt", tmp_path / "report.odt")
    env = server_env(tmp_path / "unused")
    env.pop("DRAGOMAN_SERVER", None)
    out = tmp_path / "out"
    done = cli(
        env, "translate", str(book), str(report), "--from", "en", "--to", "es",
        "--out", str(out), timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["budget.es.xlsx", "report.es.odt"]

    workbook = openpyxl.load_workbook(out / "budget.es.xlsx")
    names = workbook.sheetnames
    assert names[0] != "Summary" and len(names) == 2
    summary, data = workbook[names[0]], workbook[names[1]]
    assert summary["A1"].value != "Quarterly budget"
    assert "presupuesto" in str(summary["A1"].value).lower()
    assert summary["B2"].value == f"='{names[1]}'!B5" or names[1] == "Data Sheet"
    assert data["B2"].value == 1200 and data["B5"].value == "=SUM(B2:B4)"
    assert data["C5"].value == '=IF(B5>1000,"High","Low")'
    assert summary["C5"].value is True

    data_odt = (out / "report.es.odt").read_bytes()
    odf_load(io.BytesIO(data_odt))
    with zipfile.ZipFile(io.BytesIO(data_odt)) as archive:
        assert archive.infolist()[0].filename == "mimetype"
        content = etree.fromstring(archive.read("content.xml"))
    heading = "".join(content.find(f".//{TEXT}h").itertext())  # type: ignore[union-attr]
    assert heading != "Results of the year" and "año" in heading
    span = content.find(f".//{TEXT}span")
    assert span is not None and span.text and "cooperativ" in span.text.lower()
    assert len(content.findall(f".//{TEXT}note")) == 1
