"""Qt Linguist `.ts` files: each `<message>` is a unit, its `<translation>` spliced in place.

A `numerus="yes"` message is a plural unit: Qt has one source text, so every source-language
category holds it; render writes one `<numerusform>` per category of the target language in
CLDR order (`plurals.ordered_categories`). Filling a translation drops `type="unfinished"`;
`vanished` and `obsolete` messages are not translatable. `TS@language` follows the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats import _xml
from dragoman.content.formats.base import Codec, locale_filename
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import ordered_categories
from dragoman.errors import FileFormatError


@dataclass(slots=True)
class _Entry:
    """A message's nodes, its source markup, and the translation it already has."""

    message: _xml.Node
    translation: _xml.Node | None
    markup: frozenset[str]
    existing: str | None
    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Skeleton:
    doc: _xml.XmlDoc
    source_locale: str
    entries: dict[str, _Entry]


class QtTsCodec(Codec):
    """`<TS>` with `<context><name>` and `<message><source>/<translation>`."""

    name = "ts"
    extensions = (".ts",)
    media_types = ("application/x-linguist", "application/xml")
    file_type = "xml"
    # The file holds translations next to sources; `meta["targets"]` has the existing ones.
    bilingual = True

    def sniff(self, head: bytes) -> bool:
        return b"<TS" in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        doc = _xml.load(data, limits, "Qt .ts")
        if doc.root.local != "TS":
            raise FileFormatError(f"expected <TS> as the root element, found <{doc.root.name}>")
        file_locale = doc.root.get("language") or source_locale
        source_forms = ordered_categories(source_locale)
        units: list[Unit] = []
        entries: dict[str, _Entry] = {}
        targets: dict[str, str] = {}
        target_plurals: dict[str, dict[str, str]] = {}
        for context in doc.root.findall("context"):
            name_node = context.find("name")
            context_name = _text(doc, name_node) if name_node is not None else ""
            for message in context.findall("message"):
                source_node = message.find("source")
                if source_node is None:
                    raise FileFormatError(
                        "a <message> needs a <source>", line=doc.line(message.start)
                    )
                source, markup = _xml.inner_source(doc.inner(source_node))
                comment = _text(doc, message.find("comment"))
                uid = message.get("id") or "::".join(
                    p for p in (context_name, source, comment) if p
                )
                base, count = uid, 1
                while uid in entries:
                    count += 1
                    uid = f"{base}#{count}"
                if len(units) >= limits.max_units:
                    raise FileFormatError(f"more than {limits.max_units} messages")
                translation = message.find("translation")
                kind = translation.get("type") if translation is not None else None
                notes = tuple(
                    t
                    for t in (
                        comment,
                        _text(doc, message.find("extracomment")),
                        _text(doc, message.find("translatorcomment")),
                    )
                    if t
                )
                numerus = message.get("numerus") == "yes"
                forms: tuple[str, ...] = ()
                existing = None
                if translation is not None and numerus:
                    forms = tuple(_text(doc, n) for n in translation.findall("numerusform"))
                    if any(forms):
                        target_plurals[uid] = dict(
                            zip(ordered_categories(file_locale), forms, strict=False)
                        )
                elif translation is not None:
                    existing = _xml.inner_source(doc.inner(translation))[0]
                    if existing or kind != "unfinished":
                        targets[uid] = existing
                units.append(
                    Unit(
                        uid,
                        source,
                        plural={c: source for c in source_forms} if numerus else None,
                        context=(context_name,) if context_name else (),
                        notes=notes,
                        translatable=kind not in ("vanished", "obsolete"),
                    )
                )
                entries[uid] = _Entry(message, translation, markup, existing, forms)
        meta = {"targets": targets, "target_plurals": target_plurals}
        return Extraction(units, _Skeleton(doc, source_locale, entries), meta)

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: _Skeleton = skeleton
        doc = sk.doc
        edits = _xml.Edits(doc)
        for unit in units:
            entry = sk.entries.get(unit.id)
            if entry is None or not unit.translatable:
                continue
            if unit.plural is not None and unit.target_plural is not None:
                forms = [
                    unit.target_plural[c]
                    for c in ordered_categories(target_locale)
                    if c in unit.target_plural
                ]
                if tuple(forms) != entry.forms or _unfinished(entry):
                    _write(edits, entry, _numerus(doc, entry, forms))
            elif (
                unit.plural is None
                and unit.target is not None
                and (unit.target != entry.existing or _unfinished(entry))
            ):
                _write(edits, entry, _escape(unit.target, entry.markup, doc.newline))
        if not _xml.same_locale(target_locale, sk.source_locale):
            edits.set_attrs(doc.root, {"language": target_locale.replace("-", "_")})
        return edits.render()

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        """`app_en.ts` -> `app_es.ts`; a name without a locale gets `_<target>` (Qt's habit)."""
        path = PurePosixPath(filename or "translations.ts")
        out = locale_filename(path.name, source_locale, target_locale)
        if out == f"{path.stem}.{target_locale}{path.suffix}":
            out = f"{path.stem}_{target_locale.replace('-', '_')}{path.suffix}"
        return str(path.parent / out)


def _text(doc: _xml.XmlDoc, node: _xml.Node | None) -> str:
    return _xml.inner_source(doc.inner(node))[0] if node is not None else ""


def _unfinished(entry: _Entry) -> bool:
    return entry.translation is not None and entry.translation.get("type") == "unfinished"


def _escape(text: str, markup: frozenset[str], newline: str) -> str:
    """Text as lupdate writes it: `&apos;` and `&quot;` besides the XML escapes."""
    return "".join(
        t if m else _xml.escape_text(t, newline).replace("'", "&apos;").replace('"', "&quot;")
        for m, t in _xml.split_target(text, markup)
    )


def _numerus(doc: _xml.XmlDoc, entry: _Entry, forms: list[str]) -> str:
    """The translation's inner XML: one `<numerusform>` per form, in the file's indentation."""
    translation = entry.translation
    own = doc.indent_before(translation.start if translation else entry.message.start)
    step = own[len(doc.indent_before(entry.message.start)) :] or "    "
    indent = own + step
    tail = doc.newline + own
    if translation is not None:
        existing = list(translation.findall("numerusform"))
        if existing:
            indent = doc.indent_before(existing[0].start)
            tail = doc.text[existing[-1].end : translation.inner_end]
    lead = doc.newline + indent
    texts = (_escape(f, entry.markup, doc.newline) for f in forms)
    return "".join(f"{lead}<numerusform>{t}</numerusform>" for t in texts) + tail


def _write(edits: _xml.Edits, entry: _Entry, inner: str) -> None:
    translation = entry.translation
    if translation is not None:
        drop = ("type",) if _unfinished(entry) else ()
        edits.set_inner(translation, inner, edits.start_tag(translation, {}, drop))
        return
    doc = edits.doc
    last = entry.message.children[-1]
    lead = doc.newline + doc.indent_before(last.start)
    edits.replace(last.end, last.end, f"{lead}<translation>{inner}</translation>")
