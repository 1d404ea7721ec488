"""Prices: Lingo24's four totals from band words, weights and rate, with the minimum charge
before the discount, VAT on each, and Decimal rounding to the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dragoman.core.analysis import (
    EXACT,
    IN_CONTEXT_EXACT,
    NO_MATCH,
    REPETITION,
    Analysis,
    Counts,
)
from dragoman.core.quotes import (
    DEFAULT_CARD,
    DEFAULT_WEIGHTS,
    RateCard,
    decimal_of,
    price,
    weights_of,
)
from dragoman.errors import ValidationError


def analysis(**words: int) -> Analysis:
    out = Analysis()
    for band, count in words.items():
        counts = Counts(1, count, count * 5, count)
        out.bands[band].add(counts)
        out.total.add(counts)
    return out


def card(**values: object) -> RateCard:
    return RateCard(**{"rate_per_word": Decimal("0.10"), **values})  # type: ignore[arg-type]


def test_weights_per_band_and_the_four_totals() -> None:
    work = analysis(**{NO_MATCH: 100, EXACT: 40, REPETITION: 20, IN_CONTEXT_EXACT: 10})
    quote = price(work, card(vat_rate=Decimal("0.21"), discount=Decimal("0.10")))
    # 100 + 40 x 0.25 + 20 x 0.25 + 10 x 0.10 = 116 weighted words at 0.10
    assert quote.weighted_words == Decimal("116")
    assert quote.total_wo_vat_wo_discount == Decimal("11.60")
    assert quote.total_wo_vat_w_discount == Decimal("10.44")
    assert quote.total_w_vat_wo_discount == Decimal("14.04")  # 11.60 + 2.436 -> 2.44
    assert quote.total_w_vat_w_discount == Decimal("12.63")  # 10.44 + 2.1924 -> 2.19
    assert quote.currency_code == "EUR"


def test_minimum_charge_comes_before_the_discount() -> None:
    work = analysis(**{NO_MATCH: 10})  # 1.00 net
    quote = price(work, card(minimum_charge=Decimal("25"), discount=Decimal("0.2")))
    assert quote.minimum_applied
    assert quote.total_wo_vat_wo_discount == Decimal("25.00")
    assert quote.total_wo_vat_w_discount == Decimal("20.00")


def test_minimum_does_not_apply_above_it_or_to_nothing() -> None:
    big = price(analysis(**{NO_MATCH: 1000}), card(minimum_charge=Decimal("25")))
    assert not big.minimum_applied
    assert big.total_wo_vat_wo_discount == Decimal("100.00")
    empty = price(Analysis(), card(minimum_charge=Decimal("25")))
    assert empty.total_w_vat_wo_discount == Decimal("0.00")


def test_rounding_half_up_to_cents_and_yen_to_units() -> None:
    quote = price(analysis(**{NO_MATCH: 1}), card(rate_per_word=Decimal("0.125")))
    assert quote.total_wo_vat_wo_discount == Decimal("0.13")
    yen = price(analysis(**{NO_MATCH: 3}), card(currency="JPY", rate_per_word=Decimal("12.5")))
    assert yen.total_wo_vat_wo_discount == Decimal("38")
    assert yen.as_json()["currencyCode"] == "JPY"


def test_decimal_arithmetic_has_no_float_error() -> None:
    # 3 words at 0.10 with floats is 0.30000000000000004; with VAT 0.1, 0.33 exactly.
    quote = price(analysis(**{NO_MATCH: 3}), card(vat_rate=Decimal("0.1")))
    assert quote.total_w_vat_wo_discount == Decimal("0.33")
    assert quote.as_json()["totalWVatWoDiscount"] == 0.33


def test_default_card_and_weights() -> None:
    assert DEFAULT_CARD.currency == "EUR"
    assert DEFAULT_CARD.rate_per_word == Decimal("0.10")
    assert DEFAULT_WEIGHTS[NO_MATCH] == 1
    assert DEFAULT_WEIGHTS[EXACT] < 1


def test_inputs_are_checked_naming_the_field() -> None:
    assert decimal_of("21%", "vat_rate") == Decimal("0.21")
    with pytest.raises(ValidationError) as bad:
        decimal_of("lots", "rate_per_word")
    assert bad.value.field == "rate_per_word"
    with pytest.raises(ValidationError) as negative:
        decimal_of("-1", "minimum_charge")
    assert negative.value.field == "minimum_charge"
    with pytest.raises(ValidationError) as over:
        decimal_of("1.5", "discount", at_most=Decimal(1))
    assert over.value.field == "discount"
    with pytest.raises(ValidationError) as band:
        weights_of({"PERFECT": "0"})
    assert band.value.field == "weights.PERFECT"
    assert weights_of({EXACT: "0.3"})[EXACT] == Decimal("0.3")
