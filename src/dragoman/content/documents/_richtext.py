"""SpreadsheetML rich text (`si`, inline `is`, comment `text`): plain `<t>` or runs
`<r><rPr/><t/></r>`, read as tagged text and rebuilt from translated pieces."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from lxml import etree

from dragoman.content.documents.inline import TaggedBuilder, pieces

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_BREAK = re.compile(r"(\r\n|\n|\r)")
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Run:
    """A paired tag's payload: the run properties of the text inside it (None: none)."""

    rpr: etree._Element | None


@dataclass(frozen=True, slots=True)
class Rich:
    """How one rich-text element is written back."""

    payloads: dict[int, Any] = field(default_factory=dict)  # tag -> Run, or "\n" for a break
    dominant: etree._Element | None = None
    runs: bool = False  # written as runs, else one <t>


def clean(text: str) -> str:
    """Text with the characters XML 1.0 cannot hold removed."""
    return _INVALID.sub("", text)


def add_text(builder: TaggedBuilder, text: str) -> None:
    """Literal text, its line breaks as empty tags."""
    for index, part in enumerate(_BREAK.split(text)):
        if index % 2:
            builder.empty("\n")
        else:
            builder.text(part)


def read(rst: etree._Element) -> tuple[str, Rich]:
    """The tagged text of a rich-text element and what rebuilding it needs."""
    ns = rst.tag[: rst.tag.index("}") + 1] if rst.tag.startswith("{") else ""
    builder = TaggedBuilder()
    runs = [child for child in rst if child.tag == f"{ns}r"]
    if not runs:
        plain_t = rst.find(f"{ns}t")
        add_text(builder, (plain_t.text or "") if plain_t is not None else "")
        return builder.result(), Rich(builder.payloads)
    keyed: list[tuple[bytes, etree._Element | None, str]] = []
    weights: dict[bytes, int] = {}
    for run in runs:
        rpr = run.find(f"{ns}rPr")
        t = run.find(f"{ns}t")
        text = (t.text or "") if t is not None else ""
        key = etree.tostring(rpr) if rpr is not None else b""
        weights[key] = weights.get(key, 0) + len(text)
        keyed.append((key, rpr, text))
    top = max(weights.values())
    dominant_key = next(k for k, weight in weights.items() if weight == top)
    dominant = next(rpr for key, rpr, _ in keyed if key == dominant_key)
    for key, group in groupby(keyed, key=lambda item: item[0]):
        items = list(group)
        text = "".join(item[2] for item in items)
        if key == dominant_key:
            add_text(builder, text)
        else:
            tag = builder.open(Run(items[0][1]))
            add_text(builder, text)
            builder.close(tag)
    return builder.result(), Rich(builder.payloads, dominant, True)


def write(rst: etree._Element, tagged: str, rich: Rich) -> None:
    """Replace the text of `rst` (a copy owned by the caller) with `tagged`."""
    ns = rst.tag[: rst.tag.index("}") + 1] if rst.tag.startswith("{") else ""
    for child in list(rst):
        if child.tag in (f"{ns}t", f"{ns}r"):
            rst.remove(child)
    pairs = [tag for tag, payload in rich.payloads.items() if isinstance(payload, Run)]
    empties = [tag for tag, payload in rich.payloads.items() if payload == "\n"]
    flat = pieces(tagged, pairs, empties)
    if not rich.runs:
        t = rst.makeelement(f"{ns}t")
        set_text(t, "".join("\n" if p.empty is not None else p.text for p in flat))
        rst.insert(0, t)
        return
    runs: list[tuple[etree._Element | None, str]] = []
    for piece in flat:
        rpr = rich.dominant
        for tag in reversed(piece.tags):
            payload = rich.payloads.get(tag)
            if isinstance(payload, Run):
                rpr = payload.rpr
                break
        text = "\n" if piece.empty is not None else piece.text
        if runs and runs[-1][0] is rpr:
            runs[-1] = (rpr, runs[-1][1] + text)
        else:
            runs.append((rpr, text))
    for index, (rpr, text) in enumerate(runs):
        run = rst.makeelement(f"{ns}r")
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        set_text(etree.SubElement(run, f"{ns}t"), text)
        rst.insert(index, run)


def set_text(t: etree._Element, text: str) -> None:
    """A `<t>`'s text, with `xml:space="preserve"` where spaces at its ends or breaks need it."""
    text = clean(text)
    t.text = text
    if text != text.strip() or "\n" in text:
        t.set(XML_SPACE, "preserve")
