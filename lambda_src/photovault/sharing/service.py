"""Share-link use cases: create (a photo's or an album's), list and revoke (owner), and the public views that count
themselves atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass

from photovault import ids
from photovault.errors import Conflict, Gone, InvalidInput, NotFound
from photovault.library.albums import is_member
from photovault.library.cursor import CursorCodec
from photovault.library.links import derivative_url
from photovault.library.service import Clock
from photovault.model import iso_epoch as iso
from photovault.ports import AlbumRepository, LibraryRepository, MediaUrlSigner, Share, ShareRepository
from photovault.sharing.policy import (
    MAX_EXPIRES_IN,
    MAX_VIEWS,
    MIN_EXPIRES_IN,
    ShareState,
    share_state,
    shareable,
)
from photovault.sharing.views import SharedAlbum, SharedAlbumPhoto, SharedPhoto, ShareLink, ShareLinks

PUBLIC = "public"  # the cursor owner of a public album page: the link, not a user


class NotShareable(Conflict):
    code = "not_shareable"


@dataclass(frozen=True, slots=True)
class SharingConfig:
    share_url_expiry_seconds: int = 60  # the preview URL a link holder gets: a minute, so a revoke ends it soon
    site_url: str = ""  # https://<cloudfront-domain>; the web app opens share links at /s/<token>, albums at /a/<token>
    album_page_size: int = 30  # photos per page of a public album


class Sharing:
    def __init__(
        self,
        *,
        shares: ShareRepository,
        photos: LibraryRepository,
        albums: AlbumRepository,
        media: MediaUrlSigner,
        cursors: CursorCodec,
        config: SharingConfig,
        clock: Clock = time.time,
    ) -> None:
        self._shares = shares
        self._photos = photos
        self._albums = albums
        self._media = media
        self._cursors = cursors
        self._config = config
        self._clock = clock

    def link(self, share: Share) -> str:
        """The web app's page for the share: a real path, which CloudFront (and the local gateway) answer with the
        single-page app."""
        page = "a" if share.kind == "album" else "s"
        return f"{self._config.site_url.rstrip('/')}/{page}/{share.token}"

    def create(self, owner: str, photo_id: str, *, expires_in: int, max_views: int | None) -> ShareLink:
        _check_limits(expires_in, max_views)
        photo = self._photos.get(owner, photo_id) if ids.is_photo_id(photo_id) else None
        if photo is None:
            raise NotFound("No such photo.")
        if not shareable(photo):
            raise NotShareable(
                "Only photos that finished processing and were accepted can be shared.",
                details={"status": photo.status.value},
            )
        return self._create(owner, photo_id=photo_id, album_id=None, expires_in=expires_in, max_views=max_views)

    def create_for_album(self, owner: str, album_id: str, *, expires_in: int, max_views: int | None) -> ShareLink:
        """A link to the album: whoever holds it sees the album's photos in the library, as they are when opened."""
        _check_limits(expires_in, max_views)
        if not ids.is_album_id(album_id) or self._albums.get(owner, album_id) is None:
            raise NotFound("No such album.")
        return self._create(owner, photo_id="", album_id=album_id, expires_in=expires_in, max_views=max_views)

    def _create(
        self, owner: str, *, photo_id: str, album_id: str | None, expires_in: int, max_views: int | None
    ) -> ShareLink:
        now = self._clock()
        share = Share(
            token=ids.new_share_token(),
            owner=owner,
            photo_id=photo_id,
            created_at=iso(now),
            expires_at=int(now) + expires_in,
            max_views=max_views,
            album_id=album_id,
        )
        self._shares.create(share)
        return self._link(share, int(now))

    def list(self, owner: str, *, limit: int, cursor: str | None) -> ShareLinks:
        start = self._cursors.decode(owner, "shares", cursor) if cursor else None
        if start is not None and not ids.is_share_token(start.get("token", "")):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._shares.list_for_owner(owner, limit=limit, start=start)
        now = int(self._clock())
        return ShareLinks(
            items=[self._link(share, now) for share in page.shares],
            cursor=self._cursors.encode(owner, "shares", page.next_position) if page.next_position else None,
        )

    def revoke(self, owner: str, token: str) -> None:
        """Idempotent for the owner; someone else's (or no) share is 404."""
        if not ids.is_share_token(token) or not self._shares.revoke(owner, token):
            raise NotFound("No such share.")

    def view(self, token: str) -> SharedPhoto:
        """The public side: count the view (atomically, only while valid), then mint a short preview URL."""
        if not ids.is_share_token(token):
            raise NotFound("No such share.")
        now = self._clock()
        found = self._shares.get(token)
        if found is None or found.kind != "photo":
            raise NotFound("No such share.")
        photo = self._photos.get(found.owner, found.photo_id)
        if photo is None or not shareable(photo):  # checked first: a link that can show nothing spends no view
            raise NotFound("No such share.")
        share = self._shares.record_view(token, now_epoch=int(now))
        if share is None:
            raise Gone("This share link has expired, was revoked or has no views left.")
        expires_at = min(int(now) + self._config.share_url_expiry_seconds, share.expires_at)
        preview_url = derivative_url(self._media, photo, "preview", expires_at)
        if preview_url is None:  # shareable() saw a preview: only a bug gets here
            raise NotFound("No such share.")
        return SharedPhoto(
            photo=photo,
            preview_url=preview_url,
            preview_expires_at=expires_at,
            link_expires_at=share.expires_at,
        )

    def view_album(self, token: str, *, cursor: str | None) -> SharedAlbum:
        """The public album page: its title and one page of its photos in the library, oldest first, each with
        short-lived thumb and preview URLs. Opening the link (the first page) counts one view, atomically; later
        pages of that visit need the cursor it handed out and a link not revoked or expired."""
        if not ids.is_share_token(token):
            raise NotFound("No such share.")
        now = int(self._clock())
        found = self._shares.get(token)
        if found is None or found.album_id is None:
            raise NotFound("No such share.")
        album = self._albums.get(found.owner, found.album_id)
        if album is None:  # checked first: a link that can show nothing spends no view
            raise NotFound("No such share.")
        start = None
        if cursor is None:
            share = self._shares.record_view(token, now_epoch=now)
            if share is None:
                raise Gone("This share link has expired, was revoked or has no views left.")
        else:
            start = self._cursors.decode(PUBLIC, "album", cursor, binding=token)
            share = found
            if share_state(share, now) not in (ShareState.ACTIVE, ShareState.EXHAUSTED):
                raise Gone("This share link has expired or was revoked.")
        page = self._albums.member_ids(
            share.owner, album.album_id, newest_first=False, limit=self._config.album_page_size, start=start
        )
        photos = self._photos.get_many(share.owner, page.photo_ids) if page.photo_ids else {}
        expires_at = min(now + self._config.share_url_expiry_seconds, share.expires_at)
        items: list[SharedAlbumPhoto] = []
        for photo_id in page.photo_ids:
            photo = photos.get(photo_id)
            if photo is None or not is_member(photo, album.album_id) or not shareable(photo):
                continue
            thumb = derivative_url(self._media, photo, "thumb", expires_at)
            preview = derivative_url(self._media, photo, "preview", expires_at)
            if thumb and preview:
                items.append(SharedAlbumPhoto(photo=photo, thumb_url=thumb, preview_url=preview))
        return SharedAlbum(
            title=album.name,
            items=items,
            urls_expire_at=expires_at,
            link_expires_at=share.expires_at,
            cursor=self._cursors.encode(PUBLIC, "album", page.next_position, binding=token)
            if page.next_position
            else None,
        )

    def _link(self, share: Share, now_epoch: int) -> ShareLink:
        return ShareLink(share=share, url=self.link(share), state=share_state(share, now_epoch))


def _check_limits(expires_in: int, max_views: int | None) -> None:
    if not MIN_EXPIRES_IN <= expires_in <= MAX_EXPIRES_IN:
        raise InvalidInput("A share lasts between 1 minute and 30 days.", details={"field": "expires_in"})
    if max_views is not None and not 1 <= max_views <= MAX_VIEWS:
        raise InvalidInput(f"max_views must be between 1 and {MAX_VIEWS}.", details={"field": "max_views"})
