"""The local edge for ``/media/*``: CloudFront's signed-URL check, then the S3 object.

The check itself is ``photovault.adapters.cloudfront.verify_signed_url`` — the same code the API's tests use to
prove its signatures — so the local edge and the signer cannot disagree about CloudFront's algorithm (canned and
custom policies, wildcards, start time, source range). Any failure is a 403 with CloudFront's ``AccessDenied``
body, never a hint of which check failed.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import unquote

from photovault.adapters.cloudfront import verify_signed_url
from scripts.local_stack.responses import HttpResponse

log = logging.getLogger(__name__)

ACCESS_DENIED_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>'
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


class SignedUrlVerifier:
    """Verifies viewer requests against a trusted key group: ``{key_pair_id: public key PEM}``."""

    def __init__(self, trusted_keys: Mapping[str, str], *, clock: Callable[[], float] = time.time) -> None:
        self._keys = dict(trusted_keys)
        self._clock = clock

    def verify(self, *, scheme: str, host: str, path: str, query: str, source_ip: str) -> Verdict:
        url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
        if verify_signed_url(url, self._keys, int(self._clock()), client_ip=source_ip):
            return Verdict(True)
        return Verdict(False, "signature, expiry, resource or source check failed")


def media_key(path: str) -> str | None:
    """``/media/<media_id>/<kind>.webp`` (or an older photo's ``/media/<sub>/<photo_id>/<kind>.webp``) → the
    derivatives bucket key (CloudFront's origin path is empty)."""
    key = path.lstrip("/")
    if not key.startswith("media/") or ".." in key.split("/"):
        return None
    return key


class MediaEdge:
    """``/media/*``: the CloudFront behaviour with a trusted key group in front of the derivatives bucket (OAC)."""

    def __init__(self, *, verifier: SignedUrlVerifier, s3: Any, bucket: str) -> None:
        self._verifier = verifier
        self._s3 = s3
        self._bucket = bucket

    def handle(self, method: str, path: str, query: str, host: str, source_ip: str) -> HttpResponse:
        if method not in {"GET", "HEAD"}:
            return denied()
        verdict = self._verifier.verify(scheme="http", host=host, path=path, query=query, source_ip=source_ip)
        key = media_key(unquote(path))
        if not verdict.allowed or key is None:
            log.info("403 %s: %s", path, verdict.reason or "not a media key")
            return denied()
        try:
            obj = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return denied()  # OAC grants GetObject only: S3 answers a missing key with 403, and so does CloudFront
        data = obj["Body"].read()
        headers = [("content-type", obj.get("ContentType") or "application/octet-stream")]
        if obj.get("ETag"):
            headers.append(("etag", obj["ETag"]))
        if obj.get("LastModified"):
            modified = obj["LastModified"].astimezone(UTC)
            headers.append(("last-modified", email.utils.format_datetime(modified, usegmt=True)))
        headers.append(("cache-control", obj.get("CacheControl") or "private, max-age=300"))
        return HttpResponse(200, headers, b"" if method == "HEAD" else data)


def denied() -> HttpResponse:
    return HttpResponse(403, [("content-type", "application/xml")], ACCESS_DENIED_BODY)
