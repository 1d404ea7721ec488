"""BCP-47 tags <-> Apertium language codes and mode names, through `langcodes`."""

from __future__ import annotations

import re
from dataclasses import dataclass

import langcodes

# One Apertium language code: ISO 639-3 (`spa`) or, in older pairs, ISO 639-1 (`en`), then
# optional `_suffix`es that name a region (`eng_US`), a variant (`cat_valencia`) or an
# orthographic standard (`cat_iec2017`, which is no language of its own).
_CODE = r"[a-z]{2,3}(?:_[A-Za-z0-9]+)*"
# A translation direction is exactly `<code>-<code>`; anything with a third `-part` is a
# debugging or alternative pipeline (`eo-en-j`, `en-eo-bytecode`, `eng-spa-tagger`, ...).
_DIRECTION = re.compile(rf"^({_CODE})-({_CODE})$")
_REGION = re.compile(r"^(?:[A-Z]{2}|[0-9]{3})$")
_VARIANT = re.compile(r"^(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3})$")

# Debian packages of Apertium pairs (`apt-cache search apertium`), so a hint names a real one.
DEBIAN_PAIR_PACKAGES = frozenset(
    {
        "apertium-af-nl", "apertium-afr-nld", "apertium-arg-cat", "apertium-bel-rus",
        "apertium-br-fr", "apertium-ca-it", "apertium-cat-ita", "apertium-cat-srd",
        "apertium-dan-nor", "apertium-en-ca", "apertium-en-es", "apertium-en-gl",
        "apertium-eng-cat", "apertium-eng-spa", "apertium-eo-ca", "apertium-eo-en",
        "apertium-eo-es", "apertium-eo-fr", "apertium-es-ast", "apertium-es-ca",
        "apertium-es-gl", "apertium-es-it", "apertium-es-pt", "apertium-es-ro",
        "apertium-eu-en", "apertium-eu-es", "apertium-fr-es", "apertium-fra-cat",
        "apertium-fra-frp", "apertium-hbs-eng", "apertium-hbs-mkd", "apertium-hbs-slv",
        "apertium-id-ms", "apertium-ind-zlm", "apertium-is-sv", "apertium-isl-eng",
        "apertium-isl-swe", "apertium-mk-bg", "apertium-mk-en", "apertium-mkd-bul",
        "apertium-mkd-eng", "apertium-nno-nob", "apertium-oc-ca", "apertium-oc-es",
        "apertium-oci-fra", "apertium-pol-szl", "apertium-por-cat", "apertium-pt-ca",
        "apertium-pt-gl", "apertium-rus-ukr", "apertium-spa-arg", "apertium-spa-ast",
        "apertium-spa-cat", "apertium-spa-ita", "apertium-srd-ita", "apertium-swe-dan",
        "apertium-swe-nor", "apertium-urd-hin",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Locale:
    """One side of a direction: a language with the region and variants it insists on."""

    language: str
    region: str | None = None
    variants: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        """The BCP-47 tag reported for this side (`ca-ES-valencia`, `en-US`, `es`)."""
        region = self.region
        if self.variants and region is None:
            region = langcodes.Language.get(self.language).maximize().territory
        return "-".join([self.language, *([region] if region else []), *self.variants])

    def matches(self, wanted: langcodes.Language) -> int | None:
        """How specifically this side serves `wanted` (higher is closer), or None if not."""
        if wanted.language != self.language:
            return None
        if self.region is not None and self.region != wanted.territory:
            return None
        if not set(self.variants) <= set(wanted.variants or ()):
            return None
        return (self.region is not None) + len(self.variants)


@dataclass(frozen=True, slots=True)
class Direction:
    """An installed Apertium mode that translates `source -> target`."""

    mode: str
    source: Locale
    target: Locale


def parse_tag(tag: str) -> langcodes.Language | None:
    """A valid BCP-47 tag (underscores allowed) parsed and normalized, or None."""
    try:
        language = langcodes.Language.get(tag.replace("_", "-"))
    except (ValueError, LookupError):
        return None
    return language if language.language and language.is_valid() else None


def apertium_to_locale(code: str) -> Locale | None:
    """`spa` -> es, `cat_valencia` -> ca valencia, `eng_US` -> en US; None for `cat_iec2017`."""
    base, *suffixes = code.split("_")
    language = parse_tag(base)
    if language is None or language.language is None:
        return None
    region: str | None = None
    variants: list[str] = []
    for suffix in suffixes:
        if _REGION.match(suffix) and region is None:
            region = suffix
        elif _VARIANT.match(suffix.lower()) and parse_tag(f"{base}-{suffix.lower()}"):
            variants.append(suffix.lower())
        else:
            return None  # an orthography or dialect standard, not a BCP-47 subtag
    return Locale(language.language, region, tuple(variants))


def parse_mode_name(mode: str) -> Direction | None:
    """The direction a `.mode` file name translates, or None when it is not a translation mode."""
    found = _DIRECTION.match(mode)
    if found is None:
        return None
    source, target = apertium_to_locale(found[1]), apertium_to_locale(found[2])
    if source is None or target is None or source.language == target.language:
        return None
    return Direction(mode, source, target)


def to_apertium(tag: str, *, three_letter: bool = True) -> str | None:
    """The Apertium code for a BCP-47 tag's language (`es` -> `spa`, or `es` two-letter)."""
    language = parse_tag(tag)
    if language is None or language.language is None:
        return None
    return language.to_alpha3() if three_letter else language.language


def package_hint(source: str, target: str) -> str:
    """The Debian package that installs `source -> target`, as an apt-get command line."""
    names: list[str] = []
    for three in (True, False):
        a, b = to_apertium(source, three_letter=three), to_apertium(target, three_letter=three)
        if a and b:
            names += [f"apertium-{a}-{b}", f"apertium-{b}-{a}"]
    known = [name for name in names if name in DEBIAN_PAIR_PACKAGES]
    if known:
        return f"apt-get install {known[0]}"
    guess = names[0] if names else "apertium-xxx-yyy"
    return (
        f"install the Apertium pair for {source} -> {target} (Debian names it like {guess}, "
        "in either order; see `apt-cache search apertium`), or build it from apertium.org"
    )


def best_direction(directions: list[Direction], source: str, target: str) -> Direction | None:
    """The installed direction closest to `source -> target`: `es-419` falls back to `es`."""
    wanted_source, wanted_target = parse_tag(source), parse_tag(target)
    if wanted_source is None or wanted_target is None:
        return None
    best: tuple[int, Direction] | None = None
    for direction in directions:
        source_score = direction.source.matches(wanted_source)
        target_score = direction.target.matches(wanted_target)
        if source_score is None or target_score is None:
            continue
        score = source_score + target_score
        if best is None or score > best[0]:
            best = (score, direction)
    return best[1] if best else None
