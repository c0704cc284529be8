"""S3 adapters: the originals bucket (read by the worker, presigned for uploads) and the derivatives bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from photovault.api_ports import PresignedPost
from photovault.errors import ImageRejected, TransientDependencyError
from photovault.ports import StoredObject

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}


class S3OriginalStore:
    def __init__(self, client: Any) -> None:
        self._client = client

    def head(self, bucket: str, key: str) -> StoredObject | None:
        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _MISSING:
                return None
            raise TransientDependencyError(f"S3 HeadObject failed: {exc}") from exc
        return StoredObject(
            size=int(response["ContentLength"]),
            etag=str(response.get("ETag", "")).strip('"') or None,
            version_id=response.get("VersionId"),
            content_type=response.get("ContentType"),
        )

    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes:
        args: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            args["VersionId"] = version_id
        try:
            response = self._client.get_object(**args)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _MISSING:
                raise ImageRejected("file_missing", "The uploaded file is no longer there.") from exc
            raise TransientDependencyError(f"S3 GetObject failed: {exc}") from exc
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
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="private, max-age=31536000, immutable",
        )

    def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            objects = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if objects:
                self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": objects, "Quiet": True})
                deleted += len(objects)
        return deleted


class S3UploadPresigner:
    """The API's view of the originals bucket: presigned POST uploads and presigned GET downloads."""

    def __init__(self, client: Any, bucket: str) -> None:
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
        safe = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{safe or "photo"}"',
            },
            ExpiresIn=expires_in,
        )
        return url


class S3OriginalsDeleter:
    """Deletes an original for good: every version and delete marker of the key in the versioned bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def delete_all_versions(self, key: str) -> int:
        deleted = 0
        paginator = self._client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=key):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if v["Key"] == key  # the prefix also matches longer keys; only this exact object goes
            ]
            if doomed:
                self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": doomed, "Quiet": True})
                deleted += len(doomed)
        return deleted
