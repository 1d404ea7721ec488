"""The PO header entry: its fields, and the plural table a file's msgstr[n] forms follow."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from dragoman.content.plurals import gettext_plurals

_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
_PLURAL = re.compile(r"plural\s*=\s*([^;]+);?")
_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")


def fields(header: str) -> dict[str, str]:
    """`Name: value` lines of a header msgstr."""
    out: dict[str, str] = {}
    for line in header.split("\n"):
        name, sep, value = line.partition(":")
        if sep:
            out.setdefault(name.strip(), value.strip())
    return out


def with_fields(header: str, changes: dict[str, str]) -> str:
    """The header with each `Name:` line set to its new value (added at the end if absent)."""
    lines = header.split("\n")
    todo = dict(changes)
    for i, line in enumerate(lines):
        name = line.partition(":")[0].strip()
        if name in todo and ":" in line:
            lines[i] = f"{name}: {todo.pop(name)}"
    text = "\n".join(lines)
    for name, value in todo.items():
        text += ("" if not text or text.endswith("\n") else "\n") + f"{name}: {value}\n"
    return text


def declared_charset(data: bytes) -> str:
    """The Python codec for the header's `charset=`; UTF-8 when absent or a placeholder."""
    match = _CHARSET.search(data[:4096])
    name = match.group(1).decode("ascii").lower() if match else "utf-8"
    if name in ("charset", "utf-8", "utf8"):
        return "utf-8"
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def gettext_language(locale: str) -> str:
    """`pt-BR` -> `pt_BR`, the form PO headers use."""
    return locale.replace("-", "_")


def same_language(a: str, b: str) -> bool:
    return gettext_language(a).lower() == gettext_language(b).lower()


def same_primary(a: str, b: str) -> bool:
    """`en_GB` and `en` are both English; an empty name matches nothing."""
    return bool(a) and _primary(a) == _primary(b)


def _primary(locale: str) -> str:
    return gettext_language(locale).split("_")[0].split("@")[0].lower()


def plural_table(plural_forms: str | None, language: str) -> tuple[int, str, tuple[str, ...]]:
    """`(nplurals, expression, CLDR category of each index)` for a file's `Plural-Forms`
    header, read against `language`; Babel's table for the language when there is none."""
    if plural_forms:
        count = _NPLURALS.search(plural_forms)
        expr = _PLURAL.search(plural_forms)
        if count and expr and 0 < int(count.group(1)) <= 6:
            cats = _categories(int(count.group(1)), expr.group(1).strip(), language)
            if cats is not None:
                return int(count.group(1)), expr.group(1).strip(), cats
    return gettext_plurals(language)


@lru_cache(maxsize=64)
def _categories(count: int, expr: str, language: str) -> tuple[str, ...] | None:
    """The CLDR category most numbers that pick each index have (None: unusable rule)."""
    from gettext import c2py

    try:
        rule = c2py(expr)
        cldr = Locale.parse(language.replace("_", "-"), sep="-").plural_form
    except (ValueError, SyntaxError, UnknownLocaleError, TypeError):
        return None
    votes: list[Counter[str]] = [Counter() for _ in range(count)]
    for n in range(0, 1001):
        try:
            index = int(rule(n))
        except (ArithmeticError, ValueError):
            return None
        if 0 <= index < count:
            votes[index][cldr(n)] += 1
    cats: list[str] = []
    for index, vote in enumerate(votes):
        best = next((c for c, _ in vote.most_common() if c not in cats), None)
        cats.append(best or ("other" if index == count - 1 else f"form{index}"))
    return tuple(cats)
