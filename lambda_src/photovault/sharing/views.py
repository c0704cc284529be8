"""What the sharing use cases return (plain dataclasses; the handler turns them into JSON)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CreatedShare:
    token: str
    url: str
    photo_id: str
    expires_at: int
    max_views: int | None


@dataclass(frozen=True, slots=True)
class ShareInfo:
    token: str
    url: str
    photo_id: str
    created_at: str
    expires_at: int
    max_views: int | None
    views: int
    revoked: bool
    state: str


@dataclass(frozen=True, slots=True)
class ShareList:
    items: list[ShareInfo]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PublicShare:
    """All a link holder learns: the caption and a short-lived preview URL — never the owner, id or filename."""

    caption: str | None
    preview_url: str
    url_expires_at: int
    width: int | None = None
    height: int | None = None
