"""A real application catalogue for benchmarks: Wagtail's English gettext catalogues.

Fetched from PyPI into `bench/out/` at first use (nothing third-party is committed) and parsed
with translate-toolkit. Each unit becomes one key of a flat JSON object, as a web app's
`en.json` would be.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from translate.storage import po

CACHE = Path(__file__).parent / "out"
PACKAGE = "wagtail==8.0.1"


def _wheel() -> Path:
    CACHE.mkdir(exist_ok=True)
    found = sorted(CACHE.glob("wagtail-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", PACKAGE, "-d", str(CACHE)],
            check=True,
        )
        found = sorted(CACHE.glob("wagtail-*.whl"))
    return found[-1]


def load(limit: int | None = None) -> dict[str, str]:
    """Unique English source strings of Wagtail's catalogues, keyed `module.N`."""
    strings: dict[str, str] = {}
    seen: set[str] = set()
    with zipfile.ZipFile(_wheel()) as wheel:
        names = sorted(n for n in wheel.namelist() if "/locale/en/" in n and n.endswith(".po"))
        for name in names:
            store = po.pofile(io.BytesIO(wheel.read(name)))
            module = name.split("/locale/")[0].replace("/", ".")
            for index, unit in enumerate(store.units):
                if unit.isheader():
                    continue
                forms = (
                    [str(s) for s in unit.source.strings]
                    if unit.hasplural()
                    else [str(unit.source)]
                )
                for form, text in enumerate(forms):
                    if text and text not in seen:
                        seen.add(text)
                        strings[f"{module}.{index}" + (f".{form}" if form else "")] = text
    items = list(strings.items())[:limit] if limit else list(strings.items())
    return dict(items)


if __name__ == "__main__":
    data = load()
    print(f"{len(data)} strings, {sum(len(s.split()) for s in data.values())} words")
    for key, value in list(data.items())[:5]:
        print(f"  {key}: {value!r}")
