"""OOXML packages (DOCX, PPTX): the parts that hold text, found through their relationships,
read as paragraphs and written back with only the changed parts re-serialized.

A codec lists its parts (`PartSpec`) and, per part, its blocks: paragraphs with the dialect
that reads them, or an attribute (alt text) or element text (the title) read whole. A block's
id is `<part label>:<index>` in that list, which is the same in every parse of the part, so
`write` finds it again in its own fresh parse of the part's bytes.
"""

from __future__ import annotations

import posixpath
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dragoman.content.documents._ooxml import (
    Dialect,
    Element,
    clean_text,
    extract,
    language_tag,
    rebuild,
    same_language,
)
from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.inline import escape, plain
from dragoman.content.documents.packages import Package, parse_xml, serialize_xml
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOCUMENT = f"{REL_NS}/officeDocument"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
Block = tuple[Element, "Dialect | str"]  # a paragraph, or an attribute name ("" = the text)


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A part that holds text or language attributes, and what kind it is."""

    name: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Skeleton:
    package: Package
    parts: tuple[PartSpec, ...]
    raw: Mapping[str, bytes]


class OoxmlCodec(DocumentCodec):
    """The reading and writing common to DOCX and PPTX."""

    what = "document"

    @abstractmethod
    def parts(self, package: Package, main: str) -> list[PartSpec]:
        """The parts to read, in reading order, given the main part's name."""

    @abstractmethod
    def blocks(self, spec: PartSpec, root: Element) -> list[Block]:
        """A part's translatable blocks, always in the same order."""

    @abstractmethod
    def set_language(self, spec: PartSpec, root: Element, locale: str) -> bool:
        """Language attributes of a part set to `locale`; True when something changed."""

    def after_edits(self, spec: PartSpec, root: Element) -> None:
        """A hook run on a part once its blocks were rewritten."""

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        package = Package(data, what=self.what)
        main = main_part(package)
        specs = self.parts(package, main)
        raw: dict[str, bytes] = {}
        paragraphs: list[Paragraph] = []
        for spec in specs:
            raw[spec.name] = package.read(spec.name)
            root = parse_xml(raw[spec.name], spec.name)
            context = (spec.name,)
            for index, (element, how) in enumerate(self.blocks(spec, root)):
                block_id = f"{spec.label}:{index}"
                if isinstance(how, str):
                    value = element.get(how) if how else element.text
                    if value and value.strip():
                        paragraphs.append(
                            Paragraph(block_id, escape(value), context, segment=False)
                        )
                    continue
                text = extract(how.tokens(element)).text
                if plain(text).strip():
                    paragraphs.append(Paragraph(block_id, text, context))
        return paragraphs, _Skeleton(package, tuple(specs), raw)

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Skeleton)
        edits: dict[str, dict[int, str]] = {}
        for block_id, tagged in texts.items():
            label, _, number = block_id.rpartition(":")
            edits.setdefault(label, {})[int(number)] = tagged
        replaced: dict[str, bytes] = {}
        for spec in skeleton.parts:
            raw = skeleton.raw[spec.name]
            mine = edits.get(spec.label, {})
            if not mine and b"lang" not in raw and spec.kind not in ("styles", "slide"):
                continue
            root = parse_xml(raw, spec.name)
            changed = False
            if mine:
                blocks = self.blocks(spec, root)
                for index in sorted(mine, reverse=True):
                    element, how = blocks[index]
                    if isinstance(how, str):
                        value = clean_text(plain(mine[index]))
                        if how:
                            element.set(how, value)
                        else:
                            element.text = value
                    else:
                        rebuild(element, how, mine[index])
                self.after_edits(spec, root)
                changed = True
            if self.set_language(spec, root, target_locale):
                changed = True
            if changed:
                replaced[spec.name] = serialize_xml(root)
        return skeleton.package.write(replaced)


def main_part(package: Package) -> str:
    """The package's main part (`word/document.xml`, `ppt/presentation.xml`)."""
    if "_rels/.rels" not in package:
        raise FileFormatError(f"the {package.what} has no _rels/.rels: is it really OOXML?")
    for rel in relationships(package, "_rels/.rels", ""):
        if rel[0] == OFFICE_DOCUMENT and rel[1] in package:
            return rel[1]
    raise FileFormatError(f"the {package.what} names no main part in _rels/.rels")


def relationships(package: Package, rels_name: str, base: str) -> list[tuple[str, str, str]]:
    """`(type, part name, id)` of a rels part's internal targets, resolved against `base`."""
    if rels_name not in package:
        return []
    out: list[tuple[str, str, str]] = []
    for rel in parse_xml(package.read(rels_name), rels_name).iter(f"{{{RELS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out.append((rel.get("Type", ""), posixpath.normpath(name), rel.get("Id", "")))
    return out


def part_relationships(package: Package, part: str) -> list[tuple[str, str, str]]:
    """The relationships of one part (from `dir/_rels/name.rels`)."""
    folder, name = posixpath.split(part)
    return relationships(package, posixpath.join(folder, "_rels", f"{name}.rels"), folder)


def core_spec(package: Package) -> list[PartSpec]:
    """`docProps/core.xml` when the package has one."""
    for kind, name, _ in relationships(package, "_rels/.rels", ""):
        if kind.endswith("/metadata/core-properties") and name in package:
            return [PartSpec(name, "core", "core")]
    return []


def core_blocks(root: Element) -> list[Block]:
    """The document title."""
    title = root.find(f"{{{DC}}}title")
    return [] if title is None else [(title, "")]


def set_core_language(root: Element, locale: str) -> bool:
    """`dc:language`, where the core properties have one."""
    language = root.find(f"{{{DC}}}language")
    if language is None or same_language(language.text, language_tag(locale)):
        return False
    language.text = language_tag(locale)
    return True


def label_for(name: str, taken: set[str]) -> str:
    """A short unique label for a part: its file name without `.xml`."""
    label = posixpath.splitext(posixpath.basename(name))[0]
    if label in taken:
        label = posixpath.splitext(name)[0]
    taken.add(label)
    return label
