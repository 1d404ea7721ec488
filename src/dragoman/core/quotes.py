"""Prices from an analysis and a rate card: per-word rate, band weights, minimum, discount, VAT.

Order of the arithmetic (all `Decimal`, rounded half up to the currency's minor unit, cents
for most):
1. net = sum over bands of words x weight x rate per word;
2. the minimum charge lifts net when the artifact has any words (an empty one costs nothing);
3. the discount comes off that amount: the minimum is applied before the discount;
4. VAT is added on each of the two (with and without discount).
These give Lingo24's four totals.

Rate cards live in `rate_cards` per organization, service level and language pair, each of
which may be `*`; `rate_card_for` picks the most specific card, and `DEFAULT_CARD` when the
organization has none: EUR 0.10 a word, no minimum, VAT or discount, and the band weights
of a common CAT discount grid (`DEFAULT_WEIGHTS`): 101% 10%, 100% and repetitions 25%,
95-99% 50%, 85-94% 70%, 75-84% and below at the full rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from dragoman.core.analysis import (
    BANDS,
    EXACT,
    FUZZY_50_74,
    FUZZY_75_84,
    FUZZY_85_94,
    FUZZY_95_99,
    IN_CONTEXT_EXACT,
    NO_MATCH,
    REPETITION,
    Analysis,
)
from dragoman.errors import ValidationError

ANY = "*"
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    REPETITION: Decimal("0.25"),
    IN_CONTEXT_EXACT: Decimal("0.10"),
    EXACT: Decimal("0.25"),
    FUZZY_95_99: Decimal("0.50"),
    FUZZY_85_94: Decimal("0.70"),
    FUZZY_75_84: Decimal("1"),
    FUZZY_50_74: Decimal("1"),
    NO_MATCH: Decimal("1"),
}
# ISO 4217 currencies without a minor unit; every other is rounded to cents.
_ZERO_DECIMALS = frozenset({"BIF", "CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND", "XAF", "XOF"})


@dataclass(frozen=True, slots=True)
class RateCard:
    """What a service level costs for a language pair (`*` for any)."""

    currency: str = "EUR"
    rate_per_word: Decimal = Decimal("0.10")
    weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    minimum_charge: Decimal = Decimal(0)
    vat_rate: Decimal = Decimal(0)  # a fraction: 0.21 is 21%
    discount: Decimal = Decimal(0)  # a fraction of the amount before VAT
    service_level: str = ANY
    source_locale: str = ANY
    target_locale: str = ANY
    id: str | None = None  # None: the default card, not stored
    created_at: datetime | None = None


DEFAULT_CARD = RateCard()


@dataclass(frozen=True, slots=True)
class Price:
    """Lingo24's four totals in `currency_code`, and what they came from."""

    currency_code: str
    total_wo_vat_w_discount: Decimal
    total_w_vat_w_discount: Decimal
    total_wo_vat_wo_discount: Decimal
    total_w_vat_wo_discount: Decimal
    weighted_words: Decimal = Decimal(0)
    minimum_applied: bool = False

    def as_json(self) -> dict[str, Any]:
        """camelCase, amounts as JSON numbers (Lingo24's and the native API's shape)."""
        return {
            "currencyCode": self.currency_code,
            "totalWoVatWDiscount": float(self.total_wo_vat_w_discount),
            "totalWVatWDiscount": float(self.total_w_vat_w_discount),
            "totalWoVatWoDiscount": float(self.total_wo_vat_wo_discount),
            "totalWVatWoDiscount": float(self.total_w_vat_wo_discount),
        }


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency: 0.01, or 1 for yen, won and the like."""
    return Decimal(1) if currency in _ZERO_DECIMALS else Decimal("0.01")


def price(analysis: Analysis, card: RateCard) -> Price:
    """The four totals of an analysis under a card (see the module's order of arithmetic)."""
    unit = minor_unit(card.currency)

    def rounded(amount: Decimal) -> Decimal:
        return amount.quantize(unit, rounding=ROUND_HALF_UP)

    weighted = Decimal(0)
    for band in BANDS:
        weighted += Decimal(analysis.bands[band].words) * card.weights.get(band, Decimal(1))
    net = weighted * card.rate_per_word
    lifted = analysis.total.words > 0 and net < card.minimum_charge
    gross = rounded(card.minimum_charge if lifted else net)
    discounted = gross - rounded(gross * card.discount)
    return Price(
        currency_code=card.currency,
        total_wo_vat_w_discount=discounted,
        total_w_vat_w_discount=discounted + rounded(discounted * card.vat_rate),
        total_wo_vat_wo_discount=gross,
        total_w_vat_wo_discount=gross + rounded(gross * card.vat_rate),
        weighted_words=weighted,
        minimum_applied=lifted,
    )


def decimal_of(value: object, field_name: str, *, at_most: Decimal | None = None) -> Decimal:
    """A finite, non-negative Decimal from a number or text (`21%` is 0.21); else a
    ValidationError naming the field."""
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        number = Decimal(text[:-1].strip() if percent else text)
    except InvalidOperation:
        message = f"{field_name}: {value!r} is not a number"
        raise ValidationError(message, field=field_name) from None
    if percent:
        number /= 100
    if not number.is_finite() or number < 0:
        raise ValidationError(
            f"{field_name} must be a number of 0 or more, not {value!r}", field=field_name
        )
    if at_most is not None and number > at_most:
        raise ValidationError(
            f"{field_name} must be at most {at_most} (a fraction: 0.21 or 21%), not {value!r}",
            field=field_name,
        )
    return number.normalize() if number else Decimal(0)


def weights_of(values: Mapping[str, object] | None) -> dict[str, Decimal]:
    """DEFAULT_WEIGHTS with `values` (band name -> weight) laid over; unknown bands refused."""
    weights = dict(DEFAULT_WEIGHTS)
    for band, weight in (values or {}).items():
        if band not in weights:
            raise ValidationError(
                f"weights: unknown band {band!r}; bands are {', '.join(BANDS)}",
                field=f"weights.{band}",
            )
        weights[band] = decimal_of(weight, f"weights.{band}", at_most=Decimal(10))
    return weights


def currency_of(value: str) -> str:
    """An ISO 4217 code in capitals; ValidationError naming `currency` otherwise."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(
            f"currency must be an ISO 4217 code such as EUR, not {value!r}", field="currency"
        )
    return code
