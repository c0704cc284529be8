"""When a share link is usable: one function both the in-memory fake and the DynamoDB condition expression follow."""

from __future__ import annotations

from enum import StrEnum

from photovault.model import Photo
from photovault.ports import Share

MIN_EXPIRES_IN = 60  # 1 minute
MAX_EXPIRES_IN = 30 * 24 * 3600  # 30 days
MAX_VIEWS = 100_000


class ShareState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    EXHAUSTED = "exhausted"  # every allowed view has been used


def share_state(share: Share, now_epoch: int) -> ShareState:
    if share.revoked:
        return ShareState.REVOKED
    if share.expires_at <= now_epoch:
        return ShareState.EXPIRED
    if share.max_views is not None and share.views >= share.max_views:
        return ShareState.EXHAUSTED
    return ShareState.ACTIVE


def can_view(share: Share, now_epoch: int) -> bool:
    """The DynamoDB adapter's condition: ``revoked = false AND expires_at > now AND views < max_views``."""
    return share_state(share, now_epoch) is ShareState.ACTIVE


def shareable(photo: Photo) -> bool:
    """Only finished, accepted photos in the library can be shared: never PENDING, QUARANTINED, REJECTED or
    DUPLICATE ones, nor one in the trash (its links stop working at once, and work again once it is restored)."""
    return photo.in_timeline and "preview" in photo.derivatives
