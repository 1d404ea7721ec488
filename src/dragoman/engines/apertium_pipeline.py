"""One warm Apertium pipeline: the programs of a `.mode` file, chained, in null-flush mode."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path
from typing import IO

from dragoman.errors import EngineError, EngineUnavailableError

# Programs that take no `-z` (they flush at `\0` on their own), as apertium-apy notes.
_NO_Z = re.compile(r"^(?:.*/)?(?:vislcg3|cg-mwesplit|hfst-tokeni[sz]e|divvun-suggest)$")
_READ_SIZE = 1 << 16
_SCRIPT_DATADIR = re.compile(r"APERTIUM_DATADIR:-([^}\"']+)")


def mode_commands(mode_file: Path, *, mark_unknown: bool) -> list[list[str]]:
    """The argv of every program in a `.mode` file, each set to flush at every `\\0`."""
    text = mode_file.read_text(encoding="utf-8").strip()
    if not text:
        raise EngineError(f"Apertium mode file {mode_file} is empty")
    commands = []
    for part in text.split("|"):
        # `$1` is the generator's unknown-word switch (`-g` marks them, `-n` does not), `$2` the
        # tagger's optional `-m`; that is how the `apertium` script fills them.
        argv = shlex.split(part.replace("$1", "-g" if mark_unknown else "-n").replace("$2", ""))
        if not _NO_Z.match(argv[0]):
            argv.insert(1, "-z")
        commands.append(argv)
    return commands


def _kill(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    for proc in procs:
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # unflushed bytes to a program that exited
                    stream.close()
        proc.wait()


class PipelineFailedError(EngineError):
    """The Apertium pipeline died or stopped answering."""


class ApertiumPipeline:
    """The processes of one mode, started on first use; `run()` is serialized by a lock."""

    def __init__(self, mode: str, commands: list[list[str]], timeout: float) -> None:
        self.mode = mode
        self.commands = commands
        self.timeout = timeout
        self.lock = threading.Lock()
        self._procs: list[subprocess.Popen[bytes]] = []
        self._stderr: IO[bytes] | None = None
        self._finalizer: weakref.finalize[..., ApertiumPipeline] | None = None

    @property
    def pids(self) -> list[int]:
        """Process ids of the running programs (empty before the first batch)."""
        return [proc.pid for proc in self._procs]

    def alive(self) -> bool:
        """True when every program of the pipeline is running."""
        return bool(self._procs) and all(proc.poll() is None for proc in self._procs)

    def start(self) -> None:
        """Start the programs, each reading the previous one's output."""
        self.stop()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the pipeline
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        upstream: IO[bytes] | int = subprocess.PIPE
        try:
            for argv in self.commands:
                proc = subprocess.Popen(  # noqa: S603 - argv from an installed .mode file
                    argv, stdin=upstream, stdout=subprocess.PIPE, stderr=self._stderr, env=env
                )
                if self._procs and self._procs[-1].stdout is not None:
                    self._procs[-1].stdout.close()  # the next program owns it now
                upstream = proc.stdout if proc.stdout is not None else subprocess.PIPE
                self._procs.append(proc)
        except OSError as exc:
            self.stop()
            raise EngineUnavailableError(
                f"cannot start Apertium mode {self.mode}: {exc}; is Apertium installed?"
            ) from exc
        self._finalizer = weakref.finalize(self, _kill, self._procs)

    def stop(self) -> None:
        """Kill every program of the pipeline."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._procs = []
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def run(
        self, payload: bytes, boundaries: bytes, count: int, timeout: float | None = None
    ) -> bytes:
        """Write `payload`, return the output up to its `count`-th `boundaries` and next `\\0`;
        `timeout` (default the pipeline's own) is the longest silence allowed."""
        wait = self.timeout if timeout is None else timeout
        if not self.alive():
            self.start()
        stdin, stdout = self._procs[0].stdin, self._procs[-1].stdout
        assert stdin is not None and stdout is not None
        # Written from a thread: a big batch would otherwise fill every pipe buffer and block.
        writer = threading.Thread(target=_write, args=(stdin, payload), daemon=True)
        writer.start()
        buf = bytearray()
        seen = scan = 0
        fd = stdout.fileno()
        while True:
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:  # a timeout means no progress at all, however big the batch
                raise PipelineFailedError(self._failure(f"no answer in {wait:g} s"))
            chunk = os.read(fd, _READ_SIZE)
            if not chunk:
                raise PipelineFailedError(self._failure("it exited"))
            buf += chunk
            while seen < count and (found := buf.find(boundaries, scan)) >= 0:
                seen, scan = seen + 1, found + len(boundaries)
            if seen < count:
                scan = max(scan, len(buf) - len(boundaries) + 1)
            elif buf.find(b"\0", scan) >= 0:
                break
        writer.join()
        return bytes(buf)

    def _failure(self, what: str) -> str:
        codes = [proc.poll() for proc in self._procs]
        detail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            detail = self._stderr.read()[-500:].decode("utf-8", "replace").strip()
        self.stop()
        return f"Apertium pipeline {self.mode}: {what} (exit codes {codes}) {detail}".strip()


def _write(stream: IO[bytes], payload: bytes) -> None:
    try:
        stream.write(payload)
        stream.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass  # the reader sees the dead pipeline and reports it


def terminate_all(pipelines: list[ApertiumPipeline]) -> None:
    """Stop every pipeline in `pipelines` (used by `close()`)."""
    for pipeline in pipelines:
        with pipeline.lock:
            pipeline.stop()


def find_modes_dir(apertium_path: str, configured: Path | None = None) -> Path | None:
    """Where the installed `.mode` files are, or None when Apertium is not installed."""
    if configured is not None:
        return configured if configured.is_dir() else None
    candidates: list[Path] = []
    if datadir := os.environ.get("APERTIUM_DATADIR"):
        candidates.append(Path(datadir))
    if binary := shutil.which(apertium_path):
        script = Path(binary).resolve()
        # The `apertium` script names its data dir: APERTIUM_DATADIR="${...:-/usr/share/apertium}"
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if found := _SCRIPT_DATADIR.search(script.read_text(encoding="utf-8")[:4096]):
                candidates.append(Path(found[1]))
        candidates.append(script.parent.parent / "share" / "apertium")
    for candidate in candidates:
        if (candidate / "modes").is_dir():
            return candidate / "modes"
    return None
