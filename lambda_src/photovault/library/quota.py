"""Per-user upload quotas, checked at POST /uploads: uploads per rolling hour, uploads unfinished at once, stored bytes.

The counters live on one item per user (``Usage``), replaced in the same transaction that creates the PENDING photo
and only while the item is still at the revision it was read at — two concurrent requests at a limit cannot both
pass: one write wins, the other reads again and is refused. Nothing is created when a limit is reached.

Unfinished uploads are not a counter that every end of a photo must decrement: the item holds the open uploads'
ids (with the bytes each declared), and a request settles them against their photo items (one batched read of the
open ones) when — and only when — the item as it stands would refuse it. Counting every open upload as unfinished
and at its declared size over-counts, so what it lets through is within the limits, and a request far from the
limits reads nothing but the quota item. Settling, an upload that ended READY or QUARANTINED keeps its real size in
``bytes``; one that ended otherwise (rejected, duplicate, failed), expired or was deleted gives its declared bytes
back. So whatever way a photo ends — the pipeline, the PENDING expiry, a delete — it is counted right when it
matters, and no path can leak a slot. A photo deleted after it was settled gives its ``stored_bytes`` back when it
is purged (the table's stream), once: the purge's write is conditional on the photo no longer being open and on a
per-photo marker. A FAILED upload settled that way and later redriven to READY is counted again by the worker
(``PhotoRepository.count_stored_bytes``: once, and only when the upload is no longer open).

Photos stored before quotas existed are counted by ``scripts/backfill_quota_bytes.py`` (once per photo)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from photovault.errors import PhotoVaultError
from photovault.model import Photo, PhotoStatus
from photovault.ports import Usage

HOUR = 3600
# The photo's bytes are in the vault (the original and its derivatives): they count against the owner's storage.
_KEEPS_BYTES = frozenset({PhotoStatus.READY, PhotoStatus.QUARANTINED})
_UNFINISHED = frozenset({PhotoStatus.PENDING, PhotoStatus.PROCESSING})


@dataclass(frozen=True, slots=True)
class QuotaLimits:
    """What one person may have in flight and stored: uploads per hour, unfinished uploads, bytes."""

    uploads_per_hour: int = 200
    pending: int = 50  # at most one SQS backlog of this many photos per user ahead of anybody else's upload
    bytes: int = 20 * 1024**3


class QuotaExceeded(PhotoVaultError):
    """One of the caller's upload limits is reached (429, as a throttled request): nothing was created;
    ``retry_after`` says when one frees up (None when only deleting photos frees it)."""

    code = "quota_exceeded"
    http_status = 429

    def __init__(self, message: str, *, limit: str, retry_after: int | None) -> None:
        super().__init__(message, details={"limit": limit})
        self.limit = limit
        self.retry_after = retry_after


def stored_bytes(photo: Photo) -> int:
    """What a finished photo counts against its owner's storage: its size when the vault keeps its bytes, else 0."""
    return photo.facts.size_bytes if photo.status in _KEEPS_BYTES and photo.facts is not None else 0


def settle(usage: Usage, photos: Mapping[str, Photo], now: float) -> Usage:
    """``usage`` with the open uploads that have ended taken out and their bytes settled. ``photos`` are the open
    uploads' items that still exist (a missing one was deleted)."""
    still_open: dict[str, int] = {}
    used = usage.bytes
    for photo_id, declared in usage.open.items():
        photo = photos.get(photo_id)
        if photo is not None and photo.status in _UNFINISHED and not photo.upload_expired(now):
            still_open[photo_id] = declared
        elif photo is not None and stored_bytes(photo):
            used += min(stored_bytes(photo), declared) - declared
        else:
            used -= declared
    return within_hour(Usage(recent=usage.recent, open=still_open, bytes=max(used, 0), revision=usage.revision), now)


def within_hour(usage: Usage, now: float) -> Usage:
    """``usage`` without the uploads requested more than an hour before ``now``."""
    return Usage(
        recent=tuple(at for at in usage.recent if at > now - HOUR),
        open=usage.open,
        bytes=usage.bytes,
        revision=usage.revision,
    )


def charge(usage: Usage, limits: QuotaLimits, *, photo_id: str, size: int, now: float) -> Usage:
    """The settled ``usage`` with one more upload of ``size`` bytes, or ``QuotaExceeded`` naming the limit."""
    if len(usage.recent) >= limits.uploads_per_hour:
        # The oldest upload of the window leaves it first: then one more fits.
        wait = max(1, math.ceil(usage.recent[0] + HOUR - now))
        raise QuotaExceeded(
            f"You can start {limits.uploads_per_hour} uploads an hour; try again in {_minutes(wait)}.",
            limit="uploads_per_hour",
            retry_after=wait,
        )
    if len(usage.open) >= limits.pending:
        raise QuotaExceeded(
            f"{limits.pending} uploads are still unfinished; start more when some of them are done.",
            limit="pending",
            retry_after=60,
        )
    if usage.bytes + size > limits.bytes:
        raise QuotaExceeded(
            f"This upload would take your vault over its {limits.bytes // 1024**3} GB; delete photos to make room.",
            limit="bytes",
            retry_after=None,
        )
    return Usage(
        recent=(*usage.recent, int(now)),
        open={**usage.open, photo_id: size},
        bytes=usage.bytes + size,
        revision=usage.revision,
    )


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"
