"""Rate cards in the database (SQLite and PostgreSQL): the most specific card wins, a card
replaces the one of its scope, the default applies where none does, organizations apart."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from dragoman.core import orgs
from dragoman.core.assets.tm import pair_of
from dragoman.core.quotes import DEFAULT_CARD
from dragoman.core.rate_cards import (
    delete_rate_card,
    list_rate_cards,
    rate_card_for,
    set_rate_card,
)
from dragoman.errors import NotFoundError, ValidationError
from dragoman.store.db import Database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def card(db: Database, org_id: str, level: str, source: str, target: str, rate: str) -> None:
    with db.write() as conn:
        set_rate_card(
            conn, org_id, service_level=level, source_locale=source, target_locale=target,
            currency="EUR", rate_per_word=rate,
        )  # fmt: skip


def rate(db: Database, org_id: str, level: str, source: str, target: str) -> Decimal:
    with db.read() as conn:
        return rate_card_for(conn, org_id, level, pair_of(source, target)).rate_per_word


def test_most_specific_card_wins(db: Database) -> None:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "acme").id
        other = orgs.get_or_create_org(conn, "other").id
    assert rate(db, org, "standard", "en", "es") == DEFAULT_CARD.rate_per_word
    card(db, org, "*", "*", "*", "0.01")
    card(db, org, "standard", "*", "*", "0.02")
    card(db, org, "standard", "en", "*", "0.03")
    card(db, org, "standard", "*", "es", "0.04")
    card(db, org, "standard", "en", "es", "0.05")
    card(db, org, "standard", "en", "es-MX", "0.06")
    card(db, other, "standard", "en", "es", "9")
    assert rate(db, org, "standard", "en", "es-MX") == Decimal("0.06")
    assert rate(db, org, "standard", "en", "es-AR") == Decimal("0.05")  # es covers es-AR
    assert rate(db, org, "standard", "de", "es") == Decimal("0.04")  # target before source
    assert rate(db, org, "standard", "en", "fr") == Decimal("0.03")
    assert rate(db, org, "standard", "de", "fr") == Decimal("0.02")
    assert rate(db, org, "premium", "en", "es") == Decimal("0.01")  # a named level first
    assert rate(db, other, "premium", "en", "es") == DEFAULT_CARD.rate_per_word


def test_set_replaces_list_and_delete(db: Database) -> None:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "acme").id
    card(db, org, "Standard", "en", "es", "0.05")
    with db.write() as conn:
        set_rate_card(
            conn, org, service_level="standard", source_locale="en", target_locale="es",
            currency="usd", rate_per_word="0.07", weights={"EXACT": "0.3"}, vat_rate="21%",
            minimum_charge="10", discount="0.05",
        )  # fmt: skip
        (stored,) = list_rate_cards(conn, org)
    assert stored.currency == "USD" and stored.rate_per_word == Decimal("0.07")
    assert stored.weights["EXACT"] == Decimal("0.3") and stored.vat_rate == Decimal("0.21")
    assert stored.minimum_charge == Decimal("10") and stored.discount == Decimal("0.05")
    with db.write() as conn:
        delete_rate_card(
            conn, org, service_level="standard", source_locale="en", target_locale="es"
        )
        assert list_rate_cards(conn, org) == []
        with pytest.raises(NotFoundError):
            delete_rate_card(
                conn, org, service_level="standard", source_locale="en", target_locale="es"
            )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"currency": "euro"}, "currency"),
        ({"rate_per_word": "-0.1"}, "rate_per_word"),
        ({"vat_rate": "150%"}, "vat_rate"),
        ({"target_locale": "xx-!!"}, "target_locale"),
        ({"service_level": ""}, "service_level"),
        ({"weights": {"NOPE": 1}}, "weights.NOPE"),
    ],
)
def test_bad_cards_name_the_field(db: Database, values: dict[str, object], field: str) -> None:
    with db.write() as conn:
        org = orgs.get_or_create_org(conn, "acme").id
        args: dict[str, object] = {
            "service_level": "standard", "source_locale": "en", "target_locale": "es",
            "currency": "EUR", "rate_per_word": "0.1", **values,
        }  # fmt: skip
        with pytest.raises(ValidationError) as bad:
            set_rate_card(conn, org, **args)  # type: ignore[arg-type]
    assert bad.value.field == field
