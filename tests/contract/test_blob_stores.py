"""One suite over every blob store: memory, filesystem, and S3 against a real moto server."""

from __future__ import annotations

import hashlib
import io
import os
import random
import secrets
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dragoman.errors import NotFoundError, PayloadTooLargeError
from dragoman.store.blobs.base import BlobRef, BlobStore, read_chunks
from dragoman.store.blobs.filesystem import FileSystemBlobStore
from dragoman.store.blobs.memory import MemoryBlobStore
from tests.s3server import CREDENTIALS, MotoS3Server, start_or_skip

MiB = 1024 * 1024
BUCKET = "dragoman-blobs"


@pytest.fixture(scope="session")
def aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fake credentials, and no ~/.aws of the machine running the tests."""
    nowhere = tmp_path_factory.mktemp("aws") / "absent"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.setenv("AWS_CONFIG_FILE", str(nowhere))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
        patch.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="session")
def s3_server(aws_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3Server]:
    """One moto S3 server for the session, with the bucket every S3 test writes into."""
    server = start_or_skip(tmp_path_factory.mktemp("moto") / "moto.log")
    import boto3

    client = boto3.session.Session().client("s3", endpoint_url=server.endpoint)
    client.create_bucket(Bucket=BUCKET)
    client.close()
    yield server
    server.stop()


def make_s3(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    from dragoman.store.blobs.s3 import S3BlobStore

    server: MotoS3Server = request.getfixturevalue("s3_server")
    # A fresh key prefix per test: tests share the bucket but never see each other's blobs.
    url = f"s3://{BUCKET}/t-{secrets.token_hex(6)}?endpoint={server.endpoint}&region=us-east-1"
    return S3BlobStore.from_url(url)


MAKERS: dict[str, Any] = {
    "memory": lambda request, tmp_path: MemoryBlobStore(),
    "filesystem": lambda request, tmp_path: FileSystemBlobStore(tmp_path / "blobs"),
    "s3": make_s3,
}


@pytest.fixture(params=list(MAKERS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    made: BlobStore = MAKERS[request.param](request, tmp_path)
    yield made
    made.close()


def s3_client(store: BlobStore) -> Any:
    return store._client  # type: ignore[attr-defined]


def generated_chunks(count: int, size: int = MiB, *, seed: int = 7) -> Iterator[bytes]:
    """`count` pseudo-random chunks, made one at a time so no caller holds them all."""
    rng = random.Random(seed)
    for _ in range(count):
        yield rng.randbytes(size)


def expected_digest(count: int, size: int = MiB, *, seed: int = 7) -> str:
    sha = hashlib.sha256()
    for chunk in generated_chunks(count, size, seed=seed):
        sha.update(chunk)
    return sha.hexdigest()


def failing_chunks(good: int, size: int = MiB) -> Iterator[bytes]:
    yield from generated_chunks(good, size)
    raise RuntimeError("the upload broke off")


def test_put_bytes_then_read_and_open(store: BlobStore) -> None:
    data = b'msgid "hello"\nmsgstr ""\n'
    ref = store.put_bytes("org_1/src/art_1", data)
    assert ref == BlobRef("org_1/src/art_1", len(data), hashlib.sha256(data).hexdigest())
    assert store.read("org_1/src/art_1") == data
    with store.open("org_1/src/art_1") as stream:
        assert stream.read(5) == data[:5]
        assert stream.read() == data[5:]
    assert store.exists("org_1/src/art_1")


def test_put_streams_chunks_and_counts_them(store: BlobStore) -> None:
    chunks = [b"ab", b"", b"cde", b"f" * 1000]
    ref = store.put("org_1/out/job_1/1", iter(chunks))
    joined = b"".join(chunks)
    assert (ref.size, ref.sha256) == (len(joined), hashlib.sha256(joined).hexdigest())
    assert store.read("org_1/out/job_1/1") == joined


def test_put_from_a_file_object(store: BlobStore) -> None:
    data = secrets.token_bytes(2 * MiB + 512)
    chunks = list(read_chunks(io.BytesIO(data)))
    assert [len(c) for c in chunks] == [MiB, MiB, 512]
    ref = store.put("org_1/src/file", iter(chunks))
    assert ref == BlobRef("org_1/src/file", len(data), hashlib.sha256(data).hexdigest())
    assert store.read("org_1/src/file") == data


def test_empty_blob(store: BlobStore) -> None:
    ref = store.put("org_1/src/empty", iter([]))
    assert ref.size == 0
    assert ref.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.read("org_1/src/empty") == b""


def test_large_blob_streams_through_without_being_held(store: BlobStore) -> None:
    count = 20  # 20 MiB in 1 MiB chunks: three S3 parts (8 + 8 + 4)
    tracemalloc.start()
    try:
        ref = store.put("org_1/src/big", generated_chunks(count))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sha, size = hashlib.sha256(), 0
        with store.open("org_1/src/big") as stream:
            while chunk := stream.read(MiB):
                sha.update(chunk)
                size += len(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    digest = expected_digest(count)
    assert ref == BlobRef("org_1/src/big", count * MiB, digest)
    assert (size, sha.hexdigest()) == (count * MiB, digest)
    if isinstance(store, MemoryBlobStore):
        return  # the fake holds its blobs in memory by definition
    # Filesystem: about one chunk; S3: one part of 8 MiB being filled plus one chunk.
    limit = 4 * MiB if isinstance(store, FileSystemBlobStore) else 12 * MiB
    assert put_peak < limit, f"put held {put_peak / MiB:.1f} MiB"
    assert read_peak < 4 * MiB, f"reading held {read_peak / MiB:.1f} MiB"


def test_missing_blob(store: BlobStore) -> None:
    with pytest.raises(NotFoundError):
        store.open("org_1/src/nothing")
    with pytest.raises(NotFoundError):
        store.read("org_1/src/nothing")
    assert not store.exists("org_1/src/nothing")


def test_delete(store: BlobStore) -> None:
    store.put_bytes("org_1/src/a", b"a")
    store.put_bytes("org_1/src/b", b"b")
    store.delete("org_1/src/a")
    assert not store.exists("org_1/src/a")
    with pytest.raises(NotFoundError):
        store.read("org_1/src/a")
    assert store.read("org_1/src/b") == b"b"
    store.delete("org_1/src/a")  # already gone: not an error


def test_overwrite_replaces(store: BlobStore) -> None:
    store.put_bytes("org_1/out/job_1/1", b"first version, longer")
    ref = store.put_bytes("org_1/out/job_1/1", b"second")
    assert ref.size == 6
    assert store.read("org_1/out/job_1/1") == b"second"
    assert list(store.list_keys("org_1")) == ["org_1/out/job_1/1"]


def put_tree(store: BlobStore) -> None:
    for key in ["org1/src/a", "org1/src/b", "org1/out/job1/1", "org1/out/job1/2",
                "org10/src/a", "org2/src/a"]:  # fmt: skip
        store.put_bytes(key, key.encode())


def test_list_keys(store: BlobStore) -> None:
    put_tree(store)
    assert list(store.list_keys()) == [
        "org1/out/job1/1", "org1/out/job1/2", "org1/src/a", "org1/src/b",
        "org10/src/a", "org2/src/a",
    ]  # fmt: skip
    assert list(store.list_keys("org1/src")) == ["org1/src/a", "org1/src/b"]
    assert list(store.list_keys("org1/out/")) == ["org1/out/job1/1", "org1/out/job1/2"]
    # A prefix is a folder: "org1" never reaches into "org10".
    assert "org10/src/a" not in list(store.list_keys("org1"))
    assert list(store.list_keys("org3")) == []


def test_delete_prefix_counts_and_spares_other_prefixes(store: BlobStore) -> None:
    put_tree(store)
    assert store.delete_prefix("org1/out/job1") == 2
    assert store.delete_prefix("org1") == 2
    assert store.delete_prefix("org1/") == 0
    assert list(store.list_keys()) == ["org10/src/a", "org2/src/a"]
    assert store.read("org10/src/a") == b"org10/src/a"
    with pytest.raises(ValueError):
        store.delete_prefix("")  # never "everything"


def test_delete_prefix_in_batches(store: BlobStore) -> None:
    if not isinstance(store, MemoryBlobStore | FileSystemBlobStore):
        # Past one listing page and one DeleteObjects batch (1000 keys each) on S3.
        from dragoman.store.blobs import s3

        store.put_bytes("org_keep/src/a", b"x")
        total = s3.DELETE_BATCH + 5
    else:
        total = 30
    for i in range(total):
        store.put_bytes(f"org_gone/src/{i:05d}", b"x")
    assert store.delete_prefix("org_gone") == total
    assert list(store.list_keys("org_gone")) == []


BAD_KEYS = ["", "/org/src/a", "org/../a", "..", "org//a", "org/src/", "org/\x00a", "org/a b",
            "org/é", "org\\src", "org/.hidden", "org/a\nb", "x" * 1025]  # fmt: skip


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put_bytes(key, b"x")
    with pytest.raises(ValueError):
        store.put(key, iter([b"x"]))
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.exists(key)
    with pytest.raises(ValueError):
        store.delete(key)
    with pytest.raises(ValueError):
        store.url(key, 60)
    assert list(store.list_keys()) == []


@pytest.mark.parametrize("prefix", ["/", "/org", "org/../x", "org//src", "org/ a"])
def test_bad_prefixes_are_refused(store: BlobStore, prefix: str) -> None:
    with pytest.raises(ValueError):
        store.list_keys(prefix)
    with pytest.raises(ValueError):
        store.delete_prefix(prefix)


def test_url(store: BlobStore) -> None:
    data = secrets.token_bytes(3000)
    store.put_bytes("org_1/out/job_1/1", data)
    url = store.url("org_1/out/job_1/1", 60)
    if isinstance(store, MemoryBlobStore | FileSystemBlobStore):
        assert url is None
        return
    assert url is not None
    response = httpx.get(url)  # no credentials: the signature in the URL is the permission
    assert response.status_code == 200
    assert response.content == data
    # moto checks no signatures, so only the URL's form shows it is presigned and expires.
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Signature"]
    for ttl in (0, 7 * 24 * 3600 + 1):  # SigV4 allows a second to a week
        with pytest.raises(ValueError):
            store.url("org_1/out/job_1/1", ttl)


def test_size_cap_stores_nothing(store: BlobStore) -> None:
    store.put_bytes("org_1/src/a", b"old")
    with pytest.raises(PayloadTooLargeError):
        store.put("org_1/src/a", generated_chunks(3, 1000), max_size=2500)
    with pytest.raises(PayloadTooLargeError):
        store.put("org_1/src/b", generated_chunks(3, 1000), max_size=2500)
    assert store.read("org_1/src/a") == b"old"
    assert not store.exists("org_1/src/b")
    assert store.put("org_1/src/c", generated_chunks(3, 1000), max_size=3000).size == 3000


def test_broken_upload_leaves_the_key_as_it_was(store: BlobStore) -> None:
    store.put_bytes("org_1/src/a", b"old")
    with pytest.raises(RuntimeError, match="broke off"):
        store.put("org_1/src/a", failing_chunks(2))
    with pytest.raises(RuntimeError, match="broke off"):
        store.put("org_1/src/b", failing_chunks(2))
    assert store.read("org_1/src/a") == b"old"
    assert not store.exists("org_1/src/b")
    assert list(store.list_keys()) == ["org_1/src/a"]


def test_concurrent_puts_leave_one_whole_blob(store: BlobStore) -> None:
    versions = [bytes([i]) * (64 * 1024 + i) for i in range(4)]
    threads = [
        threading.Thread(target=store.put, args=("org_1/src/a", iter([v[:1000], v[1000:]])))
        for v in versions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read("org_1/src/a") in versions


# S3 only: what the bucket looks like underneath.


@pytest.fixture
def s3_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    made = make_s3(request, tmp_path)
    yield made
    made.close()


def test_s3_large_blob_goes_up_in_parts(s3_store: BlobStore) -> None:
    s3_store.put("org_1/src/big", generated_chunks(20))
    client, prefix = s3_client(s3_store), s3_store.prefix  # type: ignore[attr-defined]
    head = client.head_object(Bucket=BUCKET, Key=f"{prefix}/org_1/src/big")
    assert head["ContentLength"] == 20 * MiB
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object of three parts


def test_s3_broken_multipart_upload_is_aborted(s3_store: BlobStore) -> None:
    with pytest.raises(RuntimeError, match="broke off"):
        s3_store.put("org_1/src/big", failing_chunks(10))  # one part went up first
    client, prefix = s3_client(s3_store), s3_store.prefix  # type: ignore[attr-defined]
    uploads = client.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", [])
    assert uploads == []
    assert not s3_store.exists("org_1/src/big")


def test_s3_prefix_keeps_stores_apart(s3_store: BlobStore, request: pytest.FixtureRequest) -> None:
    other = make_s3(request, Path())
    try:
        s3_store.put_bytes("org_1/src/a", b"mine")
        assert list(other.list_keys()) == []
        assert other.delete_prefix("org_1") == 0
        assert s3_store.read("org_1/src/a") == b"mine"
    finally:
        other.close()


# Filesystem only: the files on disk.


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def dirs_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


def test_filesystem_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "blobs")
    store.put("org_1/src/a", generated_chunks(3, 1000))
    store.put_bytes("org_1/src/a", b"again")
    store.put_bytes("org_1/out/job_1/1", b"out")
    assert files_under(store.root) == ["org_1/out/job_1/1", "org_1/src/a"]
    assert (store.root / "org_1/src/a").read_bytes() == b"again"


def test_filesystem_crash_mid_write_leaves_nothing(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "blobs")
    with pytest.raises(RuntimeError, match="broke off"):
        store.put("org_1/src/a", failing_chunks(2))
    assert files_under(store.root) == []
    assert not (store.root / "org_1/src/a").exists()


def test_filesystem_delete_prefix_removes_files_then_empty_directories(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "blobs")
    put_tree(store)
    (store.root / "org1/src/.tmp-leftover").write_bytes(b"from a crashed put")
    assert len(files_under(store.root)) == 7
    assert store.delete_prefix("org1") == 4  # the leftover goes too, but is not a blob
    assert files_under(store.root) == ["org10/src/a", "org2/src/a"]
    assert dirs_under(store.root) == ["org10", "org10/src", "org2", "org2/src"]
    store.delete("org2/src/a")
    assert dirs_under(store.root) == ["org10", "org10/src"]
    assert list(store.list_keys()) == ["org10/src/a"]


def test_filesystem_hides_temporary_files_from_listing(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "blobs")
    store.put_bytes("org_1/src/a", b"a")
    (store.root / "org_1/src/.tmp-inflight").write_bytes(b"partial")
    assert list(store.list_keys()) == ["org_1/src/a"]
    assert sorted(os.listdir(store.root / "org_1/src")) == [".tmp-inflight", "a"]


def test_filesystem_put_survives_deletes_pruning_its_directories(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path / "blobs")
    errors: list[BaseException] = []

    def churn(name: str) -> None:
        # Each delete prunes org_1/src and org_1 when they empty, under the other's puts.
        try:
            for i in range(150):
                store.put_bytes(f"org_1/src/{name}{i}", b"x")
                store.delete(f"org_1/src/{name}{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=churn, args=(name,)) for name in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert files_under(store.root) == []
