"""Ports of the HTTP API's use cases: library and share persistence, upload presigning, media URLs, deletions.

Positions (``Position``) are the repository-level "where to continue" markers; the API wraps them in signed
cursors (``photovault.library.cursor``). A repository always builds partition keys from the ``owner`` argument,
never from a position, so a position can at most move within the caller's own partition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from photovault.model import Photo, PhotoStatus

Position = Mapping[str, str]


# ---------------------------------------------------------------- library


@dataclass(frozen=True, slots=True)
class TermMatch:
    """Why a photo matched a term: the field, its confidence and the original word or label."""

    field: str
    confidence: float
    source: str = ""


@dataclass(frozen=True, slots=True)
class TermPosting:
    """One search-term item (pk ``USER#<sub>#T#<term>``, sk ``PHOTO#<photo_id>``)."""

    term: str
    photo_id: str
    matches: tuple[TermMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelCount:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class PhotoPage:
    photos: list[Photo]
    next_position: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class PostingPage:
    postings: list[TermPosting]
    next_position: dict[str, str] | None = None


class LibraryRepository(Protocol):
    """The API's reads and writes on a user's photos, terms and facets. Every method is scoped to ``owner``."""

    def create_pending(self, photo: Photo) -> None:
        """Write a new PENDING photo item (never overwrites an existing one)."""

    def get(self, owner: str, photo_id: str) -> Photo | None:
        """The photo, strongly consistent; None when it does not exist (or belongs to someone else)."""

    def get_many(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        """The photos that exist among ``photo_ids`` (one batched read), keyed by id."""

    def list_photos(self, owner: str, *, limit: int, start: Position | None, status: PhotoStatus | None) -> PhotoPage:
        """The owner's photos newest first, at most ``limit``, continuing after ``start``."""

    def term_postings(self, owner: str, term: str, *, limit: int, before: str | None) -> PostingPage:
        """Postings of ``term`` newest first (photo ids strictly older than ``before`` when given)."""

    def postings_for(self, owner: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TermPosting]:
        """The postings that exist among the (term, photo_id) pairs (batched point reads)."""

    def labels(self, owner: str) -> list[LabelCount]:
        """The owner's label facets with a positive count (one query on the facet partition)."""

    def delete_photo(self, photo: Photo) -> bool:
        """Delete the photo's terms (``photo.indexed_terms``), its content-hash record (if it points at this photo),
        then — only if the item is still as read (``updated_at``) — the photo item together with the decrements of
        ``photo.indexed_labels``, atomically. False when the item is gone or changed since it was read."""


# ---------------------------------------------------------------- sharing


@dataclass(frozen=True, slots=True)
class Share:
    token: str
    owner: str
    photo_id: str
    created_at: str  # ISO 8601
    expires_at: int  # epoch seconds; also the table's TTL attribute
    max_views: int | None = None
    views: int = 0
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class SharePage:
    shares: list[Share]
    next_position: dict[str, str] | None = None


class ShareRepository(Protocol):
    def create(self, share: Share) -> None:
        """Store a new share (the token is fresh; never overwrites)."""

    def get(self, token: str) -> Share | None: ...

    def list_for_owner(self, owner: str, *, limit: int, start: Position | None) -> SharePage:
        """The owner's shares, newest first."""

    def revoke(self, owner: str, token: str) -> bool:
        """Mark the owner's share revoked (idempotent). False when there is no such share of this owner."""

    def record_view(self, token: str, *, now_epoch: int) -> Share | None:
        """Atomically count one view while the share is valid (not revoked, not expired, views left).

        Returns the share after the increment, or None when the share is missing or no longer valid."""

    def delete_for_photo(self, owner: str, photo_id: str) -> int:
        """Delete every share of the owner's photo; returns how many were deleted."""


# ---------------------------------------------------------------- storage and URLs


@dataclass(frozen=True, slots=True)
class PresignedPost:
    url: str
    fields: dict[str, str] = field(default_factory=dict)


class UploadPresigner(Protocol):
    """The originals bucket, seen from the API: browser uploads and downloads through short-lived URLs."""

    def presign_post(self, *, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        """A presigned POST for exactly ``key``, exactly ``content_type`` and 1..``max_bytes`` bytes."""

    def presign_get(self, *, key: str, expires_in: int, filename: str) -> str:
        """A presigned GET of the original, downloaded under ``filename``."""


class MediaUrlSigner(Protocol):
    """Signed URLs for the derivatives behind the CDN (CloudFront signed URLs in AWS)."""

    def sign(self, key: str, *, expires_at: int) -> str:
        """A URL for the derivatives object ``key`` valid until ``expires_at`` (epoch seconds)."""


class OriginalDeleter(Protocol):
    def delete_all_versions(self, key: str) -> int:
        """Delete every version (and delete marker) of ``key`` in the originals bucket; returns how many."""


class DerivativeDeleter(Protocol):
    def delete_prefix(self, prefix: str) -> int: ...
