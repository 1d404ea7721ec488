"""BCP-47 validation and normalisation (langcodes over the IANA registry)."""

from __future__ import annotations

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
