"""The codec interface: `parse(bytes) -> units + skeleton`, `render(skeleton, units) -> bytes`.

Contract (tests/contract/test_codecs.py runs it over every codec and fixture):
- identity: `render(skeleton, units, target_locale=source_locale)` with every `target`
  left None gives back the parsed bytes exactly;
- a unit whose `target` (or `target_plural`) is set has that text in the output, written in
  the file's own quoting and escape style; nothing else changes but the file's locale
  markers (Rails root key, PO `Language`, XLIFF `target-language`, ...);
- `render` never mutates the skeleton or the units: one parse serves every target locale.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any, ClassVar

from dragoman.content.model import ArtifactKind, Extraction, Limits, Unit


class Codec(ABC):
    """One file format. Subclasses are declarative: a name, extensions, two methods."""

    name: ClassVar[str]
    kind: ClassVar[ArtifactKind] = ArtifactKind.RESOURCE
    extensions: ClassVar[tuple[str, ...]] = ()
    media_types: ClassVar[tuple[str, ...]] = ("application/octet-stream",)
    # The TranslatePlus `file_type` this format is listed under (json|yaml|po|properties|
    # strings|xml), or None when it is not one of those.
    file_type: ClassVar[str | None] = None
    # True for formats that carry source and translation side by side (PO, XLIFF, .ts, CSV):
    # parsing keeps the source as `Unit.source` and lists existing translations in
    # `Extraction.meta["targets"]` (unit id -> text) and `meta["target_plurals"]`.
    bilingual: ClassVar[bool] = False

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes of a file look like this format (used when the
        extension is ambiguous, e.g. `.xml` or `.json`)."""
        return False

    @abstractmethod
    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        """The file's units in file order and a skeleton to render from; raises
        FileFormatError (with the line where there is one) for a file it cannot read."""

    @abstractmethod
    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        """The file for `target_locale`: each unit's target (its source when None)."""

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """The translated file's conventional name; by default `name.<target>.ext`, or the
        source locale swapped for the target where the name carries it (`en.json`)."""
        default = "translated" + (self.extensions[0] if self.extensions else "")
        return locale_filename(filename or default, source_locale, target_locale)


def locale_filename(filename: str, source_locale: str, target_locale: str) -> str:
    """`en.yml` -> `es.yml`, `messages_en.po` -> `messages_es.po`, else `name.es.ext`;
    a folder in the name is kept."""
    path = PurePosixPath(filename)
    if str(path.parent) not in ("", "."):
        return str(path.parent / locale_filename(path.name, source_locale, target_locale))
    stem, suffix = path.stem, path.suffix
    variants = {source_locale, source_locale.replace("-", "_"), source_locale.split("-")[0]}
    for variant in sorted(variants, key=len, reverse=True):
        if stem == variant:
            return f"{target_locale}{suffix}"
        for sep in ("_", "-", "."):
            if stem.endswith(sep + variant):
                return f"{stem[: -len(variant)]}{_locale_for(sep, target_locale)}{suffix}"
    return f"{stem}.{target_locale}{suffix}"


def _locale_for(sep: str, locale: str) -> str:
    return locale.replace("-", "_") if sep == "_" else locale
