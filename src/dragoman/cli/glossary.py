"""`dragoman glossary import|export|list`: glossaries, straight against the database."""

from __future__ import annotations

from pathlib import Path

import typer

from dragoman.cli.common import console, err_console, fail, open_database, org_id_of
from dragoman.core.assets import glossary, glossary_files
from dragoman.core.assets.glossary import parse_pair
from dragoman.errors import DragomanError
from dragoman.settings import Settings

glossary_app = typer.Typer(help="Glossaries (CSV, TBX).", no_args_is_help=True)

ORG = typer.Option(..., "--org", help="Organization name.")
PAIR = typer.Option(..., "--pair", help="Language pair SOURCE-TARGET (en-es, en:pt-BR).")


@glossary_app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .tbx file."),
    org: str = ORG,
    pair: str = PAIR,
) -> None:
    """Import terms: new source terms are added, known ones take the file's values."""
    db = open_database(Settings())
    try:
        chosen = parse_pair(pair)
        org_id = org_id_of(db, org)
        read = glossary_files.read_terms(file.read_bytes(), file.name, chosen)
        with db.write() as conn:
            result = glossary.upsert_terms(conn, org_id, chosen, read.terms)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    skipped = f", {read.skipped} entries without a {chosen.target} term skipped" * bool(
        read.skipped
    )
    console.print(
        f"{chosen.source} -> {chosen.target}: {result.created} new terms, "
        f"{result.updated} updated{skipped}",
        highlight=False,
    )


@glossary_app.command("export")
def export_file(
    file: Path = typer.Argument(..., dir_okay=False, help="The .csv or .tbx file to write."),
    org: str = ORG,
    pair: str = PAIR,
) -> None:
    """Export one language pair's terms: TBX for a .tbx file, else CSV."""
    fmt = glossary_files.format_of(file.name, b"")
    db = open_database(Settings())
    try:
        chosen = parse_pair(pair)
        org_id = org_id_of(db, org)
        with db.read() as conn:
            terms = list(glossary.iter_terms(conn, org_id, chosen))
        partial = file.with_name(file.name + ".part")
        partial.write_bytes(glossary_files.write_terms(terms, chosen, fmt))
        partial.replace(file)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"wrote {len(terms)} terms to {file}", highlight=False)


@glossary_app.command("list")
def list_terms(org: str = ORG, pair: str = PAIR) -> None:
    """Print one language pair's terms, one per line."""
    db = open_database(Settings())
    try:
        chosen = parse_pair(pair)
        org_id = org_id_of(db, org)
        with db.read() as conn:
            terms = list(glossary.iter_terms(conn, org_id, chosen))
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    for term in terms:
        flags = []
        if term.do_not_translate:
            flags.append("do not translate")
        if term.case_sensitive:
            flags.append("case sensitive")
        extra = f"  [{', '.join(flags)}]" if flags else ""
        print(f"{term.source_term}\t{term.target_term}{extra}")
    err_console.print(f"{len(terms)} terms", highlight=False, style="dim")


def register(app: typer.Typer) -> None:
    app.add_typer(glossary_app, name="glossary")
