"""A 50-page DOCX (about 15,000 words: headings, formatted runs, hyperlinks, footnotes, tables)
translated en -> es as a real file job, against raw Apertium on the same text in the same run.

1. Job time (upload to download, warm engine, median of --runs) against
   `apertium -f html eng-spa` on the document's paragraphs as HTML (formatting as <b>, links
   as <a>, breaks and notes as <br>), one process. Target: job <= 1.3x raw.
2. Parse + render of the DOCX in process (every unit given a target) as a share of that raw
   engine time. Target: <= 10%.

Run: .venv/bin/python bench/bench_documents.py [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx_corpus
from bench_files import file_job
from common import median, start_server

from dragoman.content.documents.inline import TAG_RE
from dragoman.content.formats import registry
from dragoman.content.model import Limits

MODE = "eng-spa"  # what the engine runs for en -> es


def as_html(data: bytes) -> str:
    """The document's paragraphs as HTML, their inline tags as HTML elements."""
    skeleton = registry.get("docx").parse(data, source_locale="en", limits=Limits()).skeleton
    out = ["<html><body>"]
    for _paragraph_id, tagged, _units, _gaps in skeleton.layout:
        out.append("<p>" + TAG_RE.sub(_html_tag, tagged) + "</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _html_tag(match: re.Match[str]) -> str:
    closing, paired = match.group(1), match.group(2)
    if paired is None:
        return "<br/>"
    return "</b>" if closing else "<b>"


def raw_apertium(html: str, runs: int) -> float:
    """Median seconds of `apertium -f html eng-spa` over `html`, one process per run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["apertium", "-f", "html", MODE],
            input=html.encode(),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        times.append(time.perf_counter() - start)
    return median(times)


def codec_cost(data: bytes, runs: int) -> tuple[float, float, float]:
    """Median seconds of parse, render (every unit given a target) and both, in process."""
    codec = registry.get("docx")
    parses, renders = [], []
    for _ in range(runs + 1):
        start = time.perf_counter()
        extraction = codec.parse(data, source_locale="en", limits=Limits())
        parsed = time.perf_counter()
        units = [
            dataclasses.replace(u, target=f"{u.source} x") if u.translatable else u
            for u in extraction.units
        ]
        codec.render(extraction.skeleton, units, target_locale="es")
        parses.append(parsed - start)
        renders.append(time.perf_counter() - parsed)
    parse, render = median(parses[1:]), median(renders[1:])
    return parse, render, parse + render


def profile(data: bytes) -> None:
    """Where parse + render spend their time (cProfile, top functions by own time)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    codec_cost(data, 1)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile parse + render")
    args = parser.parse_args()
    data = docx_corpus.build()
    words = docx_corpus.words_of(data)
    html = as_html(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.docx"
        path.write_bytes(data)
        server, key = start_server(Path(tmp) / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
        try:
            with httpx.Client(base_url=server.base, headers={"X-API-Key": key}, timeout=300) as c:
                file_job(c, path, ["es"])  # warm the engine and the server
                jobs, raws = [], []
                for _ in range(args.runs):  # alternate, so that load on the machine hits both
                    raws.append(raw_apertium(html, 1))
                    seconds, done = file_job(c, path, ["es"])
                    jobs.append(seconds)
                view = c.get(f"/jobs/localization/{done[0]['id']}").json()
        finally:
            server.stop()
    job, raw = median(jobs), median(raws)
    parse, render, cost = codec_cost(data, args.runs)
    print(
        f"docx: {len(data) / 1024:.0f} KiB, {words} words, {html.count('<p>')} paragraphs, "
        f"{view['unitsTotal']} units ({view['unitsTranslated']} translated, "
        f"{view['unitsFailed']} failed)"
    )
    print(f"      raw `apertium -f html {MODE}`:     {raw:7.3f} s  (runs {_list(raws)})")
    print(
        f"      dragoman file job (median {args.runs}): {job:7.3f} s  ratio {job / raw:5.2f}x  "
        f"target <= 1.30x: {_verdict(job / raw <= 1.3)}  (runs {_list(jobs)})"
    )
    print(
        f"      parse + render:                {cost * 1000:7.1f} ms = {cost / raw:6.1%} of the "
        f"engine  target <= 10%: {_verdict(cost / raw <= 0.10)}  "
        f"(parse {parse * 1000:.1f} ms, render {render * 1000:.1f} ms)"
    )
    if args.profile:
        profile(data)


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


if __name__ == "__main__":
    main()
