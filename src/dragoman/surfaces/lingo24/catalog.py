"""Lingo24's fixed catalogs: locales (integer ids that never change: append only) and
translation domains."""

from __future__ import annotations

from dataclasses import dataclass

from dragoman.core.locales import normalize_locale
from dragoman.errors import BadRequestError


@dataclass(frozen=True, slots=True)
class Locale:
    """A locale: its id, name, ISO 639-1 language and ISO 3166 country (None: any)."""

    id: int
    name: str
    language: str
    country: str | None

    @property
    def tag(self) -> str:
        return f"{self.language}-{self.country}" if self.country else self.language


_NAMES = (
    ("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German"),
    ("it", "Italian"), ("pt", "Portuguese"), ("nl", "Dutch"), ("ca", "Catalan"),
    ("gl", "Galician"), ("eu", "Basque"), ("pl", "Polish"), ("ru", "Russian"),
    ("ja", "Japanese"), ("zh", "Chinese"), ("ko", "Korean"), ("ar", "Arabic"),
    ("sv", "Swedish"), ("da", "Danish"), ("nb", "Norwegian Bokmal"), ("fi", "Finnish"),
    ("cs", "Czech"), ("tr", "Turkish"), ("el", "Greek"), ("hu", "Hungarian"),
    ("ro", "Romanian"), ("uk", "Ukrainian"), ("oc", "Occitan"), ("eo", "Esperanto"),
    ("he", "Hebrew"), ("hi", "Hindi"), ("id", "Indonesian"), ("vi", "Vietnamese"),
    ("th", "Thai"), ("bg", "Bulgarian"), ("hr", "Croatian"), ("sk", "Slovak"),
    ("sl", "Slovenian"), ("sr", "Serbian"), ("lt", "Lithuanian"), ("lv", "Latvian"),
    ("et", "Estonian"), ("ga", "Irish"), ("cy", "Welsh"), ("is", "Icelandic"),
    ("mt", "Maltese"), ("af", "Afrikaans"), ("ms", "Malay"), ("fa", "Persian"),
)  # fmt: skip
_REGIONS = (
    ("en", "GB"), ("en", "US"), ("es", "ES"), ("es", "MX"), ("fr", "FR"), ("fr", "CA"),
    ("de", "DE"), ("pt", "BR"), ("pt", "PT"), ("zh", "CN"), ("zh", "TW"), ("it", "IT"),
    ("nl", "NL"), ("nl", "BE"), ("de", "AT"), ("de", "CH"), ("fr", "BE"), ("fr", "CH"),
    ("en", "AU"), ("en", "CA"), ("es", "AR"), ("es", "US"),
)  # fmt: skip
_LANGUAGE_NAMES = dict(_NAMES)
LOCALES: tuple[Locale, ...] = tuple(
    [Locale(i + 1, name, code, None) for i, (code, name) in enumerate(_NAMES)]
    + [
        Locale(len(_NAMES) + i + 1, f"{_LANGUAGE_NAMES[lang]} ({country})", lang, country)
        for i, (lang, country) in enumerate(_REGIONS)
    ]
)
_BY_ID = {loc.id: loc for loc in LOCALES}
_BY_TAG = {loc.tag.lower(): loc for loc in LOCALES}

DOMAINS: tuple[tuple[int, str], ...] = (
    (1, "General"), (2, "Technical"), (3, "Legal"), (4, "Marketing"), (5, "Medical"),
    (6, "Financial"), (7, "Software"), (8, "Travel"),
)  # fmt: skip
DOMAIN_IDS = frozenset(d for d, _ in DOMAINS)


def locale(locale_id: int) -> Locale | None:
    return _BY_ID.get(locale_id)


def locale_for_tag(tag: str) -> Locale | None:
    """The catalog's locale of a BCP-47 tag (`en_GB` and `en-gb` too), or None."""
    return _BY_TAG.get(tag.replace("_", "-").lower())


def tag_of(value: object, field: str) -> str:
    """A locale from a job request: a catalog id (number) or a BCP-47 code; 400 naming the
    field when it is neither."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = locale(int(value))
        if found is None:
            raise BadRequestError(
                f"{field}: no locale has id {value} (see GET /locale)", field=field
            )
        return normalize_locale(found.tag, field=field)
    if not isinstance(value, str):
        raise BadRequestError(f"{field} must be a locale code such as 'en' or 'pt-BR'", field=field)
    try:
        return normalize_locale(value.replace("_", "-"), field=field)
    except Exception:
        raise BadRequestError(
            f"{field}: {value[:40]!r} is not a locale code such as 'en' or 'pt-BR'", field=field
        ) from None
