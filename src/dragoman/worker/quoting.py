"""Analysing quote-first jobs: claim the analysis lease, parse the source, count its match
bands against the organization's TM, price them with the service level's rate card."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from dragoman.content.model import ArtifactKind
from dragoman.core import quoting, transitions
from dragoman.core.analysis import Analysis, analyse
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_index import for_database
from dragoman.core.files import file_limits
from dragoman.core.quotes import price
from dragoman.core.rate_cards import rate_card_for
from dragoman.core.status import JobStatus
from dragoman.delivery.buses.base import EventBus
from dragoman.errors import DragomanError
from dragoman.settings import Settings
from dragoman.store.blobs.base import BlobStore
from dragoman.store.db import Database
from dragoman.worker import stages

log = logging.getLogger(__name__)


def analysis_json(analysis: Analysis) -> dict[str, dict[str, int]]:
    """Counts per band and `TOTAL`, as stored (Lingo24's metric names)."""
    bands = {name: dataclasses.asdict(counts) for name, counts in analysis.bands.items()}
    return {"TOTAL": dataclasses.asdict(analysis.total), **bands}


class Analyzer:
    """Runs the analysis of dispatched quote-first jobs (one instance per worker process)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        owner: str,
        *,
        blobs: BlobStore | None,
        bus: EventBus | None,
        redispatch: Callable[[list[str]], None] | None,
        tm: TranslationMemory | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.owner = owner
        self.blobs = blobs
        self.bus = bus
        self.redispatch = redispatch
        self._tm = tm
        self._held: set[str] = set()
        self._held_lock = threading.Lock()

    def held(self) -> list[str]:
        """Ids of the jobs this process is analysing now (the pool renews their leases, so
        a file that takes longer than a lease to analyse is never claimed twice)."""
        with self._held_lock:
            return list(self._held)

    def tm(self) -> TranslationMemory:
        if self._tm is None:
            self._tm = TranslationMemory(for_database(self.db))
        return self._tm

    def run(self, job_id: str) -> None:
        """Claim and analyse `job_id`; quietly nothing when another worker has it."""
        with self.db.write() as conn:
            job = quoting.claim_analysis(conn, job_id, self.owner, self.settings.lease_seconds)
        if job is None:
            return
        with self._held_lock:
            self._held.add(job.id)
        try:
            self._run_claimed(job)
        finally:
            with self._held_lock:
                self._held.discard(job.id)

    def _run_claimed(self, job: quoting.ClaimedAnalysis) -> None:
        try:
            analysis = self._analyse(job)
            with self.db.read() as conn:
                card = rate_card_for(
                    conn, job.org_id, job.service_level, (job.source_locale, job.target_locale)
                )
            quote = price(analysis, card).as_json()
        except DragomanError as exc:
            self._fail(job, exc.message)
            return
        except Exception as exc:
            log.exception("analysis of %s failed unexpectedly", job.id)
            self._fail(job, f"internal error while analysing: {type(exc).__name__}")
            return
        with self.db.write() as conn:
            status = quoting.finish_analysis(conn, job, self.owner, analysis_json(analysis), quote)
        self._notify()
        if status == JobStatus.QUEUED and self.redispatch is not None:
            self.redispatch([job.id])

    def _analyse(self, job: quoting.ClaimedAnalysis) -> Analysis:
        if job.blob_key is None or job.artifact_format is None or self.blobs is None:
            raise DragomanError("the job's source file is gone and cannot be analysed")
        source = stages.extract_file(
            job.group_id,
            self.blobs.read(job.blob_key),
            job.artifact_format,
            job.source_locale,
            file_limits(self.settings),
        )
        return analyse(
            source.extraction.units,
            source_locale=job.source_locale,
            target_locale=job.target_locale,
            tm=self.tm(),
            org_id=job.org_id,
            tagged=job.artifact_kind == ArtifactKind.DOCUMENT,
        )

    def _fail(self, job: quoting.ClaimedAnalysis, message: str) -> None:
        with self.db.write() as conn:
            transitions.fail(conn, job.id, self.owner, message)  # settles its project too
        self._notify()

    def _notify(self) -> None:
        if self.bus is not None:
            self.bus.notify()
