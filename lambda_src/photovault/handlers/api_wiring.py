"""Builds the API's use cases from settings and the boto3 adapters, once per cold start, on first use.

Nothing here runs at import: the first request that needs a use case pays for the adapters and the signing key
(one SSM GetParameter), ``/health`` never does. Tests replace the whole set with ``override``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the use cases load with the adapters on first use, not at cold start
    from photovault.library.service import Library
    from photovault.sharing.service import Sharing


@dataclass(frozen=True, slots=True)
class Services:
    library: Library
    sharing: Sharing


_lock = threading.Lock()
_services: Services | None = None


def override(value: Services | None) -> None:
    """Use ``value`` instead of the AWS-backed services (None: build them again on next use)."""
    global _services  # noqa: PLW0603 — the one per-process container
    with _lock:
        _services = value


def services() -> Services:
    global _services  # noqa: PLW0603
    if _services is None:
        with _lock:
            if _services is None:
                _services = build()
    return _services


def build() -> Services:
    from photovault.adapters import clients
    from photovault.adapters.cloudfront import CloudFrontSigner, ssm_key_loader
    from photovault.adapters.dynamodb_library import DynamoLibraryRepository
    from photovault.adapters.dynamodb_shares import DynamoShareRepository
    from photovault.adapters.s3 import S3MediaStore, S3OriginalsDeleter, S3UploadPresigner
    from photovault.library.cursor import CursorCodec, derive_secret
    from photovault.library.service import Library, LibraryConfig
    from photovault.observability import logger
    from photovault.settings import get_settings
    from photovault.sharing.service import Sharing, SharingConfig

    settings = get_settings()
    dynamodb = clients.client("dynamodb")
    s3 = clients.client("s3")
    if settings.signing_key_parameter:
        pem = ssm_key_loader(settings.signing_key_parameter, clients.client("ssm"))()
        cursor_secret = derive_secret(pem.encode())
    else:
        # No key configured (a misconfigured stack): media URLs cannot be signed, and cursors only hold within
        # this process. Say so loudly rather than failing every request.
        logger.warning("SIGNING_KEY_PARAMETER is not set: media URLs will fail and cursors are per-process")
        pem = ""
        cursor_secret = os.urandom(32)

    def load_key() -> str:
        if not pem:
            raise RuntimeError("no CloudFront signing key configured (SIGNING_KEY_PARAMETER)")
        return pem

    media = CloudFrontSigner(
        key_pair_id=settings.cloudfront_key_pair_id, base_url=settings.media_base_url, load_key=load_key
    )
    repo = DynamoLibraryRepository(dynamodb, settings.table_name)
    shares = DynamoShareRepository(dynamodb, settings.table_name)
    cursors = CursorCodec(cursor_secret)
    library = Library(
        repo=repo,
        shares=shares,
        presigner=S3UploadPresigner(s3, settings.originals_bucket),
        media=media,
        originals=S3OriginalsDeleter(s3, settings.originals_bucket),
        derivatives=S3MediaStore(s3, settings.derivatives_bucket),
        cursors=cursors,
        config=LibraryConfig(
            max_upload_bytes=settings.max_upload_bytes,
            upload_url_expiry_seconds=min(settings.upload_url_expiry_seconds, 900),
            media_url_expiry_seconds=settings.media_url_expiry_seconds,
            min_label_confidence=settings.min_label_confidence,
        ),
    )
    sharing = Sharing(
        shares=shares,
        photos=repo,
        media=media,
        cursors=cursors,
        config=SharingConfig(
            share_url_expiry_seconds=min(settings.share_url_expiry_seconds, 300),
            site_url=settings.media_base_url,
        ),
    )
    return Services(library=library, sharing=sharing)
