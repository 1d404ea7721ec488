"""Protected segments through a real Apertium pipe keep their markers (optional)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

import pytest

from dragoman.content.signature import placeholder_signature
from dragoman.content.units import translate_strings
from dragoman.engines.base import Segment

pytestmark = pytest.mark.apertium


def _apertium(segments: Sequence[Segment]) -> list[str]:
    """One Apertium call per segment (fine for a handful in a test)."""
    out = []
    for segment in segments:
        done = subprocess.run(
            ["apertium", "-u", "-f", "html", "eng-spa"],
            input=segment.text,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        out.append(done.stdout.strip())
    return out


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed")
def test_markers_survive_apertium() -> None:
    texts = ["%{count} seconds", "Hello {name}, you have %d new messages", "<b>Save</b> now"]
    result = translate_strings(texts, _apertium, source_locale="en", target_locale="es")
    assert result.issues == []
    for text, out in zip(texts, result.texts, strict=True):
        assert placeholder_signature(out) == placeholder_signature(text)
        assert out != text
