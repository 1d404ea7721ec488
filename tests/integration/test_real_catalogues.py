"""Real catalogues from a public project: every gettext catalogue Wagtail ships (English
sources and dozens of translations, written by real tools), fetched from PyPI at test time
(nothing third-party is committed). Parse then render unchanged is byte-identical, and an
identity translation to another locale keeps every message and passes `msgfmt -c`."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dragoman.content.formats import registry
from dragoman.content.model import Limits
from dragoman.content.plurals import target_forms

CACHE = Path(__file__).parent.parent / ".cache"
PACKAGE = "wagtail==8.0.1"


def _wheel() -> Path:
    CACHE.mkdir(exist_ok=True)
    found = sorted(CACHE.glob("wagtail-*.whl"))
    if not found:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", PACKAGE, "-d", str(CACHE)],
            capture_output=True,
            text=True,
        )
        found = sorted(CACHE.glob("wagtail-*.whl"))
        if not found:
            if os.environ.get("CI"):
                pytest.fail(f"could not fetch {PACKAGE} from PyPI: {done.stderr[-500:]}")
            pytest.skip(f"{PACKAGE} cannot be fetched (offline)")
    return found[-1]


@pytest.fixture(scope="module")
def catalogues() -> dict[str, bytes]:
    with zipfile.ZipFile(_wheel()) as wheel:
        return {n: wheel.read(n) for n in wheel.namelist() if n.endswith(".po")}


def test_every_real_catalogue_round_trips_byte_for_byte(catalogues: dict[str, bytes]) -> None:
    codec = registry.get("po")
    assert len(catalogues) > 100
    units = 0
    for name, data in catalogues.items():
        extraction = codec.parse(data, source_locale="en", limits=Limits())
        units += len(extraction.units)
        rendered = codec.render(extraction.skeleton, extraction.units, target_locale="en")
        assert rendered == data, name
    assert units > 10_000


def test_english_catalogues_translate_into_valid_catalogues(
    catalogues: dict[str, bytes], tmp_path: Path
) -> None:
    codec = registry.get("po")
    english = {n: d for n, d in catalogues.items() if "/locale/en/" in n}
    assert english
    for name, data in english.items():
        extraction = codec.parse(data, source_locale="en", limits=Limits())
        for locale in ("es", "ru", "ja", "ar"):
            units = [
                dataclasses.replace(
                    u,
                    target=None if u.plural else u.source,
                    target_plural=target_forms(u.plural, locale) if u.plural else None,
                )
                for u in extraction.units
            ]
            out = codec.render(extraction.skeleton, units, target_locale=locale)
            path = tmp_path / f"{locale}.po"
            path.write_bytes(out)
            check = subprocess.run(
                ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
            )
            assert check.returncode == 0, (name, locale, check.stderr[-800:])
            again = codec.parse(out, source_locale="en", limits=Limits())
            assert [u.id for u in again.units] == [u.id for u in extraction.units]
