"""Share-link use cases: create, list and revoke (owner), and the public view that counts itself atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass

from photovault import ids, keys
from photovault.api_ports import LibraryRepository, MediaUrlSigner, Share, ShareRepository
from photovault.errors import Conflict, Gone, InvalidInput, NotFound
from photovault.library.cursor import CursorCodec
from photovault.library.service import Clock, iso
from photovault.sharing.policy import MAX_EXPIRES_IN, MAX_VIEWS, MIN_EXPIRES_IN, share_state, shareable
from photovault.sharing.views import CreatedShare, PublicShare, ShareInfo, ShareList


class NotShareable(Conflict):
    code = "not_shareable"


@dataclass(frozen=True, slots=True)
class SharingConfig:
    share_url_expiry_seconds: int = 300  # the preview URL a link holder gets: ≤ 5 minutes
    site_url: str = ""  # https://<cloudfront-domain>; the web app opens share links at /#/s/<token>


class Sharing:
    def __init__(
        self,
        *,
        shares: ShareRepository,
        photos: LibraryRepository,
        media: MediaUrlSigner,
        cursors: CursorCodec,
        config: SharingConfig,
        clock: Clock = time.time,
    ) -> None:
        self._shares = shares
        self._photos = photos
        self._media = media
        self._cursors = cursors
        self._config = config
        self._clock = clock

    def link(self, token: str) -> str:
        return f"{self._config.site_url.rstrip('/')}/#/s/{token}"

    def create(self, owner: str, photo_id: str, *, expires_in: int, max_views: int | None) -> CreatedShare:
        if not MIN_EXPIRES_IN <= expires_in <= MAX_EXPIRES_IN:
            raise InvalidInput("A share lasts between 1 minute and 30 days.", details={"field": "expires_in"})
        if max_views is not None and not 1 <= max_views <= MAX_VIEWS:
            raise InvalidInput(f"max_views must be between 1 and {MAX_VIEWS}.", details={"field": "max_views"})
        photo = self._photos.get(owner, photo_id) if ids.is_photo_id(photo_id) else None
        if photo is None:
            raise NotFound("No such photo.")
        if not shareable(photo):
            raise NotShareable(
                "Only photos that finished processing and were accepted can be shared.",
                details={"status": photo.status.value},
            )
        now = self._clock()
        share = Share(
            token=ids.new_share_token(),
            owner=owner,
            photo_id=photo_id,
            created_at=iso(now),
            expires_at=int(now) + expires_in,
            max_views=max_views,
        )
        self._shares.create(share)
        return CreatedShare(
            token=share.token,
            url=self.link(share.token),
            photo_id=photo_id,
            expires_at=share.expires_at,
            max_views=max_views,
        )

    def list(self, owner: str, *, limit: int, cursor: str | None) -> ShareList:
        start = self._cursors.decode(owner, "shares", cursor) if cursor else None
        if start is not None and not ids.is_share_token(start.get("token", "")):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._shares.list_for_owner(owner, limit=limit, start=start)
        now = int(self._clock())
        return ShareList(
            items=[
                ShareInfo(
                    token=s.token,
                    url=self.link(s.token),
                    photo_id=s.photo_id,
                    created_at=s.created_at,
                    expires_at=s.expires_at,
                    max_views=s.max_views,
                    views=s.views,
                    revoked=s.revoked,
                    state=share_state(s, now).value,
                )
                for s in page.shares
            ],
            cursor=self._cursors.encode(owner, "shares", page.next_position) if page.next_position else None,
        )

    def revoke(self, owner: str, token: str) -> None:
        """Idempotent for the owner; someone else's (or no) share is 404."""
        if not ids.is_share_token(token) or not self._shares.revoke(owner, token):
            raise NotFound("No such share.")

    def view(self, token: str) -> PublicShare:
        """The public side: count the view (atomically, only while valid), then mint a short preview URL."""
        if not ids.is_share_token(token):
            raise NotFound("No such share.")
        now = self._clock()
        found = self._shares.get(token)
        if found is None:
            raise NotFound("No such share.")
        photo = self._photos.get(found.owner, found.photo_id)
        if photo is None or not shareable(photo):  # checked first: a link that can show nothing spends no view
            raise NotFound("No such share.")
        share = self._shares.record_view(token, now_epoch=int(now))
        if share is None:
            raise Gone("This share link has expired, was revoked or has no views left.")
        expires_at = min(int(now) + self._config.share_url_expiry_seconds, share.expires_at)
        preview = photo.derivatives.get("preview") or {}
        return PublicShare(
            caption=photo.caption.text if photo.caption else None,
            preview_url=self._media.sign(
                keys.derivative_key(share.owner, share.photo_id, "preview"), expires_at=expires_at
            ),
            url_expires_at=expires_at,
            width=_int_or_none(preview.get("width")),
            height=_int_or_none(preview.get("height")),
        )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
