"""Segments to Apertium's stream format and back, without a deformatter process.

Like Apertium's `html` format, text is backslash-escaped, each `<x id="N"/>` marker travels as
a superblank (`[...]`, passed through untouched) and every segment ends with a sentence end
`.`, as the html deformatter puts before block elements, so that no transfer rule joins or
reorders words across two segments. The `.` sits between two superblanks of our own: `[=]`
keeps it from gluing onto the last word (`debian.org.`) and says where the text ends, and
`[#` newline `]` where the segment ends. User text cannot produce either: its `[` are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dragoman.engines.base import MARKER

_SPECIAL = re.compile(r"([\\\[\]^$/@<>{}])")
# A whole whitespace run holding a line break. It starts only where a run starts and never
# backtracks, so a long run without a break costs one scan, not one per position (issue 9).
_BREAKING_SPACE = re.compile(r"((?<!\s)[^\S\n\r\v\f\u2028\u2029]*+[\n\r\v\f\u2028\u2029]\s*+)")
# A superblank holds no unescaped `[`: an unclosed `[[[...` is then rescanned from no start.
_OUTPUT_TOKEN = re.compile(r"\\(.)|\[((?:\\.|[^\[\]\\])*+)\]|([^\\\[]+)", re.DOTALL)
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_FIRST_WORD = re.compile(r"[^\W\d_]+")

TEXT_END_CONTENT = "="
BOUNDARY_CONTENT = "#\n"
# A NUL in text would flush the null-flush pipeline mid-segment and be dropped; it travels as
# a superblank of ours instead (user text cannot produce one) and is put back on the way out.
NUL_CONTENT = "0"
BOUNDARY = f"[{BOUNDARY_CONTENT}]".encode()
_SEGMENT_END = f"[{TEXT_END_CONTENT}].[{BOUNDARY_CONTENT}]"
# Segments per null-flush block, by measurement: one flush per segment costs ~15% more time;
# big blocks starve the later stages of the pipeline while the first ones work on a block.
SEGMENTS_PER_FLUSH = 16


def split_edges(text: str) -> tuple[str, str, str]:
    """`text` as (leading whitespace, core, trailing whitespace)."""
    start = len(text) - len(text.lstrip())
    if start == len(text):
        return text, "", ""
    end = len(text.rstrip())
    return text[:start], text[start:end], text[end:]


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text).replace("~", "[~]")


def _superblank(text: str) -> str:
    return "[" + _SPECIAL.sub(r"\\\1", text) + "]"


def _encode_text(text: str) -> str:
    if "\0" in text:
        return f"[{NUL_CONTENT}]".join(_encode_text(part) for part in text.split("\0"))
    parts = _BREAKING_SPACE.split(text)
    # Odd parts are line breaks: superblanks, exactly as Apertium's txt deformatter does.
    return "".join(_superblank(part) if i % 2 else _escape(part) for i, part in enumerate(parts))


def encode_segment(core: str) -> str:
    """One segment's core as stream text, ending with its sentence end and boundary."""
    out: list[str] = []
    last = 0
    for found in MARKER.finditer(core):
        out.append(_encode_text(core[last : found.start()]))
        out.append(_superblank(found.group()))
        last = found.end()
    out.append(_encode_text(core[last:]))
    out.append(_SEGMENT_END)
    return "".join(out)


def encode_batch(cores: Sequence[str]) -> bytes:
    """Every core as one payload, a null flush after each block of segments."""
    blocks = (
        "".join(encode_segment(core) for core in cores[i : i + SEGMENTS_PER_FLUSH]) + "\0"
        for i in range(0, len(cores), SEGMENTS_PER_FLUSH)
    )
    return "".join(blocks).encode("utf-8")


def decode_output(output: str) -> list[str]:
    """The pipeline's output split at our boundaries and unescaped, our sentence ends dropped."""
    segments: list[str] = []
    current: list[str] = []
    text_end: int | None = None
    for escaped, blank, text in _OUTPUT_TOKEN.findall(output.replace("\0", "")):
        if escaped or text:
            current.append(escaped or text)
        elif blank == TEXT_END_CONTENT:
            text_end = len(current)
        elif blank == NUL_CONTENT:
            current.append("\0")
        elif blank == BOUNDARY_CONTENT:
            segments.append("".join(current[:text_end]))
            current, text_end = [], None
        else:
            current.append(_UNESCAPE.sub(r"\1", blank))
    return segments


def keep_initial_case(source: str, translated: str) -> str:
    """`translated` with a lower-case start when `source` has one.

    Apertium capitalizes the first word of every sentence, and each segment is one, so UI
    fragments like "regular expression too big" would otherwise come back capitalized.
    """
    source_word = _FIRST_WORD.search(MARKER.sub("", source))
    target_word = _FIRST_WORD.search(MARKER.sub(lambda m: " " * len(m[0]), translated))
    if source_word is None or target_word is None or not source_word[0][0].islower():
        return translated
    word = target_word[0]
    if not word[0].isupper() or (len(word) > 1 and word.isupper()):
        return translated
    start = target_word.start()
    return translated[:start] + word[0].lower() + translated[start + 1 :]


_SPACE_RUN = re.compile(r" {2,}")


def tidy_blanks(source: str, text: str) -> str:
    """Collapse the double spaces Apertium leaves where it drops a word ("you have" ->
    "tienes"), unless the source itself had such runs (then they may be deliberate)."""
    if "  " in source:
        return text
    return _SPACE_RUN.sub(" ", text)
