"""HTML, Markdown and subtitles through `dragoman translate` with the real Apertium en->es."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import html
from markdown_it import MarkdownIt

from tests.acceptance.serverproc import cli, server_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def test_web_documents_translate_with_apertium(tmp_path: Path) -> None:
    if shutil.which("apertium") is None:
        if os.environ.get("CI"):
            pytest.fail("Apertium is required under CI")
        pytest.skip("Apertium is not installed")
    page, readme = FIXTURES / "html" / "product.html", FIXTURES / "markdown" / "README.md"
    subtitles = FIXTURES / "srt" / "episode.srt"
    env = server_env(tmp_path / "data")
    env.pop("DRAGOMAN_SERVER", None)
    out = tmp_path / "out"
    done = cli(env, "translate", str(page), str(readme), str(subtitles), "--to", "es",
               "--out", str(out), timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout

    translated = (out / "product.es.html").read_bytes()
    tree = html.fromstring(translated)
    assert tree.get("lang") == "es"
    assert "router" in tree.findtext(".//h1").lower() and tree.findtext(".//h1") != (
        "Setting up your router"
    )
    assert tree.xpath("//a[@href='/faq#setup']")  # the link survived the engine
    source = page.read_text(encoding="utf-8")
    for kept in (
        "<style>\n    body { font-family: sans-serif; }",
        "<pre><code>$ acme-setup",
        'document.querySelector("h1").title = "Do not translate me";',
    ):
        assert kept in source and kept in translated.decode()

    text = (out / "README.es.md").read_text(encoding="utf-8")
    assert "```bash\npip install acme-cli\nacme --version\n```" in text
    assert "[releases]: https://github.com/acme/cli/releases" in text
    assert "layout: docs" in text and "Getting started" not in text
    hrefs = [
        child.attrs.get("href")
        for token in MarkdownIt("commonmark").parse(text)
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert "https://app.example.com" in hrefs

    cues = (out / "episode.es.srt").read_bytes()
    assert cues.startswith(b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:04,200\r\n")
    assert b"00:01:02,003 --> 00:01:05,100\r\n" in cues and b"<i>" in cues
    assert b"Previously" not in cues
