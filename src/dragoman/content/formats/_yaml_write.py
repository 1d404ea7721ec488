"""Writing one YAML scalar in a given style (plain, quoted, literal, folded), or saying it can't."""

from __future__ import annotations

import re

# YAML 1.1 implicit types as Psych and PyYAML resolve a plain scalar (`y`/`n` stay strings,
# `:name` is a Ruby symbol): a plain value matching one is not a string.
_NOT_STRING = re.compile(
    r"""^(?:
      ~|null|Null|NULL
    | yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    | [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    | [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)? | [-+]?\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
      (?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?
    | <<|=|:.+
    )$""",
    re.VERBOSE,
)
# Characters YAML does not allow raw in a scalar, or that a reader could take for a line break.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# YAML 1.1 booleans that Psych and PyYAML read as strings, but other readers may not.
_ONE_LETTER_BOOLS = frozenset("yYnN")
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@` \t")
_FLOW_INDICATORS = re.compile(r"[,\[\]{}]")
_DOUBLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_NEEDS_DOUBLE_ESCAPE = re.compile('[\\\\"\n\t\r\0]|' + _UNPRINTABLE.pattern)
_NEEDS_ASCII_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\U0010ffff]')


def is_string_plain(value: str) -> bool:
    """True when a plain (unquoted) scalar with this text is a string, not a number or bool."""
    return not _NOT_STRING.match(value)


def plain(value: str, *, flow: bool) -> str | None:
    """`value` as a plain scalar, or None when a plain scalar cannot carry it."""
    if (
        not value
        or value[0] in _PLAIN_FIRST
        or value[-1] in " \t:"
        or "\n" in value
        or "\r" in value
        or "\t" in value
        or ": " in value
        or " #" in value
        or (flow and _FLOW_INDICATORS.search(value))
        or _UNPRINTABLE.search(value)
        or not is_string_plain(value)
        or value in _ONE_LETTER_BOOLS
    ):
        return None
    return value


def single_quoted(value: str) -> str | None:
    """`value` in single quotes on one line, or None when it has a line break or control char."""
    if "\n" in value or "\r" in value or _UNPRINTABLE.search(value):
        return None
    return "'" + value.replace("'", "''") + "'"


def double_quoted(value: str, *, ascii_only: bool = False) -> str:
    """`value` in double quotes on one line; `ascii_only` escapes every non-ASCII character."""
    pattern = _NEEDS_ASCII_ESCAPE if ascii_only else _NEEDS_DOUBLE_ESCAPE
    return '"' + pattern.sub(_escape_char, value) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _DOUBLE_ESCAPES:
        return _DOUBLE_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF and not code >= 0xA0:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def block(value: str, *, folded: bool, header_rest: str, indent: str, newline: str) -> str | None:
    """`value` as a literal (`|`) or folded (`>`) block, header and all, each line ending in
    `newline`; None when a block cannot carry it without an indentation indicator."""
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    if (
        not body
        or body[0] in " \t\n"
        or "\r" in value
        or _UNPRINTABLE.search(value)
        or (folded and re.search(r"\n[ \t]", body))
    ):
        return None
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines = [("|", ">")[folded] + chomp + header_rest]
    if folded:
        # A single line break between two lines folds into a space, so each newline of the
        # value is written as one more break than it has.
        for part in re.split(r"(\n+)", body):
            if part.startswith("\n"):
                lines.extend([""] * len(part))
            else:
                lines.append(indent + part)
    else:
        lines.extend(indent + line if line else "" for line in body.split("\n"))
    lines.extend([""] * (trailing - 1))
    return newline.join(lines) + newline
