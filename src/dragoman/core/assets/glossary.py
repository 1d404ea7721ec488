"""Glossaries: terms per organization and language pair, their storage and the pipeline's view.

A term has a target term, case sensitivity, a do-not-translate flag (its target is then the
source term itself), part of speech and a note; a source term appears once per organization
and pair. `terms_for` gives the pipeline a job's terms, falling back from a regional locale
to its language (`en-es` terms serve an `en` -> `es-MX` job unless `en-es-MX` has the term).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Row, delete, func, insert, select, update

from dragoman.content.terms import Term
from dragoman.core.assets.tm import parse_pair
from dragoman.core.assets.tm_index.base import Pair
from dragoman.errors import ConflictError, NotFoundError, ValidationError
from dragoman.ids import new_id
from dragoman.store.glossary_tables import glossary_terms as t
from dragoman.timefmt import utcnow

__all__ = ["Pair", "parse_pair"]

MAX_TERM = 500
MAX_POS = 40
MAX_NOTE = 2000
MAX_PAGE = 500
_CHUNK = 400  # source terms per IN (...) query: within SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class TermInput:
    """A term to store: what an import row or an API body carries."""

    source_term: str
    target_term: str = ""
    case_sensitive: bool = False
    do_not_translate: bool = False
    part_of_speech: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A stored term."""

    id: str
    pair: Pair
    source_term: str
    target_term: str
    case_sensitive: bool
    do_not_translate: bool
    part_of_speech: str | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many terms an import created and updated."""

    created: int
    updated: int


def _text(value: str | None, field: str, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters", field=field)
    return text or None


def checked(entry: TermInput) -> TermInput:
    """`entry` with its whitespace collapsed and limits checked; a do-not-translate term's
    target is its source; ValidationError names the field at fault."""
    source = _text(entry.source_term, "source_term", MAX_TERM)
    if source is None:
        raise ValidationError("source_term must not be empty", field="source_term")
    target = _text(entry.target_term, "target_term", MAX_TERM)
    if entry.do_not_translate:
        target = target or source
    elif target is None:
        raise ValidationError(
            f"target_term of {source!r} is empty (mark it do_not_translate to keep it as is)",
            field="target_term",
        )
    note = entry.note.strip() if entry.note else None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationError(f"note is longer than {MAX_NOTE} characters", field="note")
    return replace(
        entry,
        source_term=source,
        target_term=target,
        part_of_speech=_text(entry.part_of_speech, "part_of_speech", MAX_POS),
        note=note or None,
    )


def _values(entry: TermInput) -> dict[str, object]:
    return {
        "source_term": entry.source_term,
        "target_term": entry.target_term,
        "case_sensitive": entry.case_sensitive,
        "do_not_translate": entry.do_not_translate,
        "part_of_speech": entry.part_of_speech,
        "note": entry.note,
    }


def _of_pair(org_id: str, pair: Pair) -> Sequence[ColumnElement[bool]]:
    return (
        t.c.org_id == org_id,
        t.c.source_locale == pair.source,
        t.c.target_locale == pair.target,
    )


def _row(row: Row[tuple[object, ...]]) -> GlossaryTerm:
    m = row._mapping
    return GlossaryTerm(
        id=m["id"],
        pair=Pair(m["source_locale"], m["target_locale"]),
        source_term=m["source_term"],
        target_term=m["target_term"],
        case_sensitive=bool(m["case_sensitive"]),
        do_not_translate=bool(m["do_not_translate"]),
        part_of_speech=m["part_of_speech"],
        note=m["note"],
        created_at=m["created_at"],
    )


def add_term(conn: Connection, org_id: str, pair: Pair, entry: TermInput) -> GlossaryTerm:
    """Store one new term; ConflictError when the pair already has its source term."""
    entry = checked(entry)
    exists = conn.execute(
        select(t.c.id).where(*_of_pair(org_id, pair), t.c.source_term == entry.source_term)
    ).first()
    if exists is not None:
        raise ConflictError(
            f"the glossary already has {entry.source_term!r} (term {exists.id}); delete it first",
            field="source_term",
        )
    term_id = new_id("term")
    conn.execute(
        insert(t).values(
            id=term_id,
            org_id=org_id,
            source_locale=pair.source,
            target_locale=pair.target,
            created_at=utcnow(),
            **_values(entry),
        )
    )
    return get_term(conn, org_id, pair, term_id)


def upsert_terms(
    conn: Connection, org_id: str, pair: Pair, entries: Iterable[TermInput]
) -> ImportResult:
    """Store imported terms: new source terms are added, known ones take the new values (the
    last row wins within one import)."""
    latest = {e.source_term: e for e in map(checked, entries)}
    sources = list(latest)
    known: dict[str, str] = {}
    for start in range(0, len(sources), _CHUNK):
        rows = conn.execute(
            select(t.c.source_term, t.c.id).where(
                *_of_pair(org_id, pair), t.c.source_term.in_(sources[start : start + _CHUNK])
            )
        )
        known.update({row.source_term: row.id for row in rows})
    now = utcnow()
    fresh = [
        {"id": new_id("term"), "org_id": org_id, "source_locale": pair.source,
         "target_locale": pair.target, "created_at": now, **_values(entry)}
        for source, entry in latest.items()
        if source not in known
    ]  # fmt: skip
    if fresh:
        conn.execute(insert(t), fresh)
    for source, term_id in known.items():
        conn.execute(update(t).where(t.c.id == term_id).values(**_values(latest[source])))
    return ImportResult(created=len(fresh), updated=len(known))


def get_term(conn: Connection, org_id: str, pair: Pair, term_id: str) -> GlossaryTerm:
    """One term of the organization's pair; NotFoundError for unknown and foreign ids."""
    row = conn.execute(select(t).where(*_of_pair(org_id, pair), t.c.id == term_id)).first()
    if row is None:
        raise NotFoundError(f"glossary term {term_id!r} not found")
    return _row(row)


def list_terms(
    conn: Connection, org_id: str, pair: Pair, *, limit: int = 100, offset: int = 0
) -> tuple[list[GlossaryTerm], int]:
    """A page of the pair's terms in source-term order, and how many there are."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise ValidationError("offset must not be negative", field="offset")
    total = conn.execute(select(func.count()).select_from(t).where(*_of_pair(org_id, pair)))
    rows = conn.execute(
        select(t)
        .where(*_of_pair(org_id, pair))
        .order_by(t.c.source_term, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [_row(r) for r in rows], int(total.scalar_one())


def iter_terms(conn: Connection, org_id: str, pair: Pair) -> Iterator[GlossaryTerm]:
    """Every term of the pair, in source-term order."""
    rows = conn.execute(select(t).where(*_of_pair(org_id, pair)).order_by(t.c.source_term))
    for row in rows:
        yield _row(row)


def delete_term(conn: Connection, org_id: str, pair: Pair, term_id: str) -> None:
    """Delete one term; NotFoundError for unknown and foreign ids."""
    done = conn.execute(delete(t).where(*_of_pair(org_id, pair), t.c.id == term_id))
    if done.rowcount == 0:
        raise NotFoundError(f"glossary term {term_id!r} not found")


def _with_language(tag: str) -> list[str]:
    language = tag.split("-", 1)[0]
    return [tag] if language == tag else [tag, language]


def terms_for(conn: Connection, org_id: str, source_locale: str, target_locale: str) -> list[Term]:
    """The terms a job of this pair applies: the exact pair's first, then its languages'."""
    sources, targets = _with_language(source_locale), _with_language(target_locale)
    found = conn.execute(
        select(
            t.c.source_locale,
            t.c.target_locale,
            t.c.source_term,
            t.c.target_term,
            t.c.case_sensitive,
            t.c.do_not_translate,
        ).where(
            t.c.org_id == org_id,
            t.c.source_locale.in_(sources),
            t.c.target_locale.in_(targets),
        )
    )
    # Most specific pair first, so a regional term wins over its language's.
    rows = sorted(
        found, key=lambda r: sources.index(r.source_locale) + targets.index(r.target_locale)
    )
    chosen: dict[str, Term] = {}
    for row in rows:
        chosen.setdefault(
            row.source_term,
            Term(
                row.source_term,
                row.target_term,
                bool(row.case_sensitive),
                bool(row.do_not_translate),
            ),
        )
    return list(chosen.values())


def pair_summaries(conn: Connection, org_id: str) -> list[tuple[str, str, int, datetime | None]]:
    """(source locale, target locale, term count, first term's time) per pair with terms."""
    rows = conn.execute(
        select(t.c.source_locale, t.c.target_locale, func.count(), func.min(t.c.created_at))
        .where(t.c.org_id == org_id)
        .group_by(t.c.source_locale, t.c.target_locale)
        .order_by(t.c.source_locale, t.c.target_locale)
    ).all()
    return [(r[0], r[1], int(r[2]), r[3]) for r in rows]
