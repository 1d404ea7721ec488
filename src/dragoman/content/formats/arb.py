"""Flutter ARB files: `key` values are units, `@key` metadata gives notes, `@@locale` follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats._jsonscan import Leaf, Text, decode, scan, unique
from dragoman.content.formats._jsonstyle import Edit, Splicer, Style
from dragoman.content.formats.base import Codec, locale_filename
from dragoman.content.model import Extraction, Limits, Unit


@dataclass(frozen=True, slots=True)
class ArbSkeleton:
    """The decoded file, its escape style, each unit's leaf and the `@@locale` leaf."""

    doc: Text
    style: Style
    units: tuple[tuple[str, Leaf], ...]
    locale: Leaf | None
    source_locale: str


class ArbCodec(Codec):
    """Application Resource Bundle: a flat JSON object; ICU plurals stay whole strings."""

    name = "arb"
    extensions = (".arb",)
    media_types = ("application/json",)
    file_type = "json"

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = decode(data, limits)
        leaves = scan(doc.text, limits).leaves
        meta: dict[str, list[Leaf]] = {}
        for leaf in leaves:
            head = leaf.key if leaf.parent is None else leaf.path[0]
            if isinstance(head, str) and head.startswith("@") and not head.startswith("@@"):
                meta.setdefault(head[1:], []).append(leaf)
        locale: Leaf | None = None
        messages: list[tuple[str, Leaf]] = []
        for leaf in leaves:
            key = leaf.key if leaf.parent is None else None
            if key == "@@locale":
                locale = leaf
            elif isinstance(key, str) and not key.startswith("@"):
                messages.append((key, leaf))
        units: list[Unit] = []
        kept: list[tuple[str, Leaf]] = []
        # A duplicate key keeps its place and gets `#2` (the file's own consumer takes the last).
        for uid, (key, leaf) in zip(unique([k for k, _ in messages]), messages, strict=True):
            notes, context = _describe(meta.get(key, ()))
            units.append(Unit(id=uid, source=leaf.value, context=(key, *context), notes=notes))
            kept.append((uid, leaf))
        skeleton = ArbSkeleton(doc, Style.of(doc.text), tuple(kept), locale, source_locale)
        return Extraction(units, skeleton, meta={"source_locale": source_locale})

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: ArbSkeleton = skeleton
        by_id = {u.id: u for u in units}
        edits: list[Edit] = []
        for key, leaf in sk.units:
            unit = by_id.get(key)
            if unit is not None and unit.target is not None and unit.target != leaf.value:
                edits.append(Edit(leaf.start, leaf.end, partial(sk.style.quote, unit.target)))
        if sk.locale is not None and target_locale != sk.source_locale:
            # Flutter writes `pt_BR`; a file that already uses `pt-BR` keeps hyphens.
            value = target_locale if "-" in sk.locale.value else target_locale.replace("-", "_")
            edits.append(Edit(sk.locale.start, sk.locale.end, partial(sk.style.quote, value)))
        return sk.doc.encode(Splicer(sk.doc.text).apply(edits))

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """`app_en.arb` -> `app_es.arb`, `intl_pt_BR.arb` style; a name without a locale
        gets `_<target>` (Flutter's gen-l10n finds files by that suffix)."""
        name = filename or "app.arb"
        out = locale_filename(name, source_locale, target_locale)
        path = PurePosixPath(name)
        if out == f"{path.stem}.{target_locale}{path.suffix}":
            return f"{path.stem}_{target_locale.replace('-', '_')}{path.suffix or '.arb'}"
        return out


def _describe(meta: Sequence[Leaf]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Notes (the description, then each placeholder's example) and context from `@key`."""
    notes: list[str] = []
    context: list[str] = []
    examples: list[str] = []
    for leaf in meta:
        path = leaf.path[1:]
        if path == ("description",) and leaf.value:
            notes.insert(0, leaf.value)
        elif path == ("context",) and leaf.value:
            context.append(leaf.value)
        elif len(path) == 3 and path[0] == "placeholders" and path[2] == "example":
            examples.append(f"{{{path[1]}}}: {leaf.value}")
    if examples:
        notes.append("Placeholder examples: " + ", ".join(examples))
    return tuple(notes), tuple(context)
