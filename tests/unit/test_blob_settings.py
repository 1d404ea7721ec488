"""The blob settings (DRAGOMAN_BLOB_*), their start-up checks, and the store they choose."""

from __future__ import annotations

import sys
from pathlib import Path

import pydantic
import pytest

from dragoman.errors import MissingExtraError
from dragoman.settings import Settings
from dragoman.store.blobs import blob_store_from_settings
from dragoman.store.blobs.filesystem import FileSystemBlobStore
from dragoman.store.blobs.memory import MemoryBlobStore

BROKER = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ["BLOB_URL", "BLOB_PATH_SHARED", "MAX_UPLOAD_BYTES", "BROKER_URL", "DATA_DIR"]:
        monkeypatch.delenv(f"DRAGOMAN_{name}", raising=False)


def test_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.blob_url is None
    assert settings.blob_path_shared is False
    assert settings.max_upload_bytes == 20 * 1024 * 1024


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DRAGOMAN_BLOB_URL", f"file://{tmp_path}/shared")
    monkeypatch.setenv("DRAGOMAN_BLOB_PATH_SHARED", "true")
    monkeypatch.setenv("DRAGOMAN_MAX_UPLOAD_BYTES", "1048576")
    monkeypatch.setenv("DRAGOMAN_BROKER_URL", BROKER)
    settings = Settings()
    assert settings.blob_url == f"file://{tmp_path}/shared"
    assert settings.blob_path_shared is True
    assert settings.max_upload_bytes == 1048576


@pytest.mark.parametrize("blob_url", [None, "file:///srv/dragoman/blobs"])
def test_filesystem_store_with_a_broker_is_refused(tmp_path: Path, blob_url: str | None) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Settings(data_dir=tmp_path, broker_url=BROKER, blob_url=blob_url)
    message = str(caught.value)
    assert "DRAGOMAN_BLOB_URL=s3://" in message
    assert "DRAGOMAN_BLOB_PATH_SHARED=true" in message
    expected_root = "/srv/dragoman/blobs" if blob_url else str(tmp_path / "blobs")
    assert expected_root in message


@pytest.mark.parametrize(
    ("blob_url", "shared"),
    [(None, True), ("file:///srv/b", True), ("s3://bucket/prefix", False), ("memory://", False)],
)
def test_blob_stores_accepted_with_a_broker(
    tmp_path: Path, blob_url: str | None, shared: bool
) -> None:
    settings = Settings(
        data_dir=tmp_path, broker_url=BROKER, blob_url=blob_url, blob_path_shared=shared
    )
    assert settings.broker_url == BROKER


BAD_URLS = [
    "ftp://host/x", "blobs", "s3://", "s3://bucket?acl=public", "s3://bucket/../x",
    "s3://bucket?endpoint=ftp://x", "file://otherhost/srv", "file:relative/path",
]  # fmt: skip


@pytest.mark.parametrize("blob_url", BAD_URLS)
def test_bad_blob_urls_are_refused_at_start(tmp_path: Path, blob_url: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=r"(?i)blob|s3"):
        Settings(data_dir=tmp_path, blob_url=blob_url)


def test_max_upload_bytes_has_a_floor(tmp_path: Path) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(data_dir=tmp_path, max_upload_bytes=10)


def test_default_store_is_files_under_the_data_dir(tmp_path: Path) -> None:
    store = blob_store_from_settings(Settings(data_dir=tmp_path))
    assert isinstance(store, FileSystemBlobStore)
    assert store.root == (tmp_path / "blobs").resolve()
    assert store.root.is_dir()


def test_file_url_names_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere with space"
    url = "file://" + str(target).replace(" ", "%20")
    store = blob_store_from_settings(Settings(data_dir=tmp_path, blob_url=url))
    assert isinstance(store, FileSystemBlobStore)
    assert store.root == target.resolve()
    store.put_bytes("org/src/a", b"x")
    assert (target / "org" / "src" / "a").read_bytes() == b"x"


def test_memory_url(tmp_path: Path) -> None:
    store = blob_store_from_settings(Settings(data_dir=tmp_path, blob_url="memory://"))
    assert isinstance(store, MemoryBlobStore)


def test_s3_url_parts(tmp_path: Path) -> None:
    from dragoman.store.blobs.s3 import S3BlobStore

    url = "s3://my-bucket/dragoman/prod/?endpoint=http://127.0.0.1:9000&region=eu-west-1"
    store = blob_store_from_settings(Settings(data_dir=tmp_path, blob_url=url))
    try:
        assert isinstance(store, S3BlobStore)
        assert (store.bucket, store.prefix) == ("my-bucket", "dragoman/prod")
        assert store.endpoint_url == "http://127.0.0.1:9000"
        assert store._client.meta.region_name == "eu-west-1"
    finally:
        store.close()


def test_s3_without_boto3_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now fails
    settings = Settings(data_dir=tmp_path, blob_url="s3://bucket")  # still valid to configure
    with pytest.raises(MissingExtraError, match=r"install dragoman\[s3\]"):
        blob_store_from_settings(settings)
