"""The local edge for ``/media/*``: CloudFront's signed-URL check, then the S3 object.

The check itself is ``photovault.adapters.cloudfront.verify_signed_url`` — the same code the API's tests use to
prove its signatures — so the local edge and the signer cannot disagree about CloudFront's algorithm (canned and
custom policies, wildcards, start time, source range). Any failure is a 403 with CloudFront's ``AccessDenied``
body, never a hint of which check failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from photovault.adapters.cloudfront import verify_signed_url

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
    """``/media/<owner>/<photo>/<kind>.webp`` → the derivatives bucket key (CloudFront's origin path is empty)."""
    key = path.lstrip("/")
    if not key.startswith("media/") or ".." in key.split("/"):
        return None
    return key
