"""SubRip (`.srt`) and WebVTT (`.vtt`) subtitles: one paragraph per cue, spliced back in place.

A cue's text is one unit (`segment=False`): cues are short and a sentence often runs over two
of them, so splitting inside a cue gains nothing, while joining cues would lose the timing.
Line breaks inside a cue are `<xN/>`; `<i>`, `<b>`, `<u>`, `<font>`, VTT `<c.class>`,
`<v Speaker>`, `<lang>` and `<ruby>` are paired tags (a VTT `<v>` left open closes at the end
of the cue); VTT timestamps and SRT `{\\an8}` overrides are empty tags. Indexes, timings,
cue settings and the VTT header, NOTE, STYLE and REGION blocks are never units. Everything
but the rewritten cue text stays byte-identical (encoding, BOM, line endings).

pysrt and webvtt-py are not used: both rebuild the file from their model (pysrt rewrites
the timings and numbering, webvtt-py drops NOTE blocks and normalizes line endings), and
neither exposes the cue text's offsets; a small tolerant reader that splices is shorter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dragoman.content.documents.base import DocumentCodec, Paragraph
from dragoman.content.documents.htmlflow import shared_depth
from dragoman.content.documents.inline import TaggedBuilder, pieces
from dragoman.content.model import Limits
from dragoman.errors import FileFormatError

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_TIMING = re.compile(r"^\s*(\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}")
_INLINE = re.compile(
    r"<(/?)([A-Za-z]+|\d[\d:.]*)((?:[.][^\s<>.]+)*)(?:\s[^<>]*)?>|\{\\[^{}\n]*\}|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);"
)
_SRT_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_VTT_BLOCKS = ("NOTE", "STYLE", "REGION")
_LANGUAGE = re.compile(r"^(Language:[ \t]*)([^\r\n]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int  # offset of the cue text in the decoded file
    end: int  # end of its last line, before the line ending
    payloads: Mapping[int, str]  # tag -> its raw opening tag, or an empty tag's raw text
    pairs: frozenset[int]
    closings: Mapping[int, str]  # paired tag -> its raw closing tag (none: closed by the end)


@dataclass(frozen=True, slots=True)
class _Subtitles:
    text: str
    encoding: str
    bom: bytes
    cues: Mapping[str, _Cue]
    language: tuple[int, int] | None  # the VTT header's `Language:` value


class _SubtitleCodec(DocumentCodec):
    vtt = False

    def read(self, data: bytes, *, limits: Limits) -> tuple[list[Paragraph], Any]:
        encoding, bom = _encoding(data)
        try:
            text = data[len(bom) :].decode(encoding)
        except UnicodeDecodeError:  # legacy subtitles: Windows-1252 is by far the most common
            encoding, text = "cp1252", data[len(bom) :].decode("latin-1")
        if "\x00" in text:
            raise FileFormatError("the subtitles hold NUL characters: is it really a text file?")
        lines = [(m.start(), m.group(0)) for m in _LINE.finditer(text)]
        language = None
        index = 0
        if self.vtt:
            if not text.startswith("WEBVTT"):
                raise FileFormatError("line 1: a WebVTT file starts with WEBVTT")
            index, language = _header(lines)
        paragraphs: list[Paragraph] = []
        cues: dict[str, _Cue] = {}
        while index < len(lines):
            if not lines[index][1].strip():
                index += 1
                continue
            block_end = index
            while block_end < len(lines) and lines[block_end][1].strip():
                block_end += 1
            block = lines[index:block_end]
            index = block_end
            first = block[0][1]
            if self.vtt and first.split(maxsplit=1)[0] in _VTT_BLOCKS:
                continue
            timing = next((n for n, (_, line) in enumerate(block[:3]) if _TIMING.match(line)), None)
            if timing is None or timing + 1 >= len(block):
                continue  # a stray line or an empty cue: nothing to translate
            text_lines = block[timing + 1 :]
            cue_id = f"c{len(cues) + 1}"
            paragraph, cue = _cue(cue_id, text_lines, block[timing][1].strip(), vtt=self.vtt)
            if paragraph is not None:
                paragraphs.append(paragraph)
                cues[cue_id] = cue
        return paragraphs, _Subtitles(text, encoding, bom, cues, language)

    def write(self, skeleton: Any, texts: Mapping[str, str], *, target_locale: str) -> bytes:
        assert isinstance(skeleton, _Subtitles)
        edits: list[tuple[int, int, str]] = []
        for cue_id, tagged in texts.items():
            cue = skeleton.cues[cue_id]
            edits.append((cue.start, cue.end, _render(tagged, cue, vtt=self.vtt)))
        if skeleton.language is not None:
            edits.append((*skeleton.language, target_locale))
        out: list[str] = []
        position = 0
        for start, end, replacement in sorted(edits):
            out.append(skeleton.text[position:start])
            out.append(replacement)
            position = end
        out.append(skeleton.text[position:])
        joined = "".join(out)
        try:
            return skeleton.bom + joined.encode(skeleton.encoding)
        except UnicodeEncodeError:  # the target's script is not in the legacy code page
            return b"\xef\xbb\xbf" + joined.encode("utf-8")


class SrtCodec(_SubtitleCodec):
    """`.srt`: SubRip cues (index, timing, text lines)."""

    name = "srt"
    extensions = (".srt",)
    media_types = ("application/x-subrip",)


class VttCodec(_SubtitleCodec):
    """`.vtt`: WebVTT cues; the header, NOTE, STYLE and REGION blocks are left alone."""

    name = "vtt"
    extensions = (".vtt",)
    media_types = ("text/vtt",)
    vtt = True

    def sniff(self, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT")


def _header(lines: list[tuple[int, str]]) -> tuple[int, tuple[int, int] | None]:
    """The index of the line after the header block, and its `Language:` value's span."""
    language = None
    index = 0
    while index < len(lines) and lines[index][1].strip():
        found = _LANGUAGE.match(lines[index][1])
        if found:
            language = (lines[index][0] + found.end(1), lines[index][0] + found.end(2))
        index += 1
    return index, language


def _cue(
    cue_id: str, lines: list[tuple[int, str]], timing: str, *, vtt: bool
) -> tuple[Paragraph | None, _Cue]:
    last_offset, last = lines[-1]
    builder = TaggedBuilder()
    stack: list[tuple[str, int]] = []
    closings: dict[int, str] = {}
    for number, (_offset, line) in enumerate(lines):
        body = line.rstrip("\r\n")
        if number:
            previous = lines[number - 1][1]
            builder.empty(previous[len(previous.rstrip("\r\n")) :])
        _inline(builder, body, stack, closings, vtt=vtt)
    for _name, tag in reversed(stack):  # a VTT `<v Speaker>` is often never closed
        builder.close(tag)
    tagged = builder.result()
    end = last_offset + len(last.rstrip("\r\n"))
    pairs = frozenset(_open_ids(tagged))
    cue = _Cue(lines[0][0], end, dict(builder.payloads), pairs, closings)
    if not tagged:
        return None, cue
    return Paragraph(cue_id, tagged, context=(timing,), segment=False), cue


def _inline(
    builder: TaggedBuilder,
    line: str,
    stack: list[tuple[str, int]],
    closings: dict[int, str],
    *,
    vtt: bool,
) -> None:
    position = 0
    for match in _INLINE.finditer(line):
        builder.text(line[position : match.start()])
        position = match.end()
        raw = match.group(0)
        if raw[0] == "&":
            decoded = html.unescape(raw) if vtt else _SRT_ENTITIES.get(raw, raw)
            if decoded == raw:
                builder.empty(raw)  # kept as written
            else:
                builder.text(decoded)
            continue
        if raw[0] == "{" or raw[1 + len(match.group(1))].isdigit():
            builder.empty(raw)  # an SRT override `{\\an8}` or a VTT timestamp
            continue
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append((name, builder.open(raw)))
            continue
        opened = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name), None)
        if opened is None:
            builder.empty(raw)
            continue
        for _name, tag in reversed(stack[opened:]):
            builder.close(tag)
        closings[stack[opened][1]] = raw
        del stack[opened:]
    builder.text(line[position:])


def _open_ids(tagged: str) -> set[int]:
    return {int(number) for number in re.findall(r"<g(\d+)>", tagged)}


def _render(tagged: str, cue: _Cue, *, vtt: bool) -> str:
    empties = set(cue.payloads) - cue.pairs
    out: list[str] = []
    open_now: tuple[int, ...] = ()
    line_break = ""  # held back until text follows: a cue never starts, ends or breaks blank
    for piece in pieces(tagged, cue.pairs, empties):
        raw = cue.payloads[piece.empty] if piece.empty is not None else ""
        if raw in ("\n", "\r\n"):
            line_break = raw if "".join(out).strip() else ""
            continue
        common = shared_depth(open_now, piece.tags)
        out.extend(cue.closings.get(tag, "") for tag in reversed(open_now[common:]))
        if line_break and (raw or piece.text.strip()):
            out.append(line_break)
            line_break = ""
        out.extend(cue.payloads[tag] for tag in piece.tags[common:])
        open_now = piece.tags
        out.append(raw or _escape(piece.text, vtt=vtt))
    out.extend(cue.closings.get(tag, "") for tag in reversed(open_now))
    return "".join(out)


def _escape(text: str, *, vtt: bool) -> str:
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)  # a blank line would end the cue
    if vtt:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace("\xa0", "&nbsp;")
    # SubRip has no escapes; only what would read as a tag or an entity is written as one.
    text = re.sub(r"&(?=[A-Za-z]+;|#)", "&amp;", text)
    return re.sub(r"<(?=[A-Za-z/{\d])", "&lt;", text)


def _encoding(data: bytes) -> tuple[str, bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8", b"\xef\xbb\xbf"
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le", b"\xff\xfe"
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be", b"\xfe\xff"
    return "utf-8", b""
