"""Xcode String Catalogs (`.xcstrings`): render adds or replaces the target language's
localization of each translated key, spliced into the original JSON text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from dragoman.content.formats._apple_json import JsonNode, JsonStyle, dump, read_json, style_of
from dragoman.content.formats.base import Codec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import CLDR_ORDER
from dragoman.errors import FileFormatError, PayloadTooLargeError

_BOM = "\ufeff"
_UNSUPPORTED = "kept as is: device variations and substitutions are not translated here"


@dataclass(frozen=True, slots=True)
class XcstringsSkeleton:
    text: str
    bom: bool
    style: JsonStyle
    entries: tuple[tuple[str, JsonNode], ...]  # unit id -> the key's entry object


class XcstringsCodec(Codec):
    """Units come from the source locale's localization when the catalog has it, else
    the catalog's `sourceLanguage`, else the key itself. `meta["translations"]` and
    `["translation_plurals"]` hold the other languages' texts by language; `targets` and
    `target_plurals` are those of the only translation language when there is just one."""

    name = "xcstrings"
    extensions = (".xcstrings",)
    media_types = ("application/json",)
    file_type = "json"
    # Every language sits side by side; meta lists the translations already there.
    bilingual = True

    def sniff(self, head: bytes) -> bool:
        return b'"sourceLanguage"' in head and b'"strings"' in head

    def parse(self, data: bytes, *, source_locale: str, limits: Limits) -> Extraction:
        if len(data) > limits.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {limits.max_bytes} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"the file is not UTF-8 (byte {exc.start})") from None
        bom = text.startswith(_BOM)
        body = text[1:] if bom else text
        # Spans down to each localization: root, strings, entry, localizations.
        root = read_json(body, limits.max_depth, span_depth=4)
        strings = root.get("strings") if isinstance(root.value, dict) else None
        language = root.value.get("sourceLanguage") if isinstance(root.value, dict) else None
        if strings is None or not isinstance(strings.value, dict) or not isinstance(language, str):
            raise FileFormatError("a String Catalog needs `sourceLanguage` and a `strings` object")
        wanted = _xcode_locale(source_locale)
        units: list[Unit] = []
        entries: list[tuple[str, JsonNode]] = []
        for key, _, entry in strings.members:
            if not isinstance(entry.value, dict):
                raise FileFormatError(f"the entry for {key[:40]!r} is not an object")
            units.append(_unit(key, entry.value, wanted, language))
            entries.append((key, entry))
            if len(units) > limits.max_units:
                raise FileFormatError(f"more than {limits.max_units} strings")
        skeleton = XcstringsSkeleton(body, bom, style_of(body), tuple(entries))
        found = _translations(strings.value, {wanted, language})
        meta: dict[str, Any] = {
            "sourceLanguage": language,
            "translations": {lang: t for lang, (t, _) in found.items()},
            "translation_plurals": {lang: p for lang, (_, p) in found.items()},
        }
        # A catalog with one translation language: those are the file's targets.
        only = next(iter(found.values())) if len(found) == 1 else ({}, {})
        meta["targets"], meta["target_plurals"] = only
        return Extraction(units, skeleton, meta)

    def render(self, skeleton: Any, units: Sequence[Unit], *, target_locale: str) -> bytes:
        sk: XcstringsSkeleton = skeleton
        by_id = {u.id: u for u in units}
        lang = _xcode_locale(target_locale)
        edits: list[tuple[int, int, str]] = []
        for uid, entry in sk.entries:
            unit = by_id.get(uid)
            if unit is None or not unit.translatable:
                continue
            value = _localization(unit)
            if value is not None:
                edits.append(_set_localization(sk, entry, lang, value))
        out: list[str] = [_BOM] if sk.bom else []
        done = 0
        for start, end, new in sorted(edits):
            out += [sk.text[done:start], new]
            done = end
        out.append(sk.text[done:])
        return "".join(out).encode("utf-8")

    def output_filename(self, filename: str | None, source_locale: str, target_locale: str) -> str:
        # One catalog holds every language: the output keeps its name.
        return str(PurePosixPath(filename or "Localizable.xcstrings"))


def _xcode_locale(locale: str) -> str:
    return locale.replace("_", "-")


def _unit(key: str, entry: dict[str, Any], wanted: str, language: str) -> Unit:
    notes = (entry["comment"],) if isinstance(entry.get("comment"), str) else ()
    # An empty key (Xcode extracts `Text("")`) has nothing to translate.
    translatable = entry.get("shouldTranslate", True) is not False and key != ""
    locs = entry.get("localizations")
    loc = None
    if isinstance(locs, dict):
        loc = locs.get(wanted) or locs.get(language)
    if loc is None:
        return Unit(id=key, source=key, context=(key,), notes=notes, translatable=translatable)
    text = read_localization(loc)
    if isinstance(text, dict):
        return Unit(id=key, source=text["other"], plural=text, context=(key,), notes=notes,
                    translatable=translatable)  # fmt: skip
    if isinstance(text, str):
        return Unit(id=key, source=text, context=(key,), notes=notes, translatable=translatable)
    return Unit(id=key, source=key, context=(key,), notes=(*notes, _UNSUPPORTED),
                translatable=False)  # fmt: skip


def read_localization(loc: Any) -> str | dict[str, str] | None:
    """A localization's text, its plural forms by category, or None when it is a shape
    this codec leaves alone (device variations, substitutions)."""
    if not isinstance(loc, dict) or "substitutions" in loc:
        return None
    variations = loc.get("variations")
    if variations is None:
        return _value(loc)
    plural = variations.get("plural") if isinstance(variations, dict) else None
    if not isinstance(plural, dict) or len(variations) != 1:
        return None
    forms = {c: _value(v) for c, v in plural.items() if c in CLDR_ORDER}
    texts = {c: v for c, v in forms.items() if isinstance(v, str)}
    return texts if len(texts) == len(forms) and "other" in texts else None


def _translations(
    entries: dict[str, Any], skip: set[str]
) -> dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]]:
    """Per language other than `skip`: the translations the catalog already has, as
    `(targets, target_plurals)` by unit id."""
    out: dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]] = {}
    for key, entry in entries.items():
        locs = entry.get("localizations") if isinstance(entry, dict) else None
        for lang, loc in locs.items() if isinstance(locs, dict) else ():
            text = read_localization(loc)
            if lang in skip or text is None:
                continue
            targets, plurals = out.setdefault(lang, ({}, {}))
            if isinstance(text, dict):
                plurals[key] = text
            else:
                targets[key] = text
    return out


def _value(loc: Any) -> str | None:
    unit = loc.get("stringUnit") if isinstance(loc, dict) else None
    value = unit.get("value") if isinstance(unit, dict) else None
    return value if isinstance(value, str) else None


def _localization(unit: Unit) -> dict[str, Any] | None:
    """The target's localization object for a translated unit (None: nothing to write)."""
    if unit.plural is not None and unit.target_plural is not None:
        order = sorted(unit.target_plural, key=lambda c: CLDR_ORDER.index(c)
                       if c in CLDR_ORDER else len(CLDR_ORDER))  # fmt: skip
        plural = {c: {"stringUnit": _string_unit(unit.target_plural[c])} for c in order}
        return {"variations": {"plural": plural}}
    if unit.plural is None and unit.target is not None:
        return {"stringUnit": _string_unit(unit.target)}
    return None


def _string_unit(text: str) -> dict[str, str]:
    return {"state": "translated", "value": text}


def _set_localization(
    sk: XcstringsSkeleton, entry: JsonNode, lang: str, value: dict[str, Any]
) -> tuple[int, int, str]:
    """The edit that puts `localizations[lang] = value` into one entry."""
    locs = entry.get("localizations")
    if locs is None:
        return _put(sk, entry, "localizations", {lang: value})
    current = locs.get(lang)
    if current is None:
        return _put(sk, locs, lang, value)
    return current.start, current.end, dump(value, sk.style, _indent_at(sk.text, current.start))


def _put(sk: XcstringsSkeleton, obj: JsonNode, key: str, value: Any) -> tuple[int, int, str]:
    """Insert a member in key order (as Xcode keeps them), laid out like its siblings."""
    text, style = sk.text, sk.style
    if not obj.members:
        level = _indent_at(text, obj.start)
        return obj.start, obj.end, dump({key: value}, style, level)
    after = next((m for m in obj.members if m[0] > key), None)
    if after is not None:
        level = _indent_at(text, after[1])
        member = f"{dump(key, style, level)}{style.colon}{dump(value, style, level)}"
        return after[1], after[1], f"{member},{style.newline}{level}"
    last = obj.members[-1]
    level = _indent_at(text, last[1])
    member = f"{dump(key, style, level)}{style.colon}{dump(value, style, level)}"
    return last[2].end, last[2].end, f",{style.newline}{level}{member}"


def _indent_at(text: str, pos: int) -> str:
    """The leading whitespace of the line `pos` is on."""
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos]
    return line[: len(line) - len(line.lstrip(" \t"))]
