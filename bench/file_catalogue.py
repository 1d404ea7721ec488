"""Real i18n files for the file benchmarks, built from Wagtail's English gettext catalogues.

- PO: Wagtail's English catalogues merged with gettext's own `msgcat` (duplicates merged,
  the first translation kept), taken to the first ~1,300 entries with `msgcat`'s output
  order: a real file that real tools wrote.
- Rails YAML: the same strings as a Rails `en.yml` (one nested key per module and entry,
  plurals as `one`/`other`), the shape `rails-i18n` projects use.
Nothing third-party is committed: the wheel is fetched from PyPI into `bench/out/`.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import catalogue

OUT = catalogue.CACHE


def merged_po(max_units: int = 1300) -> Path:
    """A merged English PO of at most `max_units` entries (cached in bench/out/)."""
    path = OUT / f"wagtail-en-{max_units}.po"
    if path.exists():
        return path
    with zipfile.ZipFile(catalogue._wheel()) as wheel, tempfile.TemporaryDirectory() as tmp:
        names = sorted(n for n in wheel.namelist() if "/locale/en/" in n and n.endswith(".po"))
        files = []
        for index, name in enumerate(names):
            target = Path(tmp) / f"{index}.po"
            target.write_bytes(wheel.read(name))
            files.append(str(target))
        merged = Path(tmp) / "merged.po"
        subprocess.run(["msgcat", "--use-first", "-o", str(merged), *files], check=True)
        text = merged.read_text(encoding="utf-8")
    entries = text.split("\n\n")
    head, body = entries[0], entries[1 : max_units + 1]
    path.write_text("\n\n".join([head, *body]) + "\n", encoding="utf-8")
    return path


def rails_yaml(max_units: int = 1300) -> Path:
    """The catalogue's strings as a Rails `en.yml`."""
    path = OUT / f"wagtail-en-{max_units}.yml"
    if path.exists():
        return path
    strings = catalogue.load(max_units)
    lines = ["en:"]
    current = None
    for key, text in strings.items():
        module, _, entry = key.partition(".")[2].rpartition(".")
        module_key = re.sub(r"\W", "_", module or "core")
        if module_key != current:
            lines.append(f"  {module_key}:")
            current = module_key
        leaf = "k" + re.sub(r"\W", "_", entry)
        lines.append(f"    {leaf}: {_quote(text)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def big_po(target_bytes: int = 20 * 1024 * 1024) -> Path:
    """A PO file of about `target_bytes`: the merged catalogue's entries repeated under
    distinct msgctxt values, so every entry stays unique (for the memory benchmark)."""
    path = OUT / f"wagtail-en-{target_bytes // (1024 * 1024)}MiB.po"
    if path.exists():
        return path
    source = merged_po(100_000).read_text(encoding="utf-8")
    head, *entries = source.split("\n\n")
    entries = [e for e in entries if "msgctxt" not in e and e.strip()]
    chunks = [head]
    size, copy = len(head), 0
    full = False
    while not full:
        for entry in entries:
            lines = [line for line in entry.splitlines() if not line.startswith("#")]
            block = f'msgctxt "copy {copy}"\n' + "\n".join(lines)
            if size + len(block.encode()) + 3 > target_bytes:
                full = True
                break
            chunks.append(block)
            size += len(block.encode()) + 2
        copy += 1
    path.write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    return path
