"""Blobs in an S3 bucket (AWS, MinIO, R2, ...): `s3://bucket/prefix?endpoint=...&region=...`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, cast
from urllib.parse import parse_qs, urlsplit

from dragoman.errors import DragomanError, MissingExtraError, NotFoundError
from dragoman.store.blobs.base import (
    BlobRef,
    BlobStore,
    Hasher,
    checked_delete_prefix,
    under,
    validate_key,
    validate_prefix,
)

PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024  # S3 refuses smaller parts, except the last one
MAX_URL_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs live a week at most
DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
_MISSING = {"NoSuchKey", "404", "NotFound"}


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def parse_s3_url(url: str) -> tuple[str, str, str | None, str | None]:
    """Split `s3://bucket/optional/prefix?endpoint=URL&region=NAME` into its four parts."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket/... URL: {url!r}")
    query = parse_qs(parts.query)
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ValueError(f"unknown S3 blob URL parameters: {', '.join(sorted(unknown))}")
    endpoint = query.get("endpoint", [None])[-1]
    if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ValueError(f"the S3 endpoint must be an http(s):// URL: {endpoint!r}")
    prefix = parts.path.strip("/")
    validate_prefix(prefix)
    return parts.netloc, prefix, endpoint, query.get("region", [None])[-1]


class S3BlobStore(BlobStore):
    """One object per key under an optional key prefix; large blobs go up in multipart parts
    of about `part_size` bytes, so memory holds one part at a time, never the whole blob.

    Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID, ~/.aws, instance roles)."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        part_size: int = PART_SIZE,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("the S3 blob store needs a bucket name")
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.prefix = validate_prefix(prefix)
        self.endpoint_url = endpoint_url
        self.part_size = part_size
        self._client = client if client is not None else self._make_client(endpoint_url, region)

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        """Build the store from `s3://bucket/optional/prefix?endpoint=URL&region=NAME`."""
        bucket, prefix, endpoint_url, region = parse_s3_url(url)
        return cls(bucket, prefix, endpoint_url=endpoint_url, region=region)

    @staticmethod
    def _make_client(endpoint_url: str | None, region: str | None) -> Any:
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:
            raise MissingExtraError("the S3 blob store needs boto3: install dragoman[s3]") from exc
        options: dict[str, Any] = {
            "signature_version": "s3v4",
            "retries": {"max_attempts": 5, "mode": "standard"},
        }
        if endpoint_url:
            # MinIO and most S3-compatible servers want path-style addressing, and some reject
            # the CRC checksums boto3 adds by default since 1.36.
            options["s3"] = {"addressing_style": "path"}
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        # A session per store: boto3's default session is not safe to share across threads.
        session = boto3.session.Session()
        return session.client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=Config(**options)
        )

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, chunks: Iterable[bytes], *, max_size: int | None = None) -> BlobRef:
        name = self._name(validate_key(key))
        hasher = Hasher(max_size)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            for chunk in chunks:
                hasher.update(chunk)
                buffer += chunk
                if len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = self._client.create_multipart_upload(
                            Bucket=self.bucket, Key=name
                        )["UploadId"]
                    # The full buffer is the part (parts may differ in size): no copy made.
                    body, buffer = buffer, bytearray()
                    self._upload_part(name, upload_id, parts, body)
                    del body  # or it stays alive while the next part fills
            if upload_id is None:
                self._client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer or not parts:
                    self._upload_part(name, upload_id, parts, buffer)
                self._client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            if upload_id is not None:
                # Parts of an aborted upload are never visible under the key; abort frees them.
                with contextlib.suppress(Exception):
                    self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=name, UploadId=upload_id
                    )
            raise
        return hasher.ref(key)

    def _upload_part(
        self, name: str, upload_id: str, parts: list[dict[str, Any]], body: bytearray
    ) -> None:
        number = len(parts) + 1
        response = self._client.upload_part(
            Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=body
        )
        parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def open(self, key: str) -> BinaryIO:
        name = self._name(validate_key(key))
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=name)
        except Exception as exc:
            if _error_code(exc) in _MISSING:
                raise NotFoundError(f"no blob {key!r}") from None
            raise
        # botocore's StreamingBody is an io.IOBase that reads from the socket as it goes.
        return cast(BinaryIO, response["Body"])

    def exists(self, key: str) -> bool:
        name = self._name(validate_key(key))
        try:
            self._client.head_object(Bucket=self.bucket, Key=name)
        except Exception as exc:
            if _error_code(exc) in _MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._name(validate_key(key)))

    def delete_prefix(self, prefix: str) -> int:
        start = under(self._name(checked_delete_prefix(prefix)))
        removed = 0
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            names = [item["Key"] for item in page.get("Contents", [])]
            for i in range(0, len(names), DELETE_BATCH):
                batch = names[i : i + DELETE_BATCH]
                response = self._client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": n} for n in batch], "Quiet": True},
                )
                errors = response.get("Errors") or []
                if errors:
                    first = errors[0]
                    raise DragomanError(
                        f"S3 refused to delete {len(errors)} blobs under {prefix!r}, e.g. "
                        f"{first.get('Key')!r}: {first.get('Code')} {first.get('Message')}"
                    )
                removed += len(batch)
        return removed

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        start = under(self._name(validate_prefix(prefix))) if prefix else under(self.prefix)
        return self._list(start)

    def _list(self, start: str) -> Iterator[str]:
        strip = len(under(self.prefix))
        paginator = self._client.get_paginator("list_objects_v2")
        # S3 lists keys in UTF-8 byte order, which for ASCII keys is Python's sorted order.
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                yield item["Key"][strip:]

    def url(self, key: str, ttl_seconds: int) -> str | None:
        name = self._name(validate_key(key))
        if not 1 <= ttl_seconds <= MAX_URL_SECONDS:
            raise ValueError(f"a presigned URL lives 1 to {MAX_URL_SECONDS} seconds")
        return cast(
            str,
            self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": name},
                ExpiresIn=int(ttl_seconds),
            ),
        )

    def close(self) -> None:
        self._client.close()
