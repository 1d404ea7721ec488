"""The translation-memory stage of a job: 101%/100% matches become targets before the
engine runs (one batch `lookup` per job, `core/assets/tm_apply.py`), and machine output is
recorded where the organization allows it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from dragoman.content.model import Unit
from dragoman.core import org_settings
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.assets.tm_apply import TmApplied, apply_matches, job_pair, record_machine
from dragoman.core.assets.tm_index import for_database
from dragoman.core.transitions import ClaimedJob
from dragoman.store.db import Database

log = logging.getLogger(__name__)


class TmStage:
    """The TM as a worker uses it: matches applied before the engine, machine output
    recorded after a job completes when its organization turned that on."""

    def __init__(self, db: Database, tm: TranslationMemory | None = None) -> None:
        self.db = db
        self._tm = tm
        self._lock = threading.Lock()

    @property
    def tm(self) -> TranslationMemory:
        """The memory, built on first use (the index may query the database)."""
        with self._lock:
            if self._tm is None:
                self._tm = TranslationMemory(for_database(self.db))
            return self._tm

    def apply(self, job: ClaimedJob, units: Sequence[Unit]) -> TmApplied:
        """The job's units with the organization's 101%/100% matches applied."""
        pair = job_pair(job.source_locale, job.target_locale)
        if pair is None:
            return TmApplied(list(units))
        return apply_matches(self.tm, job.org_id, pair, units)

    def record(
        self, job: ClaimedJob, units: Sequence[Unit], issues: Sequence[dict[str, object]]
    ) -> None:
        """After completion: store the engine's targets if the organization allows it; a
        failure is logged, never charged to the completed job."""
        pair = job_pair(job.source_locale, job.target_locale)
        if pair is None:
            return
        try:
            with self.db.read() as conn:
                if not org_settings.tm_store_machine(conn, job.org_id):
                    return
            added = record_machine(self.tm, job.org_id, pair, units, issues)
            log.info("job %s: %d machine translations stored in the TM", job.id, added)
        except Exception:
            log.exception("job %s: storing machine output in the TM failed", job.id)
