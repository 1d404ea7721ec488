"""Gengo file jobs: a file uploaded with a quote is parsed by its codec (which decides what
is translatable and how many words that is), stored, and remembered by an identifier that
an order of `type: file` names later."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dragoman.core.files import PreparedFile
from dragoman.errors import ValidationError
from dragoman.store.gengo_tables import gengo_file_quotes
from dragoman.store.tables import artifacts
from dragoman.timefmt import utcnow


@dataclass(frozen=True, slots=True)
class FileQuote:
    """A quoted file, ready to be ordered."""

    identifier: str
    artifact_id: str
    lc_src: str
    filename: str
    sha256: str
    unit_count: int
    artifact_format: str
    artifact_kind: str
    units: int


def record_quote(conn: Connection, org_id: str, prepared: PreparedFile, size: int) -> str:
    """The artifact row of a quoted file (its bytes already stored) and its identifier."""
    codec = prepared.codec
    identifier = secrets.token_hex(16)
    now = utcnow()
    conn.execute(
        insert(artifacts).values(
            id=prepared.artifact_id, org_id=org_id, kind=str(codec.kind), format=codec.name,
            filename=prepared.filename, media_type=codec.media_types[0], sha256=prepared.sha256,
            size=size, blob_key=prepared.blob_key, units=prepared.units, created_at=now,
        )
    )  # fmt: skip
    conn.execute(
        insert(gengo_file_quotes).values(
            identifier=identifier, org_id=org_id, artifact_id=prepared.artifact_id,
            lc_src=prepared.source_locale, filename=prepared.filename, sha256=prepared.sha256,
            unit_count=prepared.words, created_at=now,
        )
    )  # fmt: skip
    return identifier


def find_quote(conn: Connection, org_id: str, identifier: str, field: str) -> FileQuote:
    """The organization's quoted file; ValidationError (Gengo 1302) otherwise."""
    row = conn.execute(
        select(gengo_file_quotes, artifacts.c.format, artifacts.c.kind, artifacts.c.units)
        .join(artifacts, artifacts.c.id == gengo_file_quotes.c.artifact_id)
        .where(gengo_file_quotes.c.identifier == identifier, gengo_file_quotes.c.org_id == org_id)
    ).first()
    if row is None:
        raise ValidationError(
            f"identifier {identifier[:40]!r} names no quoted file", field=field, gengo_code=1302
        )
    return FileQuote(
        row.identifier, row.artifact_id, row.lc_src, row.filename, row.sha256, row.unit_count,
        row.format, row.kind, int(row.units or 0),
    )  # fmt: skip


def group_row(quote: FileQuote) -> dict[str, Any]:
    """The group columns of a file job (the source artifact is the quote's)."""
    return {
        "artifact_kind": quote.artifact_kind,
        "artifact_format": quote.artifact_format,
        "source_artifact_id": quote.artifact_id,
        "units_total": quote.units,
        "words_total": quote.unit_count,
    }


def mark_ordered(conn: Connection, identifier: str) -> None:
    """Remember that a quote was ordered (retention deletes only quotes never ordered)."""
    quotes = gengo_file_quotes.c
    conn.execute(
        update(gengo_file_quotes)
        .where(quotes.identifier == identifier, quotes.ordered_at.is_(None))
        .values(ordered_at=utcnow())
    )
