"""What the workbench templates show: a segment's source and target cut into pieces (plain
text, placeholder and tag chips, glossary terms), so the templates escape every piece and
never build markup from data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dragoman.content.model import UnitState
from dragoman.content.placeholders import span_pattern
from dragoman.core import human_queries
from dragoman.core.human_queries import JobDetail, SegmentView
from dragoman.core.status import JobStatus

EDITABLE = (JobStatus.IN_PROGRESS, JobStatus.REVISING)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a segment: `text`, a `chip` (a span the translation keeps) or a glossary
    `term` (`title`: its translation)."""

    kind: Literal["text", "chip", "term"]
    text: str
    title: str = ""


def split_spans(text: str, keep: Sequence[str]) -> list[Piece]:
    """`text` as text and chip pieces; only spans listed in `keep` become chips (a tag the
    source does not have stays text, and QA flags it)."""
    pattern = span_pattern(text)
    if pattern is None or not keep:
        return [Piece("text", text)] if text else []
    wanted = set(keep)
    pieces: list[Piece] = []
    for i, part in enumerate(pattern.split(text)):
        if not part:
            continue
        kind: Literal["text", "chip"] = "chip" if i % 2 == 1 and part in wanted else "text"
        if kind == "text" and pieces and pieces[-1].kind == "text":
            pieces[-1] = Piece("text", pieces[-1].text + part)
        else:
            pieces.append(Piece(kind, part))
    return pieces


def mark_terms(pieces: list[Piece], terms: Sequence[dict[str, Any]]) -> list[Piece]:
    """The text pieces with each glossary term's occurrences cut out as `term` pieces."""
    found = sorted(
        ((str(t["source"]), _term_title(t)) for t in terms if t.get("source")),
        key=lambda item: -len(item[0]),
    )
    if not found:
        return pieces
    out: list[Piece] = []
    for piece in pieces:
        if piece.kind != "text":
            out.append(piece)
            continue
        rest = piece.text
        while rest:
            hits = [(rest.find(s), s, title) for s, title in found if s in rest]
            if not hits:
                out.append(Piece("text", rest))
                break
            at, surface, title = min(hits, key=lambda h: (h[0], -len(h[1])))
            if at:
                out.append(Piece("text", rest[:at]))
            out.append(Piece("term", surface, title))
            rest = rest[at + len(surface) :]
    return out


def _term_title(term: dict[str, Any]) -> str:
    if term.get("doNotTranslate"):
        return "do not translate"
    return f"\u2192 {term.get('target') or ''}"


@dataclass(frozen=True, slots=True)
class SegmentCard:
    """One segment as the editor lays it out."""

    id: int
    key: str
    category: str | None
    note: str | None
    source_text: str
    source: list[Piece]
    target: list[Piece]
    target_text: str
    machine: str | None
    placeholders: list[str]
    tm: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    qa: list[dict[str, str]]
    max_length: int | None
    done: bool


def card(view: SegmentView) -> SegmentCard:
    """The editor's card for one segment."""
    seg = view.segment
    target = seg.target or ""
    return SegmentCard(
        id=seg.id,
        key=seg.unit_id,
        category=seg.category,
        note=seg.note,
        source_text=seg.source,
        source=mark_terms(split_spans(seg.source, view.placeholders), view.terms),
        target=split_spans(target, view.placeholders),
        target_text=target,
        machine=seg.machine,
        placeholders=list(dict.fromkeys(view.placeholders)),
        tm=human_queries.render_match(view.tm),
        terms=view.terms,
        qa=view.warnings,
        max_length=seg.max_length,
        done=seg.state in (UnitState.HUMAN, UnitState.APPROVED),
    )


@dataclass(frozen=True, slots=True)
class Editor:
    """The editor page's model: the job, its cards, and how far along it is."""

    detail: JobDetail
    cards: list[SegmentCard]
    editable: bool
    done: int

    @property
    def total(self) -> int:
        return len(self.cards)


def editor(detail: JobDetail) -> Editor:
    """The editor of a job as the translator sees it."""
    cards = [card(v) for v in detail.segments]
    editable = detail.job.status in EDITABLE
    return Editor(detail, cards, editable, sum(1 for c in cards if c.done))
