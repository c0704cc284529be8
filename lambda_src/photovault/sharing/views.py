"""What the sharing use cases return: the domain share with what a request adds (its link, its state now).

These are not response shapes: ``photovault.api.mappers`` turns them into the contract's models.
"""

from __future__ import annotations

from dataclasses import dataclass

from photovault.model import Photo
from photovault.ports import Share
from photovault.sharing.policy import ShareState


@dataclass(frozen=True, slots=True)
class ShareLink:
    share: Share
    url: str
    state: ShareState


@dataclass(frozen=True, slots=True)
class ShareLinks:
    items: list[ShareLink]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class SharedPhoto:
    """The public side of one view: the photo (the mapper shows only its caption and preview) and the preview's
    freshly signed URL."""

    photo: Photo
    preview_url: str
    preview_expires_at: int
    link_expires_at: int


@dataclass(frozen=True, slots=True)
class SharedAlbumPhoto:
    """One photo of a shared album as a link holder sees it: the photo (the mapper shows only its caption and the
    derivatives' sizes) and freshly signed thumb and preview URLs."""

    photo: Photo
    thumb_url: str
    preview_url: str


@dataclass(frozen=True, slots=True)
class SharedAlbum:
    title: str
    items: list[SharedAlbumPhoto]
    urls_expire_at: int
    link_expires_at: int
    cursor: str | None = None
