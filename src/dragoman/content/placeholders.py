"""Protect non-translatable spans as inline markers, restore them, and check them (QA)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dragoman.errors import PlaceholderMismatchError

# Grouped by first character so the regex engine rejects most positions at once. Within a
# group, longer and more specific forms come first (`{{name}}` before `{name}`, `%1$s` before
# `%1`, `%(n)s` before `%s`).
# Every repetition is linear on hostile text (issue 9): no two adjacent repeats can match the
# same characters (hence the possessive `*+`), and a comment's scan stops at the next `<!--`,
# so no character is rescanned from many starts (`<!-- a <!-- b -->` protects `<!-- b -->`).
_SYNTAX = r"""
  <(?:
      !--(?:[^<\-]|<(?!!--)|-(?!->))*+--                 # HTML comment, up to the next <!--
    | /?[A-Za-z][\w:.\-]*(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/?  # tag; `<3`, `a < b` never match
  )>
| &(?:[A-Za-z][A-Za-z0-9]{1,31}|\#[0-9]{1,7}|\#[xX][0-9A-Fa-f]{1,6});   # entity
| \{(?:
      \{[^{}]*\}\}                                           # {{name}}, {{- name}} (i18next)
    | \s*+(?:[\w.\[\]\-]++\s*+)?(?:[,!:][^{}]*)?\}          # {0}, {name}, {count, number}, {0:.2f}
  )
| \$(?:
      t\([^()]*\)                                          # i18next nesting $t(key)
    | \{[^{}]*\}                                           # JS template ${name}
    | [A-Za-z_][A-Za-z0-9_]*\$                              # Chrome extension $NAME$
  )
| %(?:
      \{[^{}]*\}                                           # Ruby/Rails %{name}
    | <\w+>[-+\#0]*\d*(?:\.\d+)?[a-zA-Z]                     # Ruby %<name>s
    | \([^()]*\)[-+\#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]  # Python %(name)s
    # printf and iOS (%1$s, %-5.2f, %lld, %@); no space flag, so "50% off" stays prose
    | (?:[1-9]\d*\$)?[-+\#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?
      (?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcsSpn@]
    | %                                                     # printf literal %%
    | [1-9]\d?(?![\d$])                                     # Qt / Windows positional %1
  )
"""
# Addresses are protected so an engine cannot "translate" them.
_ADDRESS = r"""
  (?:https?|ftp)://[^\s<>"'{}]*[^\s<>"'{}.,;:!?)\]]             # URL
| (?<![\w.%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+  # e-mail address
"""
# One capturing group around the whole alternation: `split()` then yields text, span,
# text, ... in C, which is faster than a Python callback per match.
PLACEHOLDER_RE = re.compile(f"({_SYNTAX}|{_ADDRESS})", re.VERBOSE | re.DOTALL)
# The same without addresses, for the usual text that has no `@` or `://`.
_SYNTAX_RE = re.compile(f"({_SYNTAX})", re.VERBOSE | re.DOTALL)

# Engines are told to return `<x id="N"/>` unchanged; accept the harmless spellings some
# produce anyway (Apertium's HTML mode writes `<x id="1"></x>`).
MARKER_RE = re.compile(r"""<x\s+id\s*=\s*["']?(\d+)["']?\s*(?:/>|>\s*</x\s*>)""", re.IGNORECASE)


def marker(n: int) -> str:
    """The inline marker for span number `n`."""
    return f'<x id="{n}"/>'


@dataclass(frozen=True, slots=True)
class Protected:
    """A segment text with markers, and the original spans (span N is `spans[N - 1]`)."""

    text: str
    spans: tuple[str, ...]


def span_pattern(text: str) -> re.Pattern[str] | None:
    """The cheapest pattern that finds every span of `text` (None: it has none)."""
    if "@" in text or "://" in text:
        return PLACEHOLDER_RE
    if "<" in text or "{" in text or "%" in text or "&" in text or "$" in text:
        return _SYNTAX_RE
    return None


def find_spans(text: str) -> list[str]:
    """Every non-translatable span of `text`, left to right."""
    pattern = span_pattern(text)
    return pattern.findall(text) if pattern else []


def mask_spans(text: str, repl: str = " ") -> str:
    """`text` with every span replaced by `repl`."""
    pattern = span_pattern(text)
    return pattern.sub(repl, text) if pattern else text


def protect_into(text: str, spans: list[str], start: int = 0) -> str:
    """Replace each span of `text` by a marker numbered `start + len(spans)`, appending it."""
    pattern = span_pattern(text)
    if pattern is None:
        return text  # fast path: most UI strings hold nothing to protect
    parts = pattern.split(text)
    if len(parts) == 1:
        return text
    first = start + len(spans) + 1
    found = parts[1::2]
    spans.extend(found)
    parts[1::2] = [f'<x id="{n}"/>' for n in range(first, first + len(found))]
    return "".join(parts)


def protect(text: str) -> Protected:
    """Replace each placeholder, tag and entity of `text` by a numbered marker."""
    spans: list[str] = []
    marked = protect_into(text, spans)
    return Protected(marked, tuple(spans))


def split_markers(text: str) -> list[str | int]:
    """Split a marked text into literal runs (str) and marker ids (int), in order."""
    if "<" not in text:
        return [text]
    parts: list[str | int] = list(MARKER_RE.split(text))
    parts[1::2] = [int(str(p)) for p in parts[1::2]]
    return parts


def check_markers(translated: str, count: int) -> list[str | int]:
    """Split `translated` at its markers, raising unless ids 1..count each appear once."""
    parts = split_markers(translated)
    ids = [p for p in parts[1::2] if isinstance(p, int)]
    if len(ids) == count and sorted(ids) == list(range(1, count + 1)):
        return parts  # the common case, checked without building a report
    seen = Counter(ids)
    problems: list[str] = []
    missing = [n for n in range(1, count + 1) if n not in seen]
    if missing:
        problems.append("missing " + ", ".join(marker(n) for n in missing))
    duplicated = sorted(n for n, c in seen.items() if c > 1 and 1 <= n <= count)
    if duplicated:
        problems.append("duplicated " + ", ".join(marker(n) for n in duplicated))
    unknown = sorted(n for n in seen if not 1 <= n <= count)
    if unknown:
        problems.append("unknown " + ", ".join(marker(n) for n in unknown))
    raise PlaceholderMismatchError("placeholder markers " + "; ".join(problems))


def restore(translated: str, spans: Sequence[str]) -> str:
    """Put the original spans back in place of the markers, strictly (each id exactly once)."""
    parts = check_markers(translated, len(spans))
    return "".join(spans[p - 1] if isinstance(p, int) else p for p in parts)
