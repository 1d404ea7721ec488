"""BCP-47 validation and normalisation (langcodes over the IANA registry)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import langcodes

from dragoman.errors import ValidationError


@lru_cache(maxsize=4096)
def _normalize(tag: str) -> str | None:
    if not tag or len(tag) > 64 or "_" in tag or not langcodes.tag_is_valid(tag):
        return None
    language = langcodes.Language.get(tag)
    if not language.is_valid() or language.language in (None, "und"):
        return None
    return str(langcodes.standardize_tag(tag))


def normalize_locale(tag: object, *, field: str) -> str:
    """The canonical form of a BCP-47 tag (`EN-us` -> `en-US`); ValidationError names `field`."""
    if not isinstance(tag, str):
        raise ValidationError(f"{field} must be a BCP-47 language tag string", field=field)
    normalized = _normalize(tag)
    if normalized is None:
        raise ValidationError(
            f"{field}: {tag!r} is not a valid BCP-47 language tag (e.g. 'en', 'pt-BR')",
            field=field,
        )
    return normalized


def target_list(
    source: str, tags: Sequence[str], *, limit: int, repeats_allowed: bool = True
) -> list[str]:
    """Canonical target locales, none the source, at most `limit`; a repeated one is dropped
    (or, unless `repeats_allowed`, refused). Errors name `target_locales[i]`."""
    if not tags:
        raise ValidationError(
            "target_locales must list at least one locale", field="target_locales"
        )
    if len(tags) > limit:
        raise ValidationError(
            f"target_locales lists {len(tags)} locales; the limit is {limit}",
            field="target_locales",
        )
    out: list[str] = []
    for index, tag in enumerate(tags):
        field = f"target_locales[{index}]"
        target = normalize_locale(tag, field=field)
        if target == source:
            raise ValidationError(f"{field} is the source locale {source!r}", field=field)
        if target in out and not repeats_allowed:
            raise ValidationError(f"{field} {target!r} is listed twice", field=field)
        if target not in out:
            out.append(target)
    return out
