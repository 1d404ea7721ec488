"""Counting and pricing human work: unit counts, credits per tier and pair from a rate
table, an ETA from translators' recent throughput, and an organization's balance, which an
order spends with one conditional UPDATE (so no two orders can overdraw it together)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dragoman.content.placeholders import mask_spans
from dragoman.content.words import count_words
from dragoman.core.translators import Tier
from dragoman.errors import InsufficientCreditsError, ValidationError
from dragoman.store.review_tables import credit_balances, human_jobs, tier_rates
from dragoman.timefmt import utcnow

MICROS = 1_000_000
CURRENCY = "USD"
# Per unit, when the organization has set no rate for the tier and pair.
DEFAULT_RATES = {Tier.STANDARD: Decimal("0.06"), Tier.PRO: Decimal("0.12")}
# An edit pass (Gengo's `services: ["translation", "edit"]`: a second translator of the same
# tier edits the first one's delivery) costs this share of the tier's rate per unit on top:
# translation plus edit is 1.5 times the rate card's price, and the ETA counts two passes.
EDIT_PERCENT = 50
# Until translators have delivered something, an ETA assumes this pace and pick-up delay.
DEFAULT_UNITS_PER_HOUR = 500
PICKUP_SECONDS = 3600
THROUGHPUT_WINDOW = timedelta(days=30)
THROUGHPUT_SAMPLE = 50
CHARACTER_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})


def unit_count(texts: Iterable[str], source_locale: str) -> int:
    """Words in `texts`; characters (not spaces, not placeholders) for Chinese, Japanese,
    Korean and Thai sources, as Gengo counts them."""
    if source_locale.split("-")[0].lower() in CHARACTER_LANGUAGES:
        return sum(sum(not c.isspace() for c in mask_spans(t)) for t in texts)
    return sum(count_words(t) for t in texts)


def to_micros(amount: Decimal | str | float | int, field: str = "amount") -> int:
    """An amount of credits as integer micro-credits; ValidationError when it is no number."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError(
            f"{field} must be a number (not {str(amount)[:40]!r})", field=field
        ) from None
    if not value.is_finite():
        raise ValidationError(f"{field} must be a finite number", field=field)
    return int((value * MICROS).to_integral_value())


def from_micros(micros: int) -> Decimal:
    """Micro-credits as a Decimal of credits: two decimals when that is exact."""
    value = Decimal(micros).scaleb(-6)
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else value.normalize()


def set_rate(
    conn: Connection, org_id: str, tier: Tier, source: str, target: str, per_unit: Decimal | str
) -> None:
    """Set the credits per unit of a tier and pair (`*` for any locale)."""
    micros = to_micros(per_unit, "per_unit")
    if micros < 0:
        raise ValidationError("per_unit must not be negative", field="per_unit")
    key = (
        (tier_rates.c.org_id == org_id) & (tier_rates.c.tier == str(tier))
        & (tier_rates.c.source_locale == source) & (tier_rates.c.target_locale == target)
    )  # fmt: skip
    conn.execute(delete(tier_rates).where(key))
    conn.execute(
        insert(tier_rates).values(
            org_id=org_id, tier=str(tier), source_locale=source, target_locale=target,
            per_unit_micros=micros, created_at=utcnow(),
        )
    )  # fmt: skip


def rate(conn: Connection, org_id: str, tier: Tier, source: str, target: str) -> int:
    """Micro-credits per unit: the exact pair's rate, then its languages', then `*`, then
    the default of the tier."""
    rows = conn.execute(
        select(tier_rates.c.source_locale, tier_rates.c.target_locale, tier_rates.c.per_unit_micros)
        .where(tier_rates.c.org_id == org_id, tier_rates.c.tier == str(tier))
    ).all()  # fmt: skip
    found = {(r.source_locale, r.target_locale): int(r.per_unit_micros) for r in rows}
    s_lang, t_lang = source.split("-")[0], target.split("-")[0]
    for key in ((source, target), (s_lang, t_lang), (s_lang, "*"), ("*", t_lang), ("*", "*")):
        if key in found:
            return found[key]
    return to_micros(DEFAULT_RATES[tier])


@dataclass(frozen=True, slots=True)
class Price:
    """What a job costs and when it should be done."""

    unit_count: int
    credits_micros: int
    currency: str
    eta_seconds: int

    @property
    def credits(self) -> Decimal:
        return from_micros(self.credits_micros)


def price(
    conn: Connection,
    org_id: str,
    tier: Tier,
    source: str,
    target: str,
    units: int,
    *,
    edit: bool = False,
) -> Price:
    """The credits and ETA of `units` units of a tier and pair (`edit`: with an edit pass,
    EDIT_PERCENT more)."""
    cost = units * rate(conn, org_id, tier, source, target)
    seconds = eta(conn, org_id, tier, units)
    if edit:
        cost += cost * EDIT_PERCENT // 100
        seconds *= 2
    return Price(units, cost, CURRENCY, seconds)


def eta(conn: Connection, org_id: str, tier: Tier, units: int) -> int:
    """Seconds until `units` units of the tier are likely done: the pick-up delay plus the
    work at the pace the organization's translators of that tier kept lately (time from
    taking to delivering), or a default pace when they have delivered nothing yet."""
    rows = conn.execute(
        select(human_jobs.c.unit_count, human_jobs.c.taken_at, human_jobs.c.delivered_at)
        .where(
            human_jobs.c.org_id == org_id,
            human_jobs.c.tier == str(tier),
            human_jobs.c.delivered_at.is_not(None),
            human_jobs.c.taken_at.is_not(None),
            human_jobs.c.delivered_at > utcnow() - THROUGHPUT_WINDOW,
        )
        .order_by(human_jobs.c.delivered_at.desc())
        .limit(THROUGHPUT_SAMPLE)
    ).all()
    done = sum(r.unit_count for r in rows)
    seconds = sum(max(1.0, (r.delivered_at - r.taken_at).total_seconds()) for r in rows)
    per_second = done / seconds if done and seconds else DEFAULT_UNITS_PER_HOUR / 3600
    return PICKUP_SECONDS + int(units / per_second)


@dataclass(frozen=True, slots=True)
class Balance:
    """An organization's credits."""

    micros: int
    currency: str

    @property
    def credits(self) -> Decimal:
        return from_micros(self.micros)


def balance(conn: Connection, org_id: str) -> Balance:
    """The organization's balance (zero when it never had credits)."""
    row = conn.execute(
        select(credit_balances.c.balance_micros, credit_balances.c.currency).where(
            credit_balances.c.org_id == org_id
        )
    ).first()
    return Balance(0, CURRENCY) if row is None else Balance(int(row[0]), row[1])


def add_credits(conn: Connection, org_id: str, amount: Decimal | str) -> Balance:
    """Add (or, with a negative amount, remove down to zero at most) credits."""
    micros = to_micros(amount)
    changed = conn.execute(
        update(credit_balances)
        .where(credit_balances.c.org_id == org_id)
        .values(
            balance_micros=func.max(credit_balances.c.balance_micros + micros, 0)
            if conn.dialect.name == "sqlite"
            else func.greatest(credit_balances.c.balance_micros + micros, 0),
            updated_at=utcnow(),
        )
    ).rowcount
    if changed == 0:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(credit_balances).values(
                        org_id=org_id, balance_micros=max(micros, 0), currency=CURRENCY,
                        updated_at=utcnow(),
                    )
                )  # fmt: skip
        except IntegrityError:  # created meanwhile: add to it
            return add_credits(conn, org_id, amount)
    return balance(conn, org_id)


def spend(conn: Connection, org_id: str, micros: int) -> None:
    """Take `micros` from the balance in the caller's transaction, or raise
    InsufficientCreditsError (402) and change nothing when the balance is smaller."""
    if micros <= 0:
        return
    changed = conn.execute(
        update(credit_balances)
        .where(credit_balances.c.org_id == org_id, credit_balances.c.balance_micros >= micros)
        .values(balance_micros=credit_balances.c.balance_micros - micros, updated_at=utcnow())
    ).rowcount
    if changed != 1:
        have = balance(conn, org_id)
        raise InsufficientCreditsError(
            f"the order costs {from_micros(micros)} credits and the balance is "
            f"{have.credits} {have.currency}",
            needed=str(from_micros(micros)),
            balance=str(have.credits),
        )
