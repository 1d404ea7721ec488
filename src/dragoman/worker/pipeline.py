"""Running one job: claim its lease, extract units, translate in batches, QA, assemble."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dragoman.content.model import Unit
from dragoman.content.terms import Glossary
from dragoman.core import transitions
from dragoman.core.assets.glossary import terms_for
from dragoman.core.assets.tm import TranslationMemory
from dragoman.core.files import file_limits
from dragoman.core.transitions import ClaimedJob
from dragoman.delivery.buses.base import EventBus
from dragoman.engines.base import Engine, Segment
from dragoman.engines.human import HumanEngine
from dragoman.engines.registry import EnginePool
from dragoman.errors import DragomanError, EngineError, UnsupportedLanguagePairError
from dragoman.ids import new_id
from dragoman.settings import Settings
from dragoman.store.blobs.base import BlobStore
from dragoman.store.db import Database
from dragoman.timefmt import utcnow
from dragoman.worker import human, memory, stages
from dragoman.worker.tm_stage import TmStage

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5
LARGE_JOB_UNITS = 50_000  # jobs of sources this large run one at a time per process


class LeaseLostError(DragomanError):
    """Another worker took over this job; this worker stops without writing anything."""


class JobRunner:
    """Runs jobs by id; one instance per worker process, shared by its threads."""

    def __init__(
        self,
        db: Database,
        engines: EnginePool,
        settings: Settings,
        owner: str,
        bus: EventBus | None = None,
        blobs: BlobStore | None = None,
        redispatch: Callable[[list[str]], None] | None = None,
        tm: TranslationMemory | None = None,
    ) -> None:
        self.db = db
        self.tm = TmStage(db, tm)
        self.blobs = blobs
        self.redispatch = redispatch  # a released job is sent again at once
        self.extractions = stages.ExtractionCache()
        self._large = threading.Lock()
        self.bus = bus
        self.engines = engines
        self.settings = settings
        self.owner = owner
        self._held: set[str] = set()
        self._held_lock = threading.Lock()

    def notify(self) -> None:
        """Tell the deliverer and the WebSocket hub that events were committed."""
        if self.bus is not None:
            self.bus.notify()

    def held(self) -> list[str]:
        """Ids of the jobs this process is working on now (for lease renewal)."""
        with self._held_lock:
            return list(self._held)

    def run(self, job_id: str) -> None:
        """Claim and run `job_id`; returns quietly when another worker has it."""
        with self.db.write() as conn:
            job = transitions.claim(
                conn, job_id, self.owner, self.settings.lease_seconds, self.settings.max_attempts
            )
        self.notify()
        if job is None:
            return
        with self._held_lock:
            self._held.add(job.id)
        try:
            self._run_claimed(job)
        finally:
            with self._held_lock:
                self._held.discard(job.id)

    def _run_claimed(self, job: ClaimedJob) -> None:
        try:
            # A handle: no backend is built or started until a unit needs the engine.
            engine = self.engines.get(job.provider, job.engine_options)
            if job.provider == HumanEngine.name:  # people translate; a machine drafts
                human.prepare(self, job)
                return
            result = self._translate(job, engine)
        except LeaseLostError:
            log.info("lease on %s lost; another worker has it", job.id)
            return
        except EngineError as exc:
            if (
                isinstance(exc, UnsupportedLanguagePairError)
                or job.attempts >= self.settings.max_attempts
            ):
                self._fail(job, exc.message)
            else:
                log.warning("job %s: engine error, will retry: %s", job.id, exc.message)
                with self.db.write() as conn:
                    released = transitions.release(conn, job.id, self.owner)
                if released and self.redispatch is not None:
                    self.redispatch([job.id])
            return
        except DragomanError as exc:
            self._fail(job, exc.message)
            return
        except Exception as exc:
            log.exception("job %s failed unexpectedly", job.id)
            self._fail(job, f"internal error while translating: {type(exc).__name__}")
            return
        with self.db.write() as conn:
            done = transitions.complete(
                conn,
                job,
                self.owner,
                result.output,
                result.issues,
                result.total,
                artifact=result.artifact,
                units_failed=result.failed,
                metrics=result.metrics,
            )
        if done:
            self.tm.record(job, result.units, result.issues)
        else:
            log.info("job %s finished after its lease was lost; result dropped", job.id)
            if result.artifact is not None and self.blobs is not None:
                self.blobs.delete(str(result.artifact["blob_key"]))
        self.notify()

    def _fail(self, job: ClaimedJob, message: str) -> None:
        with self.db.write() as conn:
            transitions.fail(conn, job.id, self.owner, message)
        self.notify()

    def _load(self, job: ClaimedJob) -> stages.Source:
        """Load and extract the job's source, once per group in this process."""
        if job.artifact_format is None:
            content = job.content
            if content is None:
                raise DragomanError("the job's content has expired and can no longer be translated")
            return self.extractions.get(job.group_id, lambda: stages.extract_structured(content))
        key = job.source_blob_key
        if key is None or self.blobs is None:
            raise DragomanError("the job's source file has expired and can no longer be translated")
        blobs, fmt = self.blobs, job.artifact_format
        limits = file_limits(self.settings)

        def load() -> stages.Source:
            source = stages.extract_file(
                job.group_id, blobs.read(key), fmt, job.source_locale, limits
            )
            if len(source.extraction.units) >= LARGE_JOB_UNITS:
                memory.release()  # the parse's scaffolding, before the jobs add theirs
            return source

        return self.extractions.get(job.group_id, load)

    def _translate(self, job: ClaimedJob, engine: Engine) -> _Result:
        source = self._load(job)
        if len(source.extraction.units) < LARGE_JOB_UNITS:
            return self._translate_source(job, engine, source)
        # A large file's jobs run one at a time in this process: each holds a copy of every
        # unit and the rendered file, and ten at once would multiply that.
        with self._large:
            try:
                return self._translate_source(job, engine, source)
            finally:
                memory.release()

    def _translate_source(self, job: ClaimedJob, engine: Engine, source: stages.Source) -> _Result:
        from_tm = self.tm.apply(job, source.extraction.units)  # 101%/100% matches
        units = from_tm.units
        hints = stages.unit_hints(source, job.hints, engine.uses_hints)
        progress = _Progress(self, job)
        batch_size = min(engine.batch_size, self.settings.engine_batch_size)
        checked: list[bool] = []

        def translate(segments: Sequence[Segment]) -> list[str]:
            if not checked:  # the first call: units are left for the engine
                _check_pair(engine, job)
                checked.append(True)
            progress.add_total(len(segments))
            out: list[str] = []
            for start in range(0, len(segments), batch_size):
                batch = segments[start : start + batch_size]
                out.extend(engine.translate_batch(batch, job.source_locale, job.target_locale))
                progress.advance(len(batch))
            return out

        translated = stages.translate_units(
            units,
            translate,
            source_locale=job.source_locale,
            target_locale=job.target_locale,
            hints=hints,
            origin=f"mt:{engine.name}",
            glossary=self._glossary(job),
        )
        output = stages.assemble(source, translated, job.target_locale)
        structured = job.artifact_format is None
        metrics: dict[str, object] = {"tm": from_tm.metrics(per_unit=structured)}
        if structured:
            total = progress.total + len(from_tm.matches)
            return _Result(output, translated.issues, total, None, translated.failed,
                           metrics, translated.units)  # fmt: skip
        artifact = self._store_output(job, source, output)
        return _Result(None, translated.issues, len(units), artifact, translated.failed,
                       metrics, translated.units)  # fmt: skip

    def _glossary(self, job: ClaimedJob) -> Glossary | None:
        """The organization's terms for the job's pair (no engine takes a glossary yet, so
        every engine gets them protected and placed)."""
        with self.db.read() as conn:
            terms = terms_for(conn, job.org_id, job.source_locale, job.target_locale)
        return Glossary(terms) if terms else None

    def _store_output(
        self, job: ClaimedJob, source: stages.Source, data: bytes
    ) -> dict[str, object]:
        """Write the translated file under a key that includes the attempt, so a worker that
        lost its lease never overwrites the winner's output; the row comes after the bytes."""
        assert self.blobs is not None
        key = f"{job.org_id}/out/{job.id}/{job.attempts}"
        ref = self.blobs.put_bytes(key, data)
        codec = source.codec
        return {
            "id": new_id("art"),
            "org_id": job.org_id,
            "kind": str(codec.kind),
            "format": codec.name,
            "filename": codec.output_filename(job.filename, job.source_locale, job.target_locale),
            "media_type": codec.media_types[0],
            "sha256": ref.sha256,
            "size": ref.size,
            "blob_key": key,
            "units": len(source.extraction.units),
            "created_at": utcnow(),
        }


@dataclass(frozen=True, slots=True)
class _Result:
    output: object
    issues: list[dict[str, object]]
    total: int
    artifact: dict[str, object] | None
    failed: int
    metrics: dict[str, object]
    units: list[Unit]  # with their targets, for the TM


def _check_pair(engine: Engine, job: ClaimedJob) -> None:
    """UnsupportedLanguagePairError unless the engine serves the job's pair."""
    if not engine.supports(job.source_locale, job.target_locale):
        raise UnsupportedLanguagePairError(
            f"no engine of this organization translates {job.source_locale} -> "
            f"{job.target_locale} ({job.provider} engine: "
            f"{engine.missing_pair_hint(job.source_locale, job.target_locale)})"
        )


class _Progress:
    """Counts segments done and writes progress (and checks the lease) at most twice a second."""

    def __init__(self, runner: JobRunner, job: ClaimedJob) -> None:
        self.runner = runner
        self.job = job
        self.total = 0
        self.done = 0
        self._last = time.monotonic()

    def add_total(self, count: int) -> None:
        self.total += count

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        with self.runner.db.write() as conn:
            if not transitions.report_progress(
                conn, self.job, self.runner.owner, self.done, self.total
            ):
                raise LeaseLostError()
        self.runner.notify()
