"""`dragoman rates set|list|delete`: an organization's rate cards, straight against the database."""

from __future__ import annotations

from decimal import Decimal

import typer
from rich.table import Table

from dragoman.cli.common import console, fail, open_database, org_id_of
from dragoman.core.analysis import BANDS, CAT_LABELS
from dragoman.core.assets.tm import parse_pair
from dragoman.core.quotes import ANY, DEFAULT_CARD, RateCard
from dragoman.core.rate_cards import delete_rate_card, list_rate_cards, set_rate_card
from dragoman.errors import DragomanError, ValidationError
from dragoman.settings import Settings

rates_app = typer.Typer(help="Rate cards: prices per service level and pair.", no_args_is_help=True)

ORG = typer.Option(..., "--org", help="Organization name.")
LEVEL = typer.Option("standard", "--service-level", help="Service level, or * for any.")
PAIR = typer.Option(
    ANY, "--pair", help="SOURCE-TARGET (en-es, en:pt-BR), either side * (en-*, *-es), or * for any."
)


def pair_scope(text: str) -> tuple[str, str]:
    """(source, target) of a `--pair`, either of which may be `*`."""
    text = text.strip()
    if text == ANY:
        return ANY, ANY
    for sep in (":", "/", ">", "-"):
        head, found, tail = text.partition(sep)
        if found and ANY in (head, tail):
            source = ANY if head == ANY else parse_pair(f"{head}:en").source
            target = ANY if tail == ANY else parse_pair(f"en:{tail}").target
            return source, target
    pair = parse_pair(text)
    return pair.source, pair.target


def weights_option(text: str | None) -> dict[str, str] | None:
    """`EXACT=0.3,REPETITION=0.2` as a mapping (bands as in BANDS)."""
    if not text:
        return None
    out: dict[str, str] = {}
    for item in text.split(","):
        band, found, weight = item.partition("=")
        if not found:
            raise ValidationError(f"--weights: {item!r} is not BAND=WEIGHT", field="weights")
        out[band.strip().upper()] = weight.strip()
    return out


@rates_app.command("set")
def set_card(
    org: str = ORG,
    service_level: str = LEVEL,
    pair: str = PAIR,
    currency: str = typer.Option("EUR", "--currency", help="ISO 4217 code."),
    rate: str = typer.Option(..., "--rate", help="Price per word, e.g. 0.08."),
    weights: str = typer.Option(
        None, "--weights", help="Band weights over the defaults: EXACT=0.3,REPETITION=0.2."
    ),
    minimum: str = typer.Option("0", "--minimum", help="Minimum charge per job."),
    vat: str = typer.Option("0", "--vat", help="VAT rate: 0.21 or 21%."),
    discount: str = typer.Option("0", "--discount", help="Discount: 0.05 or 5%."),
) -> None:
    """Set the rate card of a service level and pair (replacing the one there was)."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        source, target = pair_scope(pair)
        with db.write() as conn:
            card = set_rate_card(
                conn, org_id, service_level=service_level, source_locale=source,
                target_locale=target, currency=currency, rate_per_word=rate,
                weights=weights_option(weights), minimum_charge=minimum, vat_rate=vat,
                discount=discount,
            )  # fmt: skip
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(
        f"{card.service_level} {card.source_locale}-{card.target_locale}: "
        f"{card.rate_per_word} {card.currency}/word",
        highlight=False,
    )


@rates_app.command("list")
def list_cards(org: str = ORG) -> None:
    """The organization's rate cards, and the default that applies where none does."""
    db = open_database(Settings())
    try:
        with db.read() as conn:
            cards = list_rate_cards(conn, org_id_of(db, org))
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    table = Table(title=f"Rate cards of {org}")
    for name in ("Service level", "Pair", "Currency", "Per word", "Minimum", "VAT", "Discount"):
        table.add_column(name, no_wrap=True)
    table.add_column("Band weights", no_wrap=True)
    for card in [*cards, DEFAULT_CARD]:
        table.add_row(*_row(card))
    console.print(table)


def _row(card: RateCard) -> list[str]:
    level = "(default)" if card.id is None else card.service_level
    return [
        level,
        f"{card.source_locale}-{card.target_locale}",
        card.currency,
        str(card.rate_per_word),
        str(card.minimum_charge),
        _percent(card.vat_rate),
        _percent(card.discount),
        "\n".join(f"{CAT_LABELS[band]} {card.weights[band]}" for band in BANDS),
    ]


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


@rates_app.command("delete")
def delete_card(org: str = ORG, service_level: str = LEVEL, pair: str = PAIR) -> None:
    """Remove the rate card of a service level and pair."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        source, target = pair_scope(pair)
        with db.write() as conn:
            delete_rate_card(
                conn,
                org_id,
                service_level=service_level,
                source_locale=source,
                target_locale=target,
            )
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print("deleted", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(rates_app, name="rates")
