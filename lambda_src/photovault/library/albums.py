"""Album use cases: create, list, show, rename, choose a cover, delete, and page through an album in date order.
Adding and removing photos are photo changes (``Library.act``): one photo, one membership transaction."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from photovault import ids
from photovault.errors import Conflict, InvalidInput, NotFound
from photovault.library.cursor import CursorCodec
from photovault.library.links import shown
from photovault.library.service import Clock
from photovault.library.views import AlbumListing, AlbumView, Gallery, ShownPhoto
from photovault.model import Album, Photo
from photovault.model import iso_epoch as iso
from photovault.ports import AlbumRepository, LibraryRepository, MediaUrlSigner, ShareRepository

MAX_NAME_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class AlbumsConfig:
    media_url_expiry_seconds: int = 600


def clean_name(name: str) -> str:
    """The album's name without control characters or runs of spaces; 1 to 200 characters."""
    cleaned = " ".join(_CONTROL.sub(" ", name).split())
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH:
        raise InvalidInput(f"An album name has 1 to {MAX_NAME_LENGTH} characters.", details={"field": "body.name"})
    return cleaned


def is_member(photo: Photo, album_id: str) -> bool:
    """In the album and shown there: a timeline photo whose ``album_ids`` name the album."""
    return photo.in_timeline and album_id in photo.album_ids


class Albums:
    def __init__(
        self,
        *,
        albums: AlbumRepository,
        photos: LibraryRepository,
        shares: ShareRepository,
        media: MediaUrlSigner,
        cursors: CursorCodec,
        config: AlbumsConfig,
        clock: Clock = time.time,
    ) -> None:
        self._albums = albums
        self._photos = photos
        self._shares = shares
        self._media = media
        self._cursors = cursors
        self._config = config
        self._clock = clock

    def create(self, owner: str, *, name: str) -> AlbumView:
        now = self._clock()
        album = Album(
            owner=owner,
            album_id=ids.new_album_id(int(now * 1000)),
            name=clean_name(name),
            created_at=iso(now),
            updated_at=iso(now),
        )
        self._albums.create(album)
        return AlbumView(album=album, cover=None)

    def list_albums(self, owner: str, *, limit: int, cursor: str | None) -> AlbumListing:
        """The owner's albums, newest first, each with its cover (reads bounded by the page, not the library)."""
        start = self._cursors.decode(owner, "albums", cursor) if cursor else None
        if start is not None and not ids.is_album_id(start.get("id", "")):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._albums.list_albums(owner, limit=limit, start=start)
        covers = self._covers(owner, page.albums)
        return AlbumListing(
            items=[AlbumView(album=album, cover=covers.get(album.album_id)) for album in page.albums],
            cursor=self._cursors.encode(owner, "albums", page.next_position) if page.next_position else None,
        )

    def get(self, owner: str, album_id: str) -> AlbumView:
        album = self._require(owner, album_id)
        return AlbumView(album=album, cover=self._covers(owner, [album]).get(album.album_id))

    def update(
        self, owner: str, album_id: str, *, name: str | None, cover_photo_id: str | None, clear_cover: bool
    ) -> AlbumView:
        """Rename and/or choose the cover (one of the album's photos) or go back to its first photo."""
        self._require(owner, album_id)
        if cover_photo_id is not None:
            photo = self._photos.get(owner, cover_photo_id) if ids.is_photo_id(cover_photo_id) else None
            if photo is None or not is_member(photo, album_id):
                raise Conflict("The cover must be one of the album's photos.", details={"field": "body.cover_photo_id"})
        album = self._albums.update(
            owner,
            album_id,
            name=clean_name(name) if name is not None else None,
            cover_photo_id=cover_photo_id,
            clear_cover=clear_cover,
            now=iso(self._clock()),
        )
        if album is None:
            raise NotFound("No such album.")
        return AlbumView(album=album, cover=self._covers(owner, [album]).get(album.album_id))

    def delete(self, owner: str, album_id: str) -> None:
        """Delete the album and its share links; its photos stay in the library."""
        self._require(owner, album_id)
        self._shares.delete_for_album(owner, album_id)
        if not self._albums.delete(owner, album_id):
            raise NotFound("No such album.")

    def photos(self, owner: str, album_id: str, *, newest_first: bool, limit: int, cursor: str | None) -> Gallery:
        """One page of the album in date order: one Query of its memberships and one batched read of the photos."""
        self._require(owner, album_id)
        binding = f"{album_id}|{newest_first}"
        start = self._cursors.decode(owner, "album", cursor, binding=binding) if cursor else None
        page = self._albums.member_ids(owner, album_id, newest_first=newest_first, limit=limit, start=start)
        photos = self._photos.get_many(owner, page.photo_ids) if page.photo_ids else {}
        expires_at = self._expiry()
        return Gallery(
            items=[
                shown(self._media, photos[pid], expires_at)
                for pid in page.photo_ids
                if pid in photos and is_member(photos[pid], album_id)
            ],
            cursor=self._cursors.encode(owner, "album", page.next_position, binding=binding)
            if page.next_position
            else None,
        )

    # -- helpers -----------------------------------------------------------------------------------------------
    def _require(self, owner: str, album_id: str) -> Album:
        album = self._albums.get(owner, album_id) if ids.is_album_id(album_id) else None
        if album is None:
            raise NotFound("No such album.")
        return album

    def _expiry(self) -> int:
        return int(self._clock()) + self._config.media_url_expiry_seconds

    def _covers(self, owner: str, albums: list[Album]) -> dict[str, ShownPhoto]:
        """Each album's cover: its chosen photo while that is still one of its photos, else its first (oldest)
        photo — one batched read of the chosen ones, and one one-item Query per album that needs its first."""
        chosen = {
            album.album_id: album.cover_photo_id for album in albums if album.cover_photo_id and album.photo_count
        }
        wanted: dict[str, str] = {}
        found = self._photos.get_many(owner, list(chosen.values())) if chosen else {}
        for album in albums:
            cover = chosen.get(album.album_id)
            if cover and cover in found and is_member(found[cover], album.album_id):
                wanted[album.album_id] = cover
            elif album.photo_count > 0:
                first = self._albums.member_ids(owner, album.album_id, newest_first=False, limit=1, start=None)
                if first.photo_ids:
                    wanted[album.album_id] = first.photo_ids[0]
        missing = [pid for pid in wanted.values() if pid not in found]
        if missing:
            found.update(self._photos.get_many(owner, missing))
        expires_at = self._expiry()
        return {
            album_id: shown(self._media, found[pid], expires_at)
            for album_id, pid in wanted.items()
            if pid in found and is_member(found[pid], album_id)
        }
