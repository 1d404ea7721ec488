"""What the document codec tests share: parse a fixture, render it with some targets."""

from __future__ import annotations

import copy
from pathlib import Path

from dragoman.content.documents.base import DocumentCodec, DocumentSkeleton
from dragoman.content.model import Limits, Unit


def parse(codec: DocumentCodec, path: Path) -> tuple[list[Unit], DocumentSkeleton]:
    """The fixture's units and skeleton, read as English."""
    extraction = codec.parse(path.read_bytes(), source_locale="en", limits=Limits())
    assert isinstance(extraction.skeleton, DocumentSkeleton)
    return extraction.units, extraction.skeleton


def translate(
    codec: DocumentCodec, path: Path, targets: dict[str, str], locale: str = "es"
) -> bytes:
    """The fixture rendered for `locale` with `targets` (unit id -> text), the rest as is."""
    units, skeleton = parse(codec, path)
    out = []
    for unit in units:
        unit = copy.copy(unit)
        unit.target = targets.get(unit.id)
        out.append(unit)
    return codec.render(skeleton, out, target_locale=locale)
