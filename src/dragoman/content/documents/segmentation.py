"""Sentences of a tagged paragraph (sentencex's rules for ~300 languages), split only where
no paired tag is open, so that every segment's tags stay balanced."""

from __future__ import annotations

import re

import sentencex

from dragoman.content.documents.inline import TAG_RE

_TOKEN = re.compile(r"<(/?)g\d+>|<x\d+/>|&(?:#x[0-9A-Fa-f]+|#\d+|[a-z]+);|[^<&]+|[<&]")
_SPACE = re.compile(r"\s+\Z")
_ENTITY_CHAR = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENDS = re.compile(r"[.!?;:\u3002\uff01\uff1f\u0964\u06d4\u061f]")  # somewhere a sentence ends


def split(tagged: str, locale: str) -> list[tuple[str, str]]:
    """`[(segment, gap), ...]` where `gap` is the whitespace after the segment; joining
    `segment + gap` over the list gives `tagged` back exactly."""
    if not _ENDS.search(tagged):
        return [_with_gap(tagged)]
    text, offsets = _plain_map(tagged)
    language = locale.split("-")[0].split("_")[0].lower() or "en"
    cuts: list[int] = []
    for bound in sentencex.get_sentence_boundaries(language, text)[1:]:
        start = int(bound["start_index"])
        if start >= len(text):
            continue
        cut = offsets[start]
        # Opening tags and empty tags just before the next sentence belong to it.
        while cut > 0 and tagged[cut - 1] == ">":
            opening = tagged.rfind("<", 0, cut)
            if opening < 0 or tagged[opening + 1] == "/":
                break
            cut = opening
        if depth_at(tagged, cut) == 0 and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    out: list[tuple[str, str]] = []
    previous = 0
    for cut in [*cuts, len(tagged)]:
        out.append(_with_gap(tagged[previous:cut]))
        previous = cut
    return [part for part in out if part[0] or part[1]] or [("", "")]


def _with_gap(segment: str) -> tuple[str, str]:
    match = _SPACE.search(segment)
    if match is None or match.start() == 0:
        return segment, ""
    return segment[: match.start()], segment[match.start() :]


def _plain_map(tagged: str) -> tuple[str, list[int]]:
    """The reader's text of `tagged` and each of its characters' offset in `tagged`."""
    chars: list[str] = []
    offsets: list[int] = []
    for match in _TOKEN.finditer(tagged):
        token = match.group(0)
        if len(token) > 1 and token[0] == "<":
            continue
        if len(token) > 1 and token[0] == "&":
            chars.append(_ENTITY_CHAR.get(token, "x"))
            offsets.append(match.start())
            continue
        for index, char in enumerate(token):
            chars.append(char)
            offsets.append(match.start() + index)
    return "".join(chars), offsets


def depth_at(tagged: str, offset: int) -> int:
    """How many paired tags are open at `offset` of `tagged`."""
    level = 0
    for match in TAG_RE.finditer(tagged, 0, offset):
        if match.group(2) is not None:
            level = max(0, level - 1) if match.group(1) else level + 1
    return level
