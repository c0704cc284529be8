"""Signed media URLs of a photo, as every use case that shows one builds them."""

from __future__ import annotations

from photovault import keys
from photovault.library.views import MediaLinks, ShownPhoto
from photovault.model import Photo, Retry
from photovault.ports import MediaUrlSigner

KINDS = ("thumb", "preview")


def derivative_url(media: MediaUrlSigner, photo: Photo, kind: str, expires_at: int) -> str | None:
    """A signed URL of one derivative, or None when the photo has none of that kind."""
    if not photo.derivatives.get(kind):
        return None
    # The key is built from the photo's media id (a checked, single folder under media/), never taken whole from the
    # item: a URL only ever covers the photo's own media, and names neither its owner nor its id.
    return media.sign(keys.derivative_key(photo, kind), expires_at=expires_at)


def shown(
    media: MediaUrlSigner, photo: Photo, expires_at: int, *, original: str | None = None, retry: Retry | None = None
) -> ShownPhoto:
    """The photo with its thumb and preview signed until ``expires_at``."""
    return ShownPhoto(
        photo=photo,
        retry=retry,
        links=MediaLinks(
            expires_at=expires_at,
            thumb=derivative_url(media, photo, "thumb", expires_at),
            preview=derivative_url(media, photo, "preview", expires_at),
            original=original,
        ),
    )
