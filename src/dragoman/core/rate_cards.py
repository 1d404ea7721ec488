"""Rate cards of an organization: set, list, delete, and the card that applies to a job.

A card's scope is a service level, a source locale and a target locale, each of which may be
`*`. `rate_card_for` picks, among the organization's cards that cover the job, the one whose
service level is named rather than `*`, then whose locales are the most specific (the exact
tag beats its language alone, `es-MX` -> `es`, which beats `*`; the target side weighs
more than the source), then the newest; `DEFAULT_CARD` when none covers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select

from dragoman.core.assets.tm_index.base import Pair
from dragoman.core.locales import normalize_locale
from dragoman.core.quotes import (
    ANY,
    DEFAULT_CARD,
    RateCard,
    currency_of,
    decimal_of,
    weights_of,
)
from dragoman.errors import NotFoundError, ValidationError
from dragoman.ids import new_id
from dragoman.store.rate_card_tables import rate_cards as t
from dragoman.timefmt import utcnow

MAX_LEVEL = 40


def service_level_of(value: str) -> str:
    """A service level name in lower case (`standard`, `premium`, `machine`) or `*`."""
    level = value.strip().lower()
    if not level or len(level) > MAX_LEVEL:
        raise ValidationError(
            f"service_level must be 1-{MAX_LEVEL} characters (not all spaces) or *, not {value!r}",
            field="service_level",
        )
    return level


def _locale(value: str, field: str) -> str:
    return ANY if value.strip() == ANY else normalize_locale(value.strip(), field=field)


def set_rate_card(
    conn: Connection,
    org_id: str,
    *,
    service_level: str,
    source_locale: str,
    target_locale: str,
    currency: str,
    rate_per_word: object,
    weights: Mapping[str, object] | None = None,
    minimum_charge: object = 0,
    vat_rate: object = 0,
    discount: object = 0,
) -> RateCard:
    """Store the card of a scope, replacing the one there was; ValidationError names the
    field at fault."""
    card = RateCard(
        currency=currency_of(currency),
        rate_per_word=decimal_of(rate_per_word, "rate_per_word"),
        weights=weights_of(weights),
        minimum_charge=decimal_of(minimum_charge, "minimum_charge"),
        vat_rate=decimal_of(vat_rate, "vat_rate", at_most=Decimal(1)),
        discount=decimal_of(discount, "discount", at_most=Decimal(1)),
        service_level=service_level_of(service_level),
        source_locale=_locale(source_locale, "source_locale"),
        target_locale=_locale(target_locale, "target_locale"),
        id=new_id("rcd"),
        created_at=utcnow(),
    )
    conn.execute(delete(t).where(*_scope(org_id, card)))
    conn.execute(insert(t).values(**_row(org_id, card)))
    return card


def delete_rate_card(
    conn: Connection, org_id: str, *, service_level: str, source_locale: str, target_locale: str
) -> None:
    """Remove the card of a scope; NotFoundError when there is none."""
    scope = RateCard(
        service_level=service_level_of(service_level),
        source_locale=_locale(source_locale, "source_locale"),
        target_locale=_locale(target_locale, "target_locale"),
    )
    if conn.execute(delete(t).where(*_scope(org_id, scope))).rowcount == 0:
        raise NotFoundError(
            f"no rate card for {scope.service_level} {scope.source_locale}-{scope.target_locale}"
        )


def list_rate_cards(conn: Connection, org_id: str) -> list[RateCard]:
    """The organization's cards by service level, source and target locale."""
    rows = conn.execute(
        select(t)
        .where(t.c.org_id == org_id)
        .order_by(t.c.service_level, t.c.source_locale, t.c.target_locale)
    ).all()
    return [_card(row._mapping) for row in rows]


def rate_card_for(
    conn: Connection, org_id: str, service_level: str, pair: Pair | tuple[str, str]
) -> RateCard:
    """The most specific card covering a job of `service_level` in `pair`, else DEFAULT_CARD."""
    source, target = (pair.source, pair.target) if isinstance(pair, Pair) else pair
    level = service_level_of(service_level)
    sources, targets = _ladder(source), _ladder(target)
    rows = conn.execute(
        select(t).where(
            t.c.org_id == org_id,
            t.c.service_level.in_({level, ANY}),
            t.c.source_locale.in_(set(sources)),
            t.c.target_locale.in_(set(targets)),
        )
    ).all()
    if not rows:
        return DEFAULT_CARD
    best = max(
        rows,
        key=lambda r: (
            r.service_level != ANY,
            sources[r.source_locale] + targets[r.target_locale],
            targets[r.target_locale],
            r.created_at,
        ),
    )
    return _card(best._mapping)


def _ladder(tag: str) -> dict[str, int]:
    """The scopes that cover a locale, most specific highest: the tag, its language, `*`."""
    ladder = {ANY: 0, tag.split("-")[0]: 1}
    ladder[tag] = 2
    return ladder


def _scope(org_id: str, card: RateCard) -> list[Any]:
    return [
        t.c.org_id == org_id,
        t.c.service_level == card.service_level,
        t.c.source_locale == card.source_locale,
        t.c.target_locale == card.target_locale,
    ]


def _row(org_id: str, card: RateCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "org_id": org_id,
        "service_level": card.service_level,
        "source_locale": card.source_locale,
        "target_locale": card.target_locale,
        "currency": card.currency,
        "rate_per_word": str(card.rate_per_word),
        "weights": {band: str(weight) for band, weight in card.weights.items()},
        "minimum_charge": str(card.minimum_charge),
        "vat_rate": str(card.vat_rate),
        "discount": str(card.discount),
        "created_at": card.created_at,
    }


def _card(row: RowMapping) -> RateCard:
    return RateCard(
        currency=row["currency"],
        rate_per_word=Decimal(row["rate_per_word"]),
        weights=weights_of(row["weights"]),
        minimum_charge=Decimal(row["minimum_charge"]),
        vat_rate=Decimal(row["vat_rate"]),
        discount=Decimal(row["discount"]),
        service_level=row["service_level"],
        source_locale=row["source_locale"],
        target_locale=row["target_locale"],
        id=row["id"],
        created_at=row["created_at"],
    )
