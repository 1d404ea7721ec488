"""Estimates: the analysis and price of a request before it is submitted, per target locale.

A request carries a native JSON object (`data`, as `POST /jobs/localization`) or a file
(through the codec registry: resource files and documents). It is parsed once, analysed
per target against the organization's TM, and priced with the rate card of its service
level and pair. Everything here blocks (parsing, the TM, the database): call it on a thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from dragoman.content import langid
from dragoman.content.formats import registry
from dragoman.content.formats.base import Codec
from dragoman.content.formats.structured import StructuredCodec, check_shape
from dragoman.content.model import ArtifactKind, Limits, Unit
from dragoman.core import text_checks
from dragoman.core.analysis import Analysis, analyse
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_index import for_database
from dragoman.core.locales import normalize_locale, target_list
from dragoman.core.orgs import Organization
from dragoman.core.quotes import DEFAULT_CARD, Price, RateCard, price
from dragoman.core.rate_cards import rate_card_for, service_level_of
from dragoman.core.submission import resolve_engine
from dragoman.errors import PayloadTooLargeError, ValidationError
from dragoman.settings import Settings
from dragoman.store.db import Database

if TYPE_CHECKING:
    from dragoman.engines.registry import EnginePool

AUTO = "auto"
DEFAULT_SERVICE_LEVEL = "standard"
Supports = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class EstimateRequest:
    """What to estimate: `data` (a JSON object) or `file` with its `filename`."""

    source_locale: str  # BCP-47, or "auto"
    target_locales: Sequence[str]
    data: Mapping[str, Any] | None = None
    file: bytes | None = None
    filename: str | None = None
    format: str | None = None  # a codec name that overrides the extension
    service_level: str = DEFAULT_SERVICE_LEVEL
    engine_id: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """The parsed source: its format, units and (detected or given) locale."""

    format: str
    kind: ArtifactKind
    units: list[Unit]
    source_locale: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class TargetEstimate:
    """One target locale's analysis, the card that priced it, the price, and whether the
    engine serves the pair (None: not asked)."""

    target_locale: str
    analysis: Analysis
    card: RateCard
    price: Price
    machine_available: bool | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    """A request's estimate: the source, the service level and one entry per target."""

    source: Source
    service_level: str
    targets: list[TargetEstimate]


def read_source(request: EstimateRequest, settings: Settings) -> Source:
    """Parse the request's data or file once; 4xx errors name the field at fault."""
    text_checks.check_text(request.source_locale, "source_locale")
    if (request.data is None) == (request.file is None):
        raise ValidationError("send either data (a JSON object) or a file", field="data")
    if request.data is not None:
        check_shape(
            request.data, max_depth=settings.max_data_depth, max_strings=settings.max_data_strings
        )
        codec: Codec = StructuredCodec()
        units = StructuredCodec().extract(request.data).units
        filename = None
    else:
        file = request.file or b""
        if len(file) > settings.max_upload_bytes:
            raise PayloadTooLargeError(
                f"the file is {len(file)} bytes; the limit is {settings.max_upload_bytes}",
                field="file",
            )
        if not file:
            raise ValidationError("the file is empty", field="file")
        text_checks.check_text(request.filename or "upload", "filename")
        text_checks.check_optional(request.format, "format")
        name = request.filename or "upload"
        filename = PurePosixPath(name.replace("\\", "/")).name[:255] or "upload"
        codec = registry.for_file(filename, file, request.format)
        locale = request.source_locale.strip()
        limits = Limits(max_bytes=settings.max_upload_bytes, max_units=settings.max_file_units)
        units = codec.parse(
            file, source_locale="en" if locale.lower() == AUTO else locale, limits=limits
        ).units
    texts = [u.source for u in units if u.translatable]
    if filename is not None and not texts:
        raise ValidationError(f"{filename} has nothing to translate", field="file")
    return Source(codec.name, codec.kind, units, _source_locale(request, texts), filename)


def _source_locale(request: EstimateRequest, texts: list[str]) -> str:
    source = request.source_locale.strip()
    if source.lower() == AUTO:
        detected = langid.detect_locale(texts[:200])
        if detected is None:
            raise ValidationError(
                "could not detect the source language; name it", field="source_locale"
            )
        source = detected
    return normalize_locale(source, field="source_locale")


def target_locales(source: str, tags: Sequence[str], settings: Settings) -> list[str]:
    """Canonical targets, none the source, none twice; errors name `target_locales[i]`."""
    text_checks.check_texts(tags, "target_locales")
    return target_list(source, tags, limit=settings.max_target_locales, repeats_allowed=False)


def analyse_request(
    request: EstimateRequest,
    *,
    settings: Settings,
    db: Database | None,
    tm: TranslationMemory | None,
    org_id: str,
    supports: Supports | None = None,
) -> Estimate:
    """Parse, analyse per target with one TM look-up each, and price with the org's cards
    (without a database, DEFAULT_CARD)."""
    level = service_level_of(request.service_level)
    source = read_source(request, settings)
    targets = target_locales(source.source_locale, request.target_locales, settings)
    cards = dict.fromkeys(targets, DEFAULT_CARD)
    if db is not None:
        with db.read() as conn:
            cards = {
                t: rate_card_for(conn, org_id, level, (source.source_locale, t)) for t in targets
            }
    out = []
    for target in targets:
        analysis = analyse(
            source.units,
            source_locale=source.source_locale,
            target_locale=target,
            tm=tm,
            org_id=org_id,
            tagged=source.kind is ArtifactKind.DOCUMENT,
        )
        available = None if supports is None else supports(source.source_locale, target)
        card = cards[target]
        out.append(TargetEstimate(target, analysis, card, price(analysis, card), available))
    return Estimate(source, level, out)


class EstimateService:
    """Estimates as the Core serves them: the org's TM, rate cards and engine, one process-wide
    TM (its fuzzy index caches per organization and pair)."""

    def __init__(self, settings: Settings, db: Database, engines: EnginePool) -> None:
        self.settings = settings
        self.db = db
        self.engines = engines
        self._tm: TranslationMemory | None = None
        self._lock = threading.Lock()

    @property
    def tm(self) -> TranslationMemory:
        """The memory, built on first use (the index may query the database)."""
        with self._lock:
            if self._tm is None:
                self._tm = TranslationMemory(for_database(self.db))
            return self._tm

    def estimate(self, org: Organization, request: EstimateRequest) -> Estimate:
        """The request's estimate; an unknown `engine_id` is a 404 (blocking: on a thread)."""
        text_checks.check_optional(request.engine_id, "engine_id")
        with self.db.write() as conn:  # the default engine is created on first use
            record = resolve_engine(conn, org, request.engine_id, self.settings)

        def supports(source: str, target: str) -> bool:
            try:
                engine = self.engines.get(record.provider, record.options)
                return engine.resolve_pair(source, target) is not None
            except Exception:  # a missing backend serves nothing rather than a 500
                return False

        return analyse_request(
            request, settings=self.settings, db=self.db, tm=self.tm, org_id=org.id,
            supports=supports,
        )  # fmt: skip
