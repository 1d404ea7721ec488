"""Blobs as files under a root directory (the default: `DRAGOMAN_DATA_DIR/blobs`)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from dragoman.errors import NotFoundError
from dragoman.store.blobs.base import (
    BlobRef,
    BlobStore,
    Hasher,
    checked_delete_prefix,
    validate_key,
    validate_prefix,
)

# Keys never have a segment starting with '.', so these names can never shadow a key.
TEMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    """Make a directory's entries (a rename, a new child) durable."""
    if os.name == "nt":  # Windows cannot open a directory; NTFS journals metadata itself
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileSystemBlobStore(BlobStore):
    """One file per key; a put writes a temporary file beside the target, fsyncs it and
    renames it into place, so a reader or a crash sees the old blob or the new, never a part.

    A key cannot also be a folder of other keys here (`a/b` and `a/b/c`); Dragoman's key
    scheme never asks for that. A put racing a delete_prefix of its own folder may fail
    (its temporary file is deleted too); it never leaves a blob behind half-written."""

    name = "filesystem"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _make_dirs(self, directory: Path) -> None:
        """Create `directory` and its missing parents, each made durable in its parent."""
        missing: list[Path] = []
        current = directory
        while current != self.root and not current.is_dir():
            missing.append(current)
            current = current.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):  # a concurrent put made it first
                path.mkdir()
            _fsync_dir(path.parent)

    def _temp_file(self, directory: Path) -> tuple[int, str]:
        # A concurrent delete or delete_prefix may remove an empty directory between our
        # mkdir and mkstemp; making it again is enough, since a directory holding a file is
        # never removed.
        attempts = 5
        while True:
            try:
                self._make_dirs(directory)
                return tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
            except FileNotFoundError:
                attempts -= 1
                if not attempts:
                    raise

    def put(self, key: str, chunks: Iterable[bytes], *, max_size: int | None = None) -> BlobRef:
        target = self._path(key)
        hasher = Hasher(max_size)
        fd, temp_name = self._temp_file(target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_dir(target.parent)
        return hasher.ref(key)

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFoundError(f"no blob {key!r}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()
            self._prune(path.parent)

    def _prune(self, directory: Path) -> None:
        """Remove `directory` and its parents below the root while they are empty."""
        while directory != self.root:
            try:
                directory.rmdir()
            except OSError:  # not empty (or already gone): keep it and every parent
                return
            directory = directory.parent

    def delete_prefix(self, prefix: str) -> int:
        folder = self.root.joinpath(*checked_delete_prefix(prefix).split("/"))
        if not folder.is_dir():
            return 0
        removed = 0
        for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
            for filename in filenames:
                # Leftovers of crashed puts go too, but only real blobs are counted.
                try:
                    os.unlink(os.path.join(dirpath, filename))
                except FileNotFoundError:  # a concurrent delete got it first
                    continue
                if not filename.startswith("."):
                    removed += 1
            for dirname in dirnames:
                with contextlib.suppress(OSError):  # a concurrent put is filling it
                    os.rmdir(os.path.join(dirpath, dirname))
        with contextlib.suppress(OSError):
            folder.rmdir()
        self._prune(folder.parent)
        return removed

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        folder_key = validate_prefix(prefix)
        folder = self.root.joinpath(*folder_key.split("/")) if folder_key else self.root
        return iter(sorted(self._walk(folder)))

    def _walk(self, folder: Path) -> Iterator[str]:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for filename in filenames:
                if not filename.startswith("."):
                    yield filename if relative == "." else f"{relative}/{filename}"
