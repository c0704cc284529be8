"""The library use cases: request an upload, list, show, delete, search and count labels — all scoped to one owner."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from photovault import ids, keys
from photovault.api_ports import (
    DerivativeDeleter,
    LibraryRepository,
    MediaUrlSigner,
    OriginalDeleter,
    ShareRepository,
    UploadPresigner,
)
from photovault.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from photovault.library.cursor import CursorCodec
from photovault.library.search import intersect
from photovault.library.views import (
    LabelFacet,
    LabelList,
    MatchReason,
    MediaLinks,
    PhotoDetail,
    PhotoList,
    PhotoSummary,
    SearchHit,
    SearchResult,
    UploadTicket,
)
from photovault.model import Photo, PhotoStatus
from photovault.search.terms import tokens
from photovault.serialization import photo_to_dict

ALLOWED_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif")
MAX_QUERY_TERMS = 8
MAX_FILENAME_LENGTH = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    max_upload_bytes: int = 50 * 1024 * 1024
    upload_url_expiry_seconds: int = 600
    media_url_expiry_seconds: int = 600
    min_label_confidence: float = 70.0


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def clean_filename(filename: str) -> str:
    """The last path segment, without control characters, at most 255 characters (never empty)."""
    name = _CONTROL.sub("", re.split(r"[\\/]", filename)[-1]).strip()
    return name[:MAX_FILENAME_LENGTH] or "upload"


DELETE_ATTEMPTS = 3


class Library:
    """One owner's photos. Every method takes the caller's ``owner`` (the verified JWT ``sub``)."""

    def __init__(
        self,
        *,
        repo: LibraryRepository,
        shares: ShareRepository,
        presigner: UploadPresigner,
        media: MediaUrlSigner,
        originals: OriginalDeleter,
        derivatives: DerivativeDeleter,
        cursors: CursorCodec,
        config: LibraryConfig,
        clock: Clock = time.time,
    ) -> None:
        self._repo = repo
        self._shares = shares
        self._presigner = presigner
        self._media = media
        self._originals = originals
        self._derivatives = derivatives
        self._cursors = cursors
        self._config = config
        self._clock = clock

    # -- uploads -----------------------------------------------------------------------------------------------
    def request_upload(self, owner: str, *, filename: str, content_type: str, size: int) -> UploadTicket:
        content_type = content_type.strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise UnsupportedMediaType(
                "Only JPEG, PNG, WebP, GIF and HEIC/HEIF photos can be uploaded.",
                details={"field": "content_type", "allowed": list(ALLOWED_CONTENT_TYPES)},
            )
        if size > self._config.max_upload_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the {self._config.max_upload_bytes // (1024 * 1024)} MB limit.",
                details={"field": "size", "max_bytes": self._config.max_upload_bytes},
            )
        if size < 1:
            raise InvalidInput("The file is empty.", details={"field": "size"})
        now = self._clock()
        photo_id = ids.new_photo_id(int(now * 1000))
        photo = Photo(
            owner=owner,
            photo_id=photo_id,
            status=PhotoStatus.PENDING,
            created_at=iso(now),
            updated_at=iso(now),
            filename=clean_filename(filename),
            content_type=content_type,
        )
        self._repo.create_pending(photo)
        key = keys.originals_key(owner, photo_id)
        expires_in = self._config.upload_url_expiry_seconds
        post = self._presigner.presign_post(
            key=key, content_type=content_type, max_bytes=self._config.max_upload_bytes, expires_in=expires_in
        )
        return UploadTicket(
            photo_id=photo_id,
            key=key,
            url=post.url,
            fields=dict(post.fields),
            expires_at=int(now) + expires_in,
            max_bytes=self._config.max_upload_bytes,
        )

    # -- gallery -----------------------------------------------------------------------------------------------
    def list_photos(
        self, owner: str, *, limit: int, cursor: str | None, status: PhotoStatus | None = None
    ) -> PhotoList:
        binding = status.value if status else ""
        start = self._cursors.decode(owner, "photos", cursor, binding=binding) if cursor else None
        if start is not None and not ids.is_photo_id(start.get("id", "")):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._repo.list_photos(owner, limit=limit, start=start, status=status)
        expires_at = int(self._clock()) + self._config.media_url_expiry_seconds
        return PhotoList(
            items=[self._summary(photo, expires_at) for photo in page.photos],
            cursor=self._cursors.encode(owner, "photos", page.next_position, binding=binding)
            if page.next_position
            else None,
        )

    def get_photo(self, owner: str, photo_id: str) -> PhotoDetail:
        photo = self._require(owner, photo_id)
        expires_in = self._config.media_url_expiry_seconds
        expires_at = int(self._clock()) + expires_in
        thumb = self._derivative_url(photo, "thumb", expires_at)
        preview = self._derivative_url(photo, "preview", expires_at)
        original = None
        if photo.status is PhotoStatus.READY:
            original = self._presigner.presign_get(
                key=keys.originals_key(owner, photo.photo_id), expires_in=expires_in, filename=photo.filename
            )
        data = photo_to_dict(photo)
        data.pop("source_fingerprint", None)  # internal: names the bucket and object version
        return PhotoDetail(
            photo=data, urls=MediaLinks(expires_at=expires_at, thumb=thumb, preview=preview, original=original)
        )

    def delete_photo(self, owner: str, photo_id: str) -> None:
        """Delete everything the photo left behind. The photo item goes last, so a failure half-way leaves it in
        place and a retried DELETE finishes the job; a DELETE after success finds nothing (404)."""
        photo = self._require(owner, photo_id)
        self._shares.delete_for_photo(owner, photo_id)
        self._originals.delete_all_versions(keys.originals_key(owner, photo_id))
        self._derivatives.delete_prefix(keys.derivative_prefix(owner, photo_id))
        # The item says exactly what it added to the index (terms, facet labels). If a reprocess rewrites it
        # between our read and our delete, the delete's condition fails and we go again with the new item.
        for _ in range(DELETE_ATTEMPTS):
            if self._repo.delete_photo(photo):
                return
            current = self._repo.get(owner, photo_id)
            if current is None:
                return
            photo = current
        raise Conflict("The photo changed while it was being deleted; try again.")

    # -- search ------------------------------------------------------------------------------------------------
    def search(self, owner: str, *, query: str, limit: int, cursor: str | None) -> SearchResult:
        terms = list(dict.fromkeys(tokens(query)))
        if len(terms) > MAX_QUERY_TERMS:
            raise InvalidInput(f"Search for at most {MAX_QUERY_TERMS} words at a time.", details={"field": "q"})
        binding = "\x1f".join(terms)
        before = None
        if cursor:
            before = self._cursors.decode(owner, "search", cursor, binding=binding).get("before", "")
            if not ids.is_photo_id(before):
                raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        if not terms:
            return SearchResult(query=query, terms=[], items=[])
        page = intersect(self._repo, owner, terms, limit=limit, before=before)
        photo_ids = [next(iter(row.values())).photo_id for row in page.rows]
        photos = self._repo.get_many(owner, photo_ids) if photo_ids else {}
        expires_at = int(self._clock()) + self._config.media_url_expiry_seconds
        items: list[SearchHit] = []
        for photo_id, row in zip(photo_ids, page.rows, strict=True):
            photo = photos.get(photo_id)
            if photo is None:  # a term left behind by a photo deleted mid-processing
                continue
            reasons = [
                MatchReason(term=term, field=match.field, confidence=match.confidence)
                for term in terms
                for match in row[term].matches
            ]
            items.append(SearchHit(photo=self._summary(photo, expires_at), matches=reasons))
        next_cursor = (
            self._cursors.encode(owner, "search", {"before": page.before}, binding=binding) if page.before else None
        )
        return SearchResult(query=query, terms=terms, items=items, cursor=next_cursor)

    def labels(self, owner: str) -> LabelList:
        facets = sorted(self._repo.labels(owner), key=lambda facet: (-facet.count, facet.label))
        return LabelList(items=[LabelFacet(label=f.label, count=f.count) for f in facets if f.count > 0])

    # -- helpers -----------------------------------------------------------------------------------------------
    def _require(self, owner: str, photo_id: str) -> Photo:
        photo = self._repo.get(owner, photo_id) if ids.is_photo_id(photo_id) else None
        if photo is None:
            raise NotFound("No such photo.")  # never echo the id: another user's photo must look like no photo
        return photo

    def _derivative_url(self, photo: Photo, kind: str, expires_at: int) -> str | None:
        derivative = photo.derivatives.get(kind)
        if not derivative:
            return None
        # The key is rebuilt from the owner and id, never taken from the item, so a URL only ever covers own media.
        return self._media.sign(keys.derivative_key(photo.owner, photo.photo_id, kind), expires_at=expires_at)

    def _summary(self, photo: Photo, expires_at: int) -> PhotoSummary:
        return PhotoSummary(
            photo_id=photo.photo_id,
            status=photo.status.value,
            filename=photo.filename,
            content_type=photo.content_type,
            created_at=photo.created_at,
            updated_at=photo.updated_at,
            caption=photo.caption.text if photo.caption else None,
            width=photo.facts.width if photo.facts else None,
            height=photo.facts.height if photo.facts else None,
            thumb_url=self._derivative_url(photo, "thumb", expires_at),
        )
