"""CLDR plural categories per locale (Babel), and how source forms map onto a target's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from dragoman.content.placeholders import find_spans

CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
CLDR_CATEGORIES = frozenset(CLDR_ORDER)


@lru_cache(maxsize=256)
def plural_categories(locale: str, kind: str = "plural") -> frozenset[str]:
    """CLDR categories (plus `other`) that `locale` uses for `plural` or `selectordinal`;
    empty for a locale Babel does not know."""
    try:
        parsed = Locale.parse(locale.replace("_", "-"), sep="-")
        rule = parsed.ordinal_form if kind == "selectordinal" else parsed.plural_form
    except (UnknownLocaleError, ValueError, TypeError):
        return frozenset()
    return frozenset(rule.tags) | {"other"}


def ordered_categories(locale: str) -> list[str]:
    """The target's cardinal categories in CLDR order (`other` alone when unknown)."""
    cats = plural_categories(locale) or frozenset({"other"})
    return [c for c in CLDR_ORDER if c in cats]


def target_forms(source: Mapping[str, str], target_locale: str) -> dict[str, str]:
    """For each form the target needs, the source text to translate for it.

    Forms are matched by category name, never by position: a category the source has is
    taken as is; a missing one is filled from `other` (or the last source form). Keys that
    are not CLDR categories but that a platform uses (Rails `zero`, ICU `=0`) are kept.
    """
    fallback = source.get("other") or next(reversed(list(source.values())), "")
    out = {cat: source.get(cat, fallback) for cat in ordered_categories(target_locale)}
    # English `one` is for exactly 1 and often drops the number ("one file"); where the
    # target's `one` also covers 21, 31... it needs the number, so it takes `other`'s text.
    if (
        "one" in source
        and "one" in out
        and not _one_is_only_1(target_locale)
        and _numbers(source["one"]) != _numbers(fallback)
    ):
        out["one"] = fallback
    for key, text in source.items():
        if key not in CLDR_CATEGORIES:
            out.setdefault(key, text)
    # `zero` is not a CLDR category in most languages, yet Rails and Android files use it
    # for "no items"; a source that has it keeps it.
    if "zero" in source:
        out.setdefault("zero", source["zero"])
    return out


@lru_cache(maxsize=256)
def gettext_plurals(locale: str) -> tuple[int, str, tuple[str, ...]]:
    """`(nplurals, plural expression, category of each msgstr index)` for a PO header.

    The expression comes from Babel's gettext table; each index's category is the CLDR
    category most numbers that select it have, so PO forms are matched by name too.
    """
    from babel.messages.plurals import get_plural

    try:
        rule = get_plural(locale.replace("-", "_"))
        cldr = Locale.parse(locale.replace("_", "-"), sep="-").plural_form
    except (UnknownLocaleError, ValueError, TypeError):
        return 2, "(n != 1)", ("one", "other")
    count, expr = rule.num_plurals, rule.plural_expr
    votes: list[Counter[str]] = [Counter() for _ in range(count)]
    for n in [*range(0, 1001), *(k * 1_000_000 for k in range(1, 6))]:
        index = _eval_plural(expr, n)
        if 0 <= index < count:
            votes[index][cldr(n)] += 1
    cats: list[str] = []
    for index, vote in enumerate(votes):
        best = next((c for c, _ in vote.most_common() if c not in cats), None)
        cats.append(best or ("other" if index == count - 1 else f"form{index}"))
    return count, expr, tuple(cats)


def _eval_plural(expr: str, n: int) -> int:
    """Evaluate a gettext plural expression (C syntax) for `n`, without eval()."""
    from gettext import c2py

    return int(c2py(expr)(n))


@lru_cache(maxsize=256)
def _one_is_only_1(locale: str) -> bool:
    """Whether the target's `one` category holds no integer but 1."""
    try:
        rule = Locale.parse(locale.replace("_", "-"), sep="-").plural_form
    except (UnknownLocaleError, ValueError, TypeError):
        return True
    return all(rule(n) != "one" for n in (0, *range(2, 200)))


def _numbers(text: str) -> list[str]:
    """The placeholders a plural form carries, in order (what the number is shown by)."""
    return sorted(find_spans(text))
