"""Glossaries for the surfaces: async methods over `glossary`, reads on a thread, writes
through the batching writer (the Core exposes one as `core.glossaries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from sqlalchemy import Connection

from dragoman.core.assets import glossary, glossary_files
from dragoman.core.assets.glossary import GlossaryTerm, ImportResult, Pair, TermInput

if TYPE_CHECKING:
    from dragoman.store.db import Database
    from dragoman.store.writer import Writer


class GlossaryService:
    """An organization's glossaries: terms by pair, file import and export."""

    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    async def list_terms(
        self, org_id: str, pair: Pair, *, limit: int, offset: int
    ) -> tuple[list[GlossaryTerm], int]:
        """A page of the pair's terms and their total."""

        def read() -> tuple[list[GlossaryTerm], int]:
            with self.db.read() as conn:
                return glossary.list_terms(conn, org_id, pair, limit=limit, offset=offset)

        return await anyio.to_thread.run_sync(read)

    async def add_term(self, org_id: str, pair: Pair, entry: TermInput) -> GlossaryTerm:
        """A new term (409 when the source term is already there)."""
        glossary.checked(entry)  # a 422 before queueing the write

        def write(conn: Connection) -> GlossaryTerm:
            return glossary.add_term(conn, org_id, pair, entry)

        return await self.writer.run(write)

    async def delete_term(self, org_id: str, pair: Pair, term_id: str) -> None:
        """Delete a term (404 for unknown and foreign ids)."""

        def write(conn: Connection) -> None:
            glossary.delete_term(conn, org_id, pair, term_id)

        await self.writer.run(write)

    async def import_file(
        self, org_id: str, pair: Pair, data: bytes, filename: str | None
    ) -> tuple[ImportResult, int]:
        """Terms from a CSV or TBX file, added or updated; also how many entries were unusable."""
        read = await anyio.to_thread.run_sync(glossary_files.read_terms, data, filename, pair)

        def write(conn: Connection) -> ImportResult:
            return glossary.upsert_terms(conn, org_id, pair, read.terms)

        return await self.writer.run(write), read.skipped

    async def export_file(self, org_id: str, pair: Pair, fmt: str) -> bytes:
        """The pair's terms as a `csv` or `tbx` file."""

        def build() -> bytes:
            with self.db.read() as conn:
                return glossary_files.write_terms(
                    glossary.iter_terms(conn, org_id, pair), pair, fmt
                )

        return await anyio.to_thread.run_sync(build)
