"""What the library use cases return: domain photos paired with what only a request can add (signed URLs, cursors).

These are not response shapes: ``photovault.api.mappers`` turns them into the contract's models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from photovault.model import Album, Photo, Retry
from photovault.ports import MapPoint, PresignedPost, TermMatch


@dataclass(frozen=True, slots=True)
class UploadTicket:
    photo: Photo
    post: PresignedPost
    expires_at: int
    max_bytes: int


@dataclass(frozen=True, slots=True)
class MediaLinks:
    """Signed URLs of a photo's media, all valid until ``expires_at``; None where there is nothing to show."""

    expires_at: int
    thumb: str | None = None
    preview: str | None = None
    original: str | None = None


@dataclass(frozen=True, slots=True)
class ShownPhoto:
    photo: Photo
    links: MediaLinks
    retry: Retry | None = None  # how a PROCESSING photo waits for its next attempt, as of this request


@dataclass(frozen=True, slots=True)
class Gallery:
    items: list[ShownPhoto]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class MapView:
    """One page of the owner's map points."""

    points: list[MapPoint]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoView:
    """One photo as its page shows it: the photo, its albums and its neighbours in the timeline."""

    shown: ShownPhoto
    albums: list[Album]
    previous: ShownPhoto | None = None  # newer: shown before it in the timeline (newest first)
    next: ShownPhoto | None = None  # older


@dataclass(frozen=True, slots=True)
class AlbumView:
    album: Album
    cover: ShownPhoto | None


@dataclass(frozen=True, slots=True)
class AlbumListing:
    items: list[AlbumView]
    cursor: str | None = None


class Outcome(StrEnum):
    """What an action did to one photo of a selection."""

    OK = "ok"  # done now, or it already was so
    NOT_FOUND = "not_found"  # no such photo (or album) of the caller
    CONFLICT = "conflict"  # not possible in the photo's state (not in the library, processing, not in the trash)


@dataclass(frozen=True, slots=True)
class ActionResult:
    photo_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Match:
    term: str
    match: TermMatch


@dataclass(frozen=True, slots=True)
class SearchHit:
    shown: ShownPhoto
    matches: list[Match] = field(default_factory=list)  # the words it matched, each with field and confidence
    similarity: float | None = None  # it looks like what was described: cosine similarity to the query


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    terms: list[str]
    items: list[SearchHit]
    cursor: str | None = None
    label: str | None = None
    person: str | None = None  # the person facet (id)
    partial: bool = False  # no photo matched every term: these match the most terms (each hit says which)
    embedding_tokens: int = 0  # billable text tokens spent embedding the query


@dataclass(frozen=True, slots=True)
class StorageUsage:
    """An owner's storage as the account page shows it (``Library.usage``)."""

    photos: int
    bytes: int
    quota_bytes: int
