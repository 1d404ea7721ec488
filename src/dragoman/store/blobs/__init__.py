"""Blob stores: where uploaded files and rendered outputs keep their bytes (DRAGOMAN_BLOB_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from dragoman.store.blobs.base import (
    BlobRef,
    BlobStore,
    read_chunks,
    validate_key,
    validate_prefix,
)

if TYPE_CHECKING:
    from dragoman.settings import Settings

__all__ = [
    "BlobRef",
    "BlobStore",
    "blob_store_from_settings",
    "blob_store_from_url",
    "filesystem_root",
    "read_chunks",
    "validate_key",
    "validate_prefix",
]

SCHEMES = ("file", "s3", "memory")


def filesystem_root(blob_url: str | None, data_dir: Path) -> Path | None:
    """Check `blob_url` (ValueError names the fault) and return the directory a filesystem
    store would use, or None when the URL names another kind of store."""
    if blob_url is None:
        return data_dir / "blobs"
    parts = urlsplit(blob_url)
    if parts.scheme not in SCHEMES:
        raise ValueError(
            f"DRAGOMAN_BLOB_URL must start with file://, s3:// or memory://: {blob_url!r}"
        )
    if parts.scheme == "s3":
        from dragoman.store.blobs.s3 import parse_s3_url

        parse_s3_url(blob_url)
    if parts.scheme != "file":
        return None
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise ValueError(f"a file blob URL needs an absolute path, file:///...: {blob_url!r}")
    return Path(unquote(parts.path))


def blob_store_from_url(blob_url: str | None, data_dir: Path) -> BlobStore:
    """Build the store `blob_url` names: None or file:/// (files), s3://, or memory://."""
    root = filesystem_root(blob_url, data_dir)
    if root is not None:
        from dragoman.store.blobs.filesystem import FileSystemBlobStore

        return FileSystemBlobStore(root)
    assert blob_url is not None
    scheme = urlsplit(blob_url).scheme
    if scheme == "s3":
        from dragoman.store.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(blob_url)
    if scheme == "memory":
        from dragoman.store.blobs.memory import MemoryBlobStore

        return MemoryBlobStore()
    raise AssertionError(f"filesystem_root accepted {blob_url!r}")


def blob_store_from_settings(settings: Settings) -> BlobStore:
    """The blob store the settings name (`blob_url`; files under `data_dir/blobs` by default)."""
    return blob_store_from_url(settings.blob_url, settings.data_dir)
