"""`dragoman estimate FILE --to es,fr`: words per CAT match band and the price, per target;
against the configured database (`--org`, its TM and rate cards), a server (`--server`),
or neither (no TM, the default rate card)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.table import Table

from dragoman.cli.common import console, err_console, open_database
from dragoman.client import DragomanAPIError
from dragoman.client.calls import Call
from dragoman.core.analysis import BANDS, CAT_LABELS
from dragoman.core.estimates import DEFAULT_SERVICE_LEVEL, EstimateRequest, analyse_request
from dragoman.errors import DragomanError
from dragoman.settings import Settings


def _embedded(request: EstimateRequest, org: str | None) -> dict[str, Any]:
    from dragoman.cli.common import org_id_of
    from dragoman.core.assets.tm import TranslationMemory
    from dragoman.core.assets.tm_index import for_database
    from dragoman.surfaces.native.estimate import render

    settings = Settings()
    if org is None:
        return render(analyse_request(request, settings=settings, db=None, tm=None, org_id=""))
    db = open_database(settings)
    try:
        org_id = org_id_of(db, org)
        tm = TranslationMemory(for_database(db))
        return render(analyse_request(request, settings=settings, db=db, tm=tm, org_id=org_id))
    finally:
        db.dispose()


def _remote(request: EstimateRequest, server: str, key: str) -> dict[str, Any]:
    fields = {
        "sourceLocale": request.source_locale,
        "targetLocales": ",".join(request.target_locales),
        "serviceLevel": request.service_level,
    }
    if request.format:
        fields["format"] = request.format
    call = Call(
        "POST",
        "/jobs/estimate/files",
        files={"file": (request.filename or "upload", request.file or b"")},
        data=fields,
    )
    with httpx.Client(base_url=server.rstrip("/"), headers={"X-API-Key": key}, timeout=300) as http:
        response = http.post(call.path, files=call.files, data=call.data)
    result: dict[str, Any] = call.read(response)
    return result


def _money(value: float) -> str:
    return f"{Decimal(str(value)):,.2f}"


def show(estimate: dict[str, Any]) -> None:
    """A table of bands x segments, words, characters per target, then its price."""
    where = f" ({estimate['filename']})" if estimate.get("filename") else ""
    console.print(
        f"[bold]{estimate['format']}{where}[/], from {estimate['sourceLocale']}, "
        f"service level {estimate['serviceLevel']}",
        highlight=False,
    )
    for target in estimate["targets"]:
        table = Table(title=f"{estimate['sourceLocale']} -> {target['targetLocale']}")
        table.add_column("Match")
        for name in ("Segments", "Words", "Characters", "Words %"):
            table.add_column(name, justify="right")
        total = target["total"]
        for band in BANDS:
            counts = target["bands"][band]
            table.add_row(CAT_LABELS[band], *_cells(counts, total["words"]))
        table.add_section()
        table.add_row("[bold]Total", *_cells(total, total["words"]))
        table.add_row("Machine translation", *_cells(target["machine"], total["words"]))
        console.print(table)
        price, card = target["price"], target["rateCard"]
        currency = price["currencyCode"]
        origin = "default rate card" if card["default"] else "rate card"
        console.print(
            f"  {origin} {card['serviceLevel']} {card['sourceLocale']}-{card['targetLocale']}: "
            f"{_money(card['ratePerWord'])} {currency}/word",
            highlight=False,
        )
        console.print(
            f"  price: {_money(price['totalWoVatWDiscount'])} {currency} without VAT, "
            f"{_money(price['totalWVatWDiscount'])} with VAT"
            + (
                f" (before discount: {_money(price['totalWoVatWoDiscount'])} / "
                f"{_money(price['totalWVatWoDiscount'])})"
                if price["totalWoVatWoDiscount"] != price["totalWoVatWDiscount"]
                else ""
            ),
            highlight=False,
        )


def _cells(counts: dict[str, int], total_words: int) -> list[str]:
    share = 100 * counts["words"] / total_words if total_words else 0.0
    return [
        str(counts["segments"]),
        str(counts["words"]),
        str(counts["characters"]),
        f"{share:.1f}",
    ]


def estimate(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A resource file or document."
    ),
    targets: str = typer.Option(..., "--to", help="Target locales, comma-separated: es,fr."),
    source: str = typer.Option("auto", "--from", help="Source locale, or auto to detect it."),
    org: str | None = typer.Option(
        None, "--org", help="Organization (configured database): its TM and rate cards."
    ),
    service_level: str = typer.Option(DEFAULT_SERVICE_LEVEL, "--service-level"),
    format: str | None = typer.Option(None, "--format", help="Codec name, over the extension."),
    server: str | None = typer.Option(
        None, "--server", envvar="DRAGOMAN_SERVER", help="Base URL of a running server."
    ),
    key: str | None = typer.Option(
        None, "--api-key", "--key", envvar="DRAGOMAN_API_KEY", help="API key, with --server."
    ),
) -> None:
    """Analyse FILE per target locale (repetitions, 101%, 100%, fuzzy bands, no match) and
    price it with the organization's rate card."""
    locales = [t.strip() for t in targets.split(",") if t.strip()]
    if not locales:
        err_console.print("[red]--to must name at least one locale")
        raise typer.Exit(2)
    request = EstimateRequest(
        source_locale=source,
        target_locales=locales,
        file=file.read_bytes(),
        filename=file.name,
        format=format,
        service_level=service_level,
    )
    if server and org:
        err_console.print(
            "[red]--org reads the configured database; --server asks a server: not both"
        )
        raise typer.Exit(2)
    try:
        if server:
            if not key:
                err_console.print("[red]--server needs --api-key (or DRAGOMAN_API_KEY)")
                raise typer.Exit(2)
            result = _remote(request, server, key)
        else:
            result = _embedded(request, org)
    except DragomanAPIError as exc:
        err_console.print(f"[red]{exc}", highlight=False)
        raise typer.Exit(1) from exc
    except DragomanError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err_console.print(f"[red]{exc.message}{where}", highlight=False)
        raise typer.Exit(2) from exc
    show(result)


def register(app: typer.Typer) -> None:
    app.command()(estimate)
