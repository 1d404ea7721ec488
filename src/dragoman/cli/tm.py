"""`dragoman tm import|export`: translation memories, straight against the database."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from dragoman.cli.common import console, err_console, fail, open_database, org_id_of
from dragoman.core.assets import tm_io
from dragoman.core.assets.tm import TranslationMemory, parse_pair
from dragoman.core.assets.tm_index import for_database
from dragoman.core.assets.tm_index.base import Pair
from dragoman.errors import DragomanError, ValidationError
from dragoman.settings import Settings

tm_app = typer.Typer(help="Translation memories (TMX, PO, XLIFF).", no_args_is_help=True)

ORG = typer.Option(..., "--org", help="Organization name.")
PAIR_HELP = "Language pair SOURCE-TARGET (en-es, en:pt-BR)."


@tm_app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .tmx, .po or .xliff."),
    org: str = ORG,
    pair: str | None = typer.Option(None, "--pair", help=PAIR_HELP + " Needed for PO."),
) -> None:
    """Import a TMX file, or the translations of a bilingual PO or XLIFF file."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        tm = TranslationMemory(for_database(db))
        chosen = parse_pair(pair) if pair else None
        if file.suffix.lower() == ".tmx":
            added = _import_tmx(tm, org_id, file, chosen)
        else:
            data = file.read_bytes()
            chosen = chosen or tm_io.file_pair(data)
            if chosen is None:
                raise ValidationError(f"{file.name} does not name its languages: give --pair")
            added = {chosen: tm_io.import_bilingual(tm, org_id, data, file.name, chosen)}
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    for item, count in added.items():
        console.print(f"{item.source} -> {item.target}: {count} new entries", highlight=False)


def _import_tmx(
    tm: TranslationMemory, org_id: str, file: Path, pair: Pair | None
) -> dict[Pair, int]:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.completed:,} units"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task(f"importing {file.name}", total=None)

        def advance(units: int) -> None:
            progress.update(task, completed=units)

        # A path, not a stream: a large file is then parsed in a reader process of its own.
        return tm_io.import_tmx(tm, org_id, str(file), pair=pair, progress=advance)


@tm_app.command("export")
def export_file(
    file: Path = typer.Argument(..., dir_okay=False, help="The .tmx file to write."),
    org: str = ORG,
    pair: str = typer.Option(..., "--pair", help=PAIR_HELP),
) -> None:
    """Export one language pair of an organization's memory as TMX 1.4."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        chosen = parse_pair(pair)
        tm = TranslationMemory(for_database(db))
        partial = file.with_name(file.name + ".part")
        with partial.open("wb") as out:
            count = tm_io.export_tmx(tm, org_id, chosen, out)
        partial.replace(file)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"wrote {count} entries to {file}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(tm_app, name="tm")
