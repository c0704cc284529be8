"""What the library use cases return: plain dataclasses the handler turns into JSON (pydantic models at the edge)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class UploadTicket:
    photo_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_at: int
    max_bytes: int


@dataclass(frozen=True, slots=True)
class PhotoSummary:
    photo_id: str
    status: str
    filename: str
    content_type: str
    created_at: str
    updated_at: str
    caption: str | None = None
    width: int | None = None
    height: int | None = None
    thumb_url: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoList:
    items: list[PhotoSummary]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class MediaLinks:
    expires_at: int
    thumb: str | None = None
    preview: str | None = None
    original: str | None = None


@dataclass(frozen=True, slots=True)
class PhotoDetail:
    photo: dict[str, Any]
    urls: MediaLinks


@dataclass(frozen=True, slots=True)
class MatchReason:
    term: str
    field: str
    confidence: float


@dataclass(frozen=True, slots=True)
class SearchHit:
    photo: PhotoSummary
    matches: list[MatchReason] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    terms: list[str]
    items: list[SearchHit]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class LabelFacet:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class LabelList:
    items: list[LabelFacet]
