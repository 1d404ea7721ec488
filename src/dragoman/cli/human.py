"""`dragoman translators create|list|prefer|revoke`, `dragoman credits set-rate` and
`dragoman balance add|show`: human work, straight against the database."""

from __future__ import annotations

import typer

from dragoman.cli.common import console, fail, open_database, org_id_of
from dragoman.core import credits, translators
from dragoman.core.assets.tm import parse_pair
from dragoman.errors import DragomanError
from dragoman.settings import Settings

translators_app = typer.Typer(help="Translators and their keys.", no_args_is_help=True)
credits_app = typer.Typer(help="Credits per unit of human work.", no_args_is_help=True)
balance_app = typer.Typer(help="Organizations' credit balances.", no_args_is_help=True)
ORG = typer.Option(..., "--org", help="Organization name.")


@translators_app.command("create")
def create(
    org: str = ORG,
    name: str = typer.Option(..., "--name", help="The translator's name."),
    pairs: str = typer.Option(..., "--pairs", help="Language pairs: en-es,en-fr."),
    tier: str = typer.Option("standard", "--tier", help="standard or pro."),
    preferred: bool = typer.Option(
        False, "--preferred", help="Preferred: sees use_preferred (Gengo) jobs first."
    ),
) -> None:
    """Create a translator; their key is printed as the last line, once."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        with db.write() as conn:
            translator, key = translators.create_translator(
                conn, org_id, name, pairs, tier, preferred=preferred
            )
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    shown = ", ".join(p.replace(":", "-") for p in translator.pairs)
    console.print(f"translator {translator.id} ({translator.tier}; {shown})", highlight=False)
    print(key)


@translators_app.command("list")
def list_all(org: str = ORG) -> None:
    """The organization's translators (key prefixes only)."""
    db = open_database(Settings())
    try:
        with db.read() as conn:
            found = translators.list_translators(conn, org_id_of(db, org))
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    for t in found:
        state = "revoked" if t.revoked_at else "active"
        state += " preferred" if t.preferred else ""
        pairs = ",".join(p.replace(":", "-") for p in t.pairs)
        console.print(f"{t.id}  {t.hint}…  {t.tier}  {pairs}  {state}  {t.name}", highlight=False)


@translators_app.command("prefer")
def prefer(
    ref: str = typer.Argument(..., help="Translator id (trn_...) or key prefix (dtr_ + 4)."),
    org: str = ORG,
    off: bool = typer.Option(False, "--off", help="No longer preferred."),
) -> None:
    """Mark a translator preferred: they alone see use_preferred (Gengo) jobs at first."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        with db.write() as conn:
            translator = translators.set_preferred(conn, org_id, ref, not off)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    word = "preferred" if translator.preferred else "not preferred"
    console.print(f"{translator.id} ({translator.name}) is {word}", highlight=False)


@translators_app.command("revoke")
def revoke(
    org: str = ORG,
    ref: str = typer.Argument(..., help="Translator id (trn_...) or key prefix (dtr_ + 4)."),
) -> None:
    """Revoke a translator's key (other processes stop accepting it within a second)."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        with db.write() as conn:
            translator = translators.revoke_translator(conn, org_id, ref)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"revoked {translator.id} ({translator.name})", highlight=False)


@credits_app.command("set-rate")
def set_rate(
    org: str = ORG,
    tier: str = typer.Option(..., "--tier", help="standard or pro."),
    pair: str = typer.Option("*", "--pair", help="SOURCE-TARGET (en-es), or * for any."),
    per_unit: str = typer.Option(..., "--per-unit", help="Credits per word (or character)."),
) -> None:
    """Set the credits one unit of a tier and pair costs."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        level = translators.tier_of(tier)
        source, target = ("*", "*") if pair.strip() == "*" else _pair(pair)
        with db.write() as conn:
            credits.set_rate(conn, org_id, level, source, target, per_unit)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"{level} {pair}: {per_unit} credits per unit", highlight=False)


def _pair(text: str) -> tuple[str, str]:
    chosen = parse_pair(text)
    return chosen.source, chosen.target


@balance_app.command("add")
def add(
    org: str = ORG,
    amount: str = typer.Option(..., "--amount", help="Credits to add (negative to remove)."),
) -> None:
    """Add credits to an organization's balance; prints the new balance."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        with db.write() as conn:
            now = credits.add_credits(conn, org_id, amount)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"{now.credits} {now.currency}", highlight=False)


@balance_app.command("show")
def show(org: str = ORG) -> None:
    """An organization's balance."""
    db = open_database(Settings())
    try:
        org_id = org_id_of(db, org)
        with db.read() as conn:
            now = credits.balance(conn, org_id)
    except DragomanError as exc:
        raise fail(exc) from exc
    finally:
        db.dispose()
    console.print(f"{now.credits} {now.currency}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(translators_app, name="translators")
    app.add_typer(credits_app, name="credits")
    app.add_typer(balance_app, name="balance")
