"""S3 adapters: the originals bucket (read by the worker, presigned for uploads, purged, streamed into exports), the
derivatives bucket, and the exports jobs write."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from photovault.adapters.aws import aws_errors, call_aws, error_code, translated
from photovault.errors import ImageRejected, ObjectMissing, TransientDependencyError
from photovault.ports import PresignedPost, StoredObject, StoredPart

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}


_S3 = "S3"


def _unreadable(exc: ClientError, what: str) -> Exception:
    """The worker retries any failure to read an original that is still there (throttled, down, refused)."""
    return translated(exc, _S3) or TransientDependencyError(f"S3 {what} failed: {exc}")


class S3OriginalStore:
    def __init__(self, client: S3Client) -> None:
        self._client = client

    def head(self, bucket: str, key: str) -> StoredObject | None:
        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise _unreadable(exc, "HeadObject") from exc
        return StoredObject(
            size=int(response["ContentLength"]),
            etag=str(response.get("ETag", "")).strip('"') or None,
            version_id=response.get("VersionId"),
            content_type=response.get("ContentType"),
        )

    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes:
        try:
            if version_id:
                response = self._client.get_object(Bucket=bucket, Key=key, VersionId=version_id)
            else:
                response = self._client.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise ImageRejected("file_missing", "The uploaded file is no longer there.") from exc
            raise _unreadable(exc, "GetObject") from exc
        body = response["Body"]
        try:
            # Read one byte past the limit so an object that grew after HEAD is still caught, never buffered whole.
            data: bytes = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise ImageRejected(
                "file_too_large",
                f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.",
            )
        return data


class S3MediaStore:
    """The derivatives bucket as the worker sees it: it writes a run's renditions and deletes a run's folder."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @aws_errors(_S3)
    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="private, max-age=31536000, immutable",
        )

    @aws_errors(_S3)
    def read(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise ObjectMissing(f"no object {key}") from exc
            raise
        return response["Body"].read()

    def delete_prefix(self, prefix: str) -> int:
        # The bucket is versioned: a plain delete would leave the bytes readable by version id.
        return S3VersionDeleter(self._client, self._bucket).delete_all_versions_under(prefix)


class S3UploadPresigner:
    """The API's view of the originals bucket: presigned POST uploads and presigned GET downloads."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presign_post(self, *, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        # Every condition is exact: the browser cannot pick another key, type or a size past the limit.
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=str(post["url"]), fields={str(k): str(v) for k, v in post["fields"].items()})

    def presign_get(self, *, key: str, expires_in: int, filename: str) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key, "ResponseContentDisposition": attachment(filename, "photo")},
            ExpiresIn=expires_in,
        )
        return url


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition that saves the download as ``filename`` (ASCII-safe; quotes and backslashes replaced)."""
    safe = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
    return f'attachment; filename="{safe or fallback}"'


class S3VersionDeleter:
    """Deletes for good in a versioned bucket: every version and delete marker of a key, or of every key under a
    prefix (a plain DeleteObject would only add a delete marker and keep the bytes)."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @aws_errors(_S3)
    def delete_all_versions(self, key: str) -> int:
        # The prefix also matches longer keys; only this exact object goes.
        return self._delete_versions(key, lambda found, _names: found == key)

    @aws_errors(_S3)
    def delete_all_versions_under(self, prefix: str) -> int:
        if not prefix.endswith("/"):
            raise ValueError(f"a prefix to purge must end with '/': {prefix!r}")
        return self._delete_versions(prefix, lambda found, _names: found.startswith(prefix))

    @aws_errors(_S3)
    def delete_revision(self, key: str, revision: str, *, keep: str) -> int:
        if not revision:
            return 0
        # A version is named by its id or its ETag (S3 events from some emulators name no version): one that both
        # name is the kept one, whatever the caller believes.
        return self._delete_versions(key, lambda found, names: found == key and revision in names and keep not in names)

    def _delete_versions(self, prefix: str, wanted: Callable[[str, set[str]], bool]) -> int:
        deleted = 0
        paginator = self._client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            doomed: list[ObjectIdentifierTypeDef] = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if wanted(v["Key"], {v["VersionId"], str(v.get("ETag", "")).strip('"')} - {""})
            ]
            if doomed:  # a page holds at most 1,000 versions: DeleteObjects' limit
                response = self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": doomed, "Quiet": True})
                errors = response.get("Errors", [])
                if errors:  # Quiet mode reports only failures; a silent partial delete would leave bytes behind
                    first = errors[0]
                    raise TransientDependencyError(
                        f"S3 kept {len(errors)} of {len(doomed)} versions under {prefix}: "
                        f"{first.get('Code')} {first.get('Message')}"
                    )
                deleted += len(doomed)
        return deleted


class S3OriginalReader:
    """The originals bucket read as a stream: a job copies originals into archives chunk by chunk."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def chunks(self, key: str, *, chunk_size: int) -> Iterator[bytes]:
        try:
            response = call_aws(lambda: self._client.get_object(Bucket=self._bucket, Key=key), _S3)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise ObjectMissing(f"no object {key}") from exc
            raise
        body = response["Body"]
        try:
            while True:
                chunk = call_aws(lambda: body.read(chunk_size), _S3)
                if not chunk:
                    return
                yield chunk
        finally:
            body.close()


# S3's multipart rules: every part but the last is at least 5 MiB; at most 10,000 parts.
MIN_PART_BYTES = 5 * 1024 * 1024
UPLOAD_PART_BYTES = 16 * 1024 * 1024
_PARTS_IN_FLIGHT = 2  # memory: (in flight + the one filling) x UPLOAD_PART_BYTES


class S3MultipartSink:
    """A write-only stream that becomes one S3 object through a multipart upload: at most a few parts are held in
    memory (the one filling and ``_PARTS_IN_FLIGHT`` uploading in the background while the caller reads on)."""

    def __init__(self, client: S3Client, bucket: str, key: str, *, content_type: str, part_bytes: int) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts are at least {MIN_PART_BYTES} bytes")
        self._client = client
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: list[Future[CompletedPartTypeDef]] = []
        self._parts: list[CompletedPartTypeDef] = []
        self._size = 0
        self._closed = False

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        if self._closed:
            raise ValueError("write to a closed sink")
        self._buffer += data
        self._size += len(data)
        if len(self._buffer) >= self._part_bytes:  # S3 needs at least the minimum, not an exact size: no re-slicing
            full, self._buffer = bytes(self._buffer), bytearray()
            self._send(full)
        return len(data)

    def flush(self) -> None:
        """Bytes go to S3 in whole parts; nothing to do until one is full."""

    def close(self) -> StoredPart:
        self._closed = True
        try:
            if self._upload_id is None:  # small enough for one request
                response = call_aws(
                    lambda: self._client.put_object(
                        Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer), ContentType=self._content_type
                    ),
                    _S3,
                )
                return StoredPart(self._key, response.get("VersionId"), self._size)
            if self._buffer:
                last, self._buffer = bytes(self._buffer), bytearray()
                self._send(last)
            self._drain(0)
            parts = sorted(self._parts, key=lambda part: part["PartNumber"])
            upload_id = self._upload_id
            completed = call_aws(
                lambda: self._client.complete_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=upload_id, MultipartUpload={"Parts": parts}
                ),
                _S3,
            )
            return StoredPart(self._key, completed.get("VersionId"), self._size)
        except BaseException:
            self.abort()
            raise
        finally:
            self._shutdown()

    def abort(self) -> None:
        self._closed = True
        for future in self._in_flight:
            future.cancel()
        self._shutdown()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            with contextlib.suppress(ClientError):  # the lifecycle rule aborts what this cannot
                self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)

    def _send(self, data: bytes) -> None:
        if self._upload_id is None:
            created = call_aws(
                lambda: self._client.create_multipart_upload(
                    Bucket=self._bucket, Key=self._key, ContentType=self._content_type
                ),
                _S3,
            )
            self._upload_id = created["UploadId"]
            self._pool = ThreadPoolExecutor(max_workers=_PARTS_IN_FLIGHT, thread_name_prefix="s3-part")
        assert self._pool is not None
        self._drain(_PARTS_IN_FLIGHT - 1)
        number = len(self._parts) + len(self._in_flight) + 1
        self._in_flight.append(self._pool.submit(self._upload_part, number, data))

    def _upload_part(self, number: int, data: bytes) -> CompletedPartTypeDef:
        upload_id = self._upload_id
        assert upload_id is not None
        response = call_aws(
            lambda: self._client.upload_part(
                Bucket=self._bucket, Key=self._key, UploadId=upload_id, PartNumber=number, Body=data
            ),
            _S3,
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def _drain(self, keep: int) -> None:
        """Wait until at most ``keep`` parts are still uploading (a failed part raises here)."""
        while len(self._in_flight) > keep:
            self._parts.append(self._in_flight.pop(0).result())

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class S3ExportStore:
    """What jobs write under ``exports/`` of the originals bucket, and the short links the API hands out for it."""

    def __init__(self, client: S3Client, bucket: str, *, part_bytes: int = UPLOAD_PART_BYTES) -> None:
        self._client = client
        self._bucket = bucket
        self._part_bytes = part_bytes

    def open_part(self, key: str, *, content_type: str) -> S3MultipartSink:
        return S3MultipartSink(self._client, self._bucket, key, content_type=content_type, part_bytes=self._part_bytes)

    @aws_errors(_S3)
    def abort_unfinished(self, prefix: str) -> int:
        aborted = 0
        paginator = self._client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            for upload in page.get("Uploads", []):
                self._client.abort_multipart_upload(Bucket=self._bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                aborted += 1
        return aborted

    @aws_errors(_S3)
    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    @aws_errors(_S3)
    def get_bytes(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise ObjectMissing(f"no object {key}") from exc
            raise
        data: bytes = response["Body"].read()
        return data

    def presign_get(self, *, key: str, version_id: str | None, filename: str, expires_in: int) -> str:
        params: dict[str, str] = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": attachment(filename, "photovault.zip"),
        }
        if version_id:
            params["VersionId"] = version_id  # exactly the object the job recorded, never a later one
        url: str = self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return url
