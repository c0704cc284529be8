"""In-memory fakes of the ports, with the same semantics as the DynamoDB/S3/CloudFront/SNS adapters: one photo
repository (pipeline, API and search sides, like ``DynamoPhotoRepository``), albums, shares, buckets, URLs,
notifications."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from photovault import keys
from photovault.errors import ClaimLost, Conflict, ObjectMissing
from photovault.ids import new_media_id, new_photo_id
from photovault.library.albums import Albums, AlbumsConfig
from photovault.library.cursor import CursorCodec
from photovault.library.quota import QuotaLimits, stored_bytes
from photovault.library.service import Library, LibraryConfig
from photovault.model import (
    Album,
    Analysis,
    Attempts,
    Caption,
    GpsPosition,
    ImageFacts,
    Label,
    Photo,
    PhotoStatus,
    PipelineError,
    Place,
    SignOut,
    SourceObject,
    TextLine,
)
from photovault.ports import (
    AlbumPage,
    Claim,
    ClaimState,
    Collection,
    LabelCount,
    LibraryView,
    MapPage,
    MapPoint,
    MemberPage,
    MembershipChange,
    MonthCount,
    PhotoEvent,
    PhotoPage,
    Position,
    PostingPage,
    PresignedPost,
    Share,
    SharePage,
    StoredObject,
    TermPosting,
    Usage,
)
from photovault.purge.service import PurgePhoto, cleanup_steps
from photovault.search.index import stamp_index
from photovault.sharing.policy import can_view
from photovault.sharing.service import Sharing, SharingConfig


@dataclass
class Lease:
    """The photo item's processing bookkeeping (attributes the domain Photo does not carry)."""

    claim_token: str | None = None
    lease_until: int = 0
    reprocess: dict[str, object] | None = None  # an operator's request (scripts/reprocess.py)
    notifying_until: int | None = None


@dataclass
class InMemoryPhotoRepository:
    photos: dict[tuple[str, str], Photo] = field(default_factory=dict)
    postings: dict[tuple[str, str], dict[str, TermPosting]] = field(default_factory=dict)  # (owner, term) -> id ->
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    facets: dict[tuple[str, str], int] = field(default_factory=dict)
    leases: dict[tuple[str, str], Lease] = field(default_factory=dict)
    month_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    place_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    quotas: dict[str, Usage] = field(default_factory=dict)
    freed: set[str] = field(default_factory=set)  # photos whose stored bytes a purge gave back
    counted: set[str] = field(default_factory=set)  # redriven photos whose stored bytes the worker counted
    items_read: int = 0

    # -- test helpers ----------------------------------------------------------------------------------------
    def add(self, photo: Photo, min_confidence: float = 70.0) -> Photo:
        """Store ``photo`` as the pipeline would: item, terms, hash record and (READY only) facets."""
        photo, postings = stamp_index(photo, min_confidence)
        self.photos[(photo.owner, photo.photo_id)] = photo
        for posting in postings:
            self.postings.setdefault((photo.owner, posting.term), {})[photo.photo_id] = posting
        if photo.facts:
            self.hashes.setdefault((photo.owner, photo.facts.sha256), photo.photo_id)
        self._count(None, photo)
        return photo

    def _count(self, before: Photo | None, after: Photo | None) -> None:
        """The facet and month counters from what ``before`` adds to the index to what ``after`` adds."""
        for photo, delta in ((before, -1), (after, 1)):
            if photo is None:
                continue
            for label in dict.fromkeys(photo.indexed_labels):
                self.facets[(photo.owner, label)] = self.facets.get((photo.owner, label), 0) + delta
            for place in dict.fromkeys(photo.indexed_places):
                key = (photo.owner, place)
                self.place_counts[key] = self.place_counts.get(key, 0) + delta
            if photo.indexed_month:
                key = (photo.owner, photo.indexed_month)
                self.month_counts[key] = self.month_counts.get(key, 0) + delta

    def terms_of(self, owner: str, photo_id: str) -> set[str]:
        return {term for (o, term), ids in self.postings.items() if o == owner and photo_id in ids}

    def lease(self, owner: str, photo_id: str) -> Lease:
        return self.leases.setdefault((owner, photo_id), Lease())

    # -- pipeline (PhotoRepository) ----------------------------------------------------------------------------
    def claim(self, source: SourceObject, *, now: str, lease_until: int, now_epoch: int) -> Claim:
        key = (source.owner, source.photo_id)
        current = self.photos.get(key)
        if current is None:
            return Claim(ClaimState.MISSING)
        lease = self.lease(*key)
        processing = current.status is PhotoStatus.PROCESSING
        free = (
            current.source_fingerprint is None
            or (not processing and lease.reprocess is not None)
            or current.status is PhotoStatus.FAILED
            or (processing and lease.lease_until < now_epoch)
        )
        if not free:
            return Claim(ClaimState.IN_PROGRESS) if processing else Claim(ClaimState.DONE, photo=current)
        token, request = uuid.uuid4().hex, lease.reprocess
        attempts = dataclasses.replace(current.attempts, count=current.attempts.count + 1, held=True)
        self.photos[key] = dataclasses.replace(
            current,
            status=PhotoStatus.PROCESSING,
            updated_at=now,
            source_fingerprint=source.fingerprint,
            expires_at=None,
            attempts=dataclasses.replace(attempts, lease_until=lease_until),
        )
        lease.claim_token, lease.lease_until, lease.reprocess = token, lease_until, None
        return Claim(ClaimState.CLAIMED, token=token, photo=current, reprocess=request)

    def release(self, source: SourceObject, claim_token: str, *, now: str, error: PipelineError) -> None:
        key = (source.owner, source.photo_id)
        lease = self.leases.get(key)
        if lease is not None and lease.claim_token == claim_token and key in self.photos:
            lease.claim_token, lease.lease_until = None, 0
            photo = self.photos[key]
            attempts = Attempts(count=photo.attempts.count, last_error=error)
            self.photos[key] = dataclasses.replace(photo, updated_at=now, attempts=attempts)

    def give_up(
        self, source: SourceObject, *, reason_code: str, reason: str, error: PipelineError, now: str, now_epoch: int
    ) -> bool:
        key = (source.owner, source.photo_id)
        current = self.photos.get(key)
        lease = self.lease(*key)
        open_ = current is not None and current.status in (PhotoStatus.PENDING, PhotoStatus.PROCESSING)
        if current is None or not open_ or (lease.claim_token is not None and lease.lease_until >= now_epoch):
            return False
        lease.claim_token = None
        self.photos[key] = dataclasses.replace(
            current,
            status=PhotoStatus.FAILED,
            reason_code=reason_code,
            reason=reason,
            updated_at=now,
            source_fingerprint=current.source_fingerprint or source.fingerprint,
            expires_at=None,
            attempts=Attempts(count=current.attempts.count, lease_until=lease.lease_until, last_error=error),
        )
        return True

    def claim_content_hash(self, owner: str, sha256: str, photo_id: str) -> str:
        return self.hashes.setdefault((owner, sha256), photo_id)

    def finish(
        self, photo: Photo, postings: Sequence[TermPosting], claim_token: str, *, previous: Photo | None
    ) -> None:
        key = (photo.owner, photo.photo_id)
        written = {posting.term for posting in postings}
        for term in set(previous.indexed_terms if previous else ()) - written:
            self.postings.get((photo.owner, term), {}).pop(photo.photo_id, None)
        for posting in postings:  # terms first, as the adapter's batch does: they may outlive a lost claim
            self.postings.setdefault((photo.owner, posting.term), {})[photo.photo_id] = posting
        lease = self.leases.get(key)
        current = self.photos.get(key)
        if current is None or lease is None or lease.claim_token != claim_token:
            raise ClaimLost(f"claim on {photo.photo_id} was lost")
        # An announcement stays made; the attempts are counted on; a recorded failure is cleared; the revision moves
        # on, so a change computed from an earlier read fails.
        attempts = Attempts(count=current.attempts.count)
        self.photos[key] = dataclasses.replace(
            photo, notified_at=current.notified_at, attempts=attempts, revision=current.revision + 1
        )
        lease.claim_token, lease.lease_until = None, 0
        self._count(previous, photo)

    def discard(self, photo: Photo, postings: Sequence[TermPosting]) -> None:
        for posting in postings:
            self.postings.get((photo.owner, posting.term), {}).pop(photo.photo_id, None)
        if photo.facts and self.hashes.get((photo.owner, photo.facts.sha256)) == photo.photo_id:
            del self.hashes[(photo.owner, photo.facts.sha256)]

    def begin_notification(self, owner: str, photo_id: str, *, now_epoch: int, lease_seconds: int) -> bool:
        photo = self.photos.get((owner, photo_id))
        lease = self.lease(owner, photo_id)
        if photo is None or photo.notified_at is not None:
            return False
        if lease.notifying_until is not None and lease.notifying_until >= now_epoch:
            return False
        lease.notifying_until = now_epoch + lease_seconds
        return True

    def end_notification(self, owner: str, photo_id: str, *, sent_at: str | None) -> None:
        self.lease(owner, photo_id).notifying_until = None
        if sent_at is not None and (owner, photo_id) in self.photos:
            self.photos[(owner, photo_id)] = dataclasses.replace(self.photos[(owner, photo_id)], notified_at=sent_at)

    def oldest_pending(self, *, since: str, limit: int) -> list[Photo]:
        pending = [p for p in self.photos.values() if p.status is PhotoStatus.PENDING and p.updated_at >= since]
        return sorted(pending, key=lambda p: (p.updated_at, p.photo_id))[:limit]

    # -- API (LibraryRepository) and search (TermIndex) --------------------------------------------------------
    def create_pending(self, photo: Photo, usage: Usage) -> bool:
        assert (photo.owner, photo.photo_id) not in self.photos
        if self.quotas.get(photo.owner, Usage()).revision != usage.revision:
            return False
        self.quotas[photo.owner] = dataclasses.replace(usage, revision=usage.revision + 1)
        self.photos[(photo.owner, photo.photo_id)] = photo
        return True

    def usage(self, owner: str) -> Usage:
        return self.quotas.get(owner, Usage())

    def open_uploads(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        return {pid: self.photos[(owner, pid)] for pid in photo_ids if (owner, pid) in self.photos}

    def get(self, owner: str, photo_id: str) -> Photo | None:
        photo = self.photos.get((owner, photo_id))
        self.items_read += photo is not None
        return photo

    def get_many(self, owner: str, photo_ids: Sequence[str], *, whole: bool = False) -> dict[str, Photo]:
        found = {pid: self.photos[(owner, pid)] for pid in photo_ids if (owner, pid) in self.photos}
        self.items_read += len(found)
        return found

    @staticmethod
    def view_key(photo: Photo, collection: Collection) -> str | None:
        """The photo's sort key in ``collection``, None when it is not there (as ``codec.library_keys`` writes)."""
        if collection is Collection.TRASH:
            return f"{photo.trashed_at}#{photo.photo_id}" if photo.trashed_at else None
        if collection is Collection.ATTENTION:
            return None if photo.trashed_at or photo.in_timeline else f"{photo.updated_at}#{photo.photo_id}"
        if not photo.in_timeline or (collection is Collection.FAVORITES and not photo.favorite):
            return None
        return keys.taken_sort(photo)

    def list_view(self, owner: str, view: LibraryView, *, limit: int, start: Position | None) -> PhotoPage:
        keyed = []
        for (o, _), photo in self.photos.items():
            at = self.view_key(photo, view.collection) if o == owner else None
            if at is None:
                continue
            if (view.since and at < f"{view.since}T00:00:00") or (view.until and at > f"{view.until}T23:59:59~"):
                continue
            keyed.append((at, photo))
        keyed.sort(key=lambda pair: pair[0], reverse=view.newest_first)
        if start:
            keyed = [(at, p) for at, p in keyed if (at < start["at"] if view.newest_first else at > start["at"])]
        page = keyed[:limit]
        self.items_read += len(page)
        more = len(keyed) > limit
        return PhotoPage(photos=[p for _, p in page], next_position={"at": page[-1][0]} if more else None)

    def neighbours(self, photo: Photo) -> tuple[Photo | None, Photo | None]:
        if not photo.in_timeline:
            return None, None
        at = keys.taken_sort(photo)
        timeline = sorted(
            (keys.taken_sort(p), p) for (o, _), p in self.photos.items() if o == photo.owner and p.in_timeline
        )
        newer = [p for key, p in timeline if key > at][:1]
        older = [p for key, p in reversed(timeline) if key < at][:1]
        self.items_read += len(newer) + len(older)
        return (newer[0] if newer else None), (older[0] if older else None)

    def months(self, owner: str) -> list[MonthCount]:
        out = [MonthCount(month, count) for (o, month), count in self.month_counts.items() if o == owner]
        self.items_read += len(out)
        return out

    def save_library_state(self, before: Photo, after: Photo, postings: Sequence[TermPosting]) -> bool:
        key = (after.owner, after.photo_id)
        for posting in postings:
            self.postings.setdefault((after.owner, posting.term), {})[after.photo_id] = posting
        current = self.photos.get(key)
        if current is None or current.revision != before.revision or current.status is PhotoStatus.PROCESSING:
            return False
        self.photos[key] = dataclasses.replace(
            current,
            favorite=after.favorite,
            trashed_at=after.trashed_at,
            album_ids=after.album_ids,
            indexed_terms=after.indexed_terms,
            indexed_labels=after.indexed_labels,
            indexed_month=after.indexed_month,
            indexed_places=after.indexed_places,
            revision=current.revision + 1,
        )
        self._count(before, after)
        for term in set(before.indexed_terms) - set(after.indexed_terms):
            self.postings.get((after.owner, term), {}).pop(after.photo_id, None)
        return True

    def delete_forever(self, photo: Photo) -> bool:
        key = (photo.owner, photo.photo_id)
        current = self.photos.get(key)
        if current is None or current.revision != photo.revision or current.trashed_at is None:
            return False
        del self.photos[key]
        self._count(photo, None)
        return True

    def count_stored_bytes(self, photo: Photo) -> bool:
        """As ``DynamoPhotoRepository.count_stored_bytes``."""
        usage = self.quotas.get(photo.owner)
        size = stored_bytes(photo)
        if not size or usage is None or photo.photo_id in usage.open or photo.photo_id in self.counted:
            return False
        self.counted.add(photo.photo_id)
        self.quotas[photo.owner] = dataclasses.replace(usage, bytes=usage.bytes + size, revision=usage.revision + 1)
        return True

    def remove_leftovers(self, photo: Photo) -> int:
        """What the purge removes after the photo item is gone (as ``DynamoPhotoRepository.remove_leftovers``)."""
        terms = list(dict.fromkeys(photo.indexed_terms))
        for term in terms:
            self.postings.get((photo.owner, term), {}).pop(photo.photo_id, None)
        forgotten = bool(photo.facts) and self.hashes.get((photo.owner, photo.facts.sha256)) == photo.photo_id
        if forgotten and photo.facts:
            del self.hashes[(photo.owner, photo.facts.sha256)]
        usage = self.quotas.get(photo.owner)
        if usage and photo.photo_id not in usage.open and photo.photo_id not in self.freed:
            self.freed.add(photo.photo_id)
            self.quotas[photo.owner] = dataclasses.replace(
                usage, bytes=usage.bytes - stored_bytes(photo), revision=usage.revision + 1
            )
        return len(terms) + int(forgotten)

    def term_postings(self, owner: str, term: str, *, limit: int, before: str | None) -> PostingPage:
        ids = sorted(self.postings.get((owner, term), {}), reverse=True)
        if before:
            ids = [pid for pid in ids if pid < before]
        chosen = ids[:limit]
        self.items_read += len(chosen)
        postings = [self.postings[(owner, term)][pid] for pid in chosen]
        more = len(ids) > limit
        return PostingPage(postings=postings, next_position={"before": chosen[-1]} if more else None)

    def postings_for(self, owner: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TermPosting]:
        found = {
            (term, pid): self.postings[(owner, term)][pid]
            for term, pid in dict.fromkeys(pairs)
            if pid in self.postings.get((owner, term), {})
        }
        self.items_read += len(found)
        return found

    def labels(self, owner: str) -> list[LabelCount]:
        out = [LabelCount(label, count) for (o, label), count in self.facets.items() if o == owner]
        self.items_read += len(out)
        return out

    def places(self, owner: str) -> list[LabelCount]:
        out = [LabelCount(place, count) for (o, place), count in self.place_counts.items() if o == owner]
        self.items_read += len(out)
        return out

    def map_points(self, owner: str, *, limit: int, start: Position | None) -> MapPage:
        on_map = sorted(
            ((keys.taken_sort(p), p) for (o, _), p in self.photos.items() if o == owner and p.on_map), reverse=True
        )
        at = (start or {}).get("at")
        keyed = [(key, p) for key, p in on_map if at is None or key < at]
        page = keyed[:limit]
        self.items_read += len(page)
        gps = [(p.photo_id, p.facts.gps) for _, p in page if p.facts and p.facts.gps]
        points = [MapPoint(photo_id, where.latitude, where.longitude) for photo_id, where in gps]
        return MapPage(points=points, next_position={"at": page[-1][0]} if len(keyed) > limit else None)


@dataclass
class InMemoryAlbumRepository:
    """Albums and memberships; a membership change also changes the photo's ``album_ids`` in ``photos`` (the
    adapter's transaction spans both items)."""

    photos: InMemoryPhotoRepository
    albums: dict[tuple[str, str], Album] = field(default_factory=dict)
    members: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (owner, album) -> id -> sort

    def create(self, album: Album) -> None:
        if (album.owner, album.album_id) in self.albums:
            raise Conflict("An album with this id already exists.")
        self.albums[(album.owner, album.album_id)] = album

    def get(self, owner: str, album_id: str) -> Album | None:
        return self.albums.get((owner, album_id))

    def get_many(self, owner: str, album_ids: Sequence[str]) -> dict[str, Album]:
        return {aid: self.albums[(owner, aid)] for aid in album_ids if (owner, aid) in self.albums}

    def list_albums(self, owner: str, *, limit: int, start: Position | None) -> AlbumPage:
        mine = sorted((a for (o, _), a in self.albums.items() if o == owner), key=lambda a: a.album_id, reverse=True)
        if start:
            mine = [a for a in mine if a.album_id < start["id"]]
        page = mine[:limit]
        return AlbumPage(albums=page, next_position={"id": page[-1].album_id} if len(mine) > limit else None)

    def update(
        self, owner: str, album_id: str, *, name: str | None, cover_photo_id: str | None, clear_cover: bool, now: str
    ) -> Album | None:
        album = self.albums.get((owner, album_id))
        if album is None:
            return None
        album = dataclasses.replace(
            album,
            name=name if name is not None else album.name,
            cover_photo_id=None if clear_cover else (cover_photo_id or album.cover_photo_id),
            updated_at=now,
        )
        self.albums[(owner, album_id)] = album
        return album

    def delete(self, owner: str, album_id: str) -> bool:
        self.members.pop((owner, album_id), None)
        return self.albums.pop((owner, album_id), None) is not None

    def member_ids(
        self, owner: str, album_id: str, *, newest_first: bool, limit: int, start: Position | None
    ) -> MemberPage:
        ordered = sorted(self.members.get((owner, album_id), {}).items(), key=lambda m: m[1], reverse=newest_first)
        if start:
            ordered = [m for m in ordered if (m[1] < start["at"] if newest_first else m[1] > start["at"])]
        page = ordered[:limit]
        self.photos.items_read += len(page)
        return MemberPage(
            photo_ids=[pid for pid, _ in page], next_position={"at": page[-1][1]} if len(ordered) > limit else None
        )

    def _count(self, owner: str, album_id: str, delta: int) -> None:
        album = self.albums[(owner, album_id)]
        self.albums[(owner, album_id)] = dataclasses.replace(album, photo_count=album.photo_count + delta)

    def _relink(self, photo: Photo, album_ids: tuple[str, ...]) -> bool:
        current = self.photos.photos.get((photo.owner, photo.photo_id))
        if current is None or current.revision != photo.revision or current.status is PhotoStatus.PROCESSING:
            return False
        self.photos.photos[(photo.owner, photo.photo_id)] = dataclasses.replace(
            current, album_ids=album_ids, revision=current.revision + 1
        )
        return True

    def add(self, album_id: str, photo: Photo) -> MembershipChange:
        members = self.members.setdefault((photo.owner, album_id), {})
        if photo.photo_id in members:
            return MembershipChange.DONE
        if (photo.owner, album_id) not in self.albums:
            return MembershipChange.NOT_FOUND
        if not photo.in_timeline or not self._relink(photo, tuple(sorted({*photo.album_ids, album_id}))):
            return MembershipChange.CONFLICT
        members[photo.photo_id] = keys.taken_sort(photo)
        self._count(photo.owner, album_id, 1)
        return MembershipChange.DONE

    def remove(self, album_id: str, photo: Photo) -> MembershipChange:
        if album_id not in photo.album_ids:
            return MembershipChange.DONE
        if not self._relink(photo, tuple(a for a in photo.album_ids if a != album_id)):
            return MembershipChange.CONFLICT
        members = self.members.get((photo.owner, album_id), {})
        if members.pop(photo.photo_id, None) is not None and (photo.owner, album_id) in self.albums:
            self._count(photo.owner, album_id, -1)
        return MembershipChange.DONE

    def detach(self, photo: Photo) -> int:
        detached = 0
        for album_id in photo.album_ids:
            members = self.members.get((photo.owner, album_id), {})
            if members.pop(photo.photo_id, None) is not None:
                detached += 1
                if (photo.owner, album_id) in self.albums:
                    self._count(photo.owner, album_id, -1)
        return detached

    def attach(self, photo: Photo) -> None:
        for album_id in photo.album_ids:
            members = self.members.setdefault((photo.owner, album_id), {})
            if (photo.owner, album_id) in self.albums and photo.photo_id not in members:
                members[photo.photo_id] = keys.taken_sort(photo)
                self._count(photo.owner, album_id, 1)


@dataclass
class InMemorySessionRepository:
    """``SessionRepository`` in a dict: owner → last sign-out everywhere (its time never lowered)."""

    stored: dict[str, SignOut] = field(default_factory=dict)
    closed: dict[str, SignOut] = field(default_factory=dict)  # tombstones, which outrank any sign-out

    def signed_out(self, owner: str) -> SignOut | None:
        return self.closed.get(owner) or self.stored.get(owner)

    def revoke_until(self, owner: str, sign_out: SignOut) -> SignOut:
        current = self.stored.get(owner)
        if current is None or current.valid_after <= sign_out.valid_after:
            self.stored[owner] = sign_out
        return self.stored[owner]

    def close(self, owner: str, sign_out: SignOut, *, expires_at: int) -> SignOut:
        return self.closed.setdefault(owner, sign_out)


@dataclass
class FakeShareRepository:
    shares: dict[str, Share] = field(default_factory=dict)

    def create(self, share: Share) -> None:
        assert share.token not in self.shares
        self.shares[share.token] = share

    def get(self, token: str) -> Share | None:
        return self.shares.get(token)

    def list_for_owner(self, owner: str, *, limit: int, start: Position | None) -> SharePage:
        mine = sorted(
            (s for s in self.shares.values() if s.owner == owner), key=lambda s: (s.created_at, s.token), reverse=True
        )
        if start:
            mine = [s for s in mine if (s.created_at, s.token) < (start["created_at"], start["token"])]
        page = mine[:limit]
        more = len(mine) > limit
        return SharePage(
            shares=page,
            next_position={"token": page[-1].token, "created_at": page[-1].created_at} if more else None,
        )

    def revoke(self, owner: str, token: str) -> bool:
        share = self.shares.get(token)
        if share is None or share.owner != owner:
            return False
        self.shares[token] = dataclasses.replace(share, revoked=True)
        return True

    def record_view(self, token: str, *, now_epoch: int) -> Share | None:
        share = self.shares.get(token)
        if share is None or not can_view(share, now_epoch):
            return None
        self.shares[token] = dataclasses.replace(share, views=share.views + 1)
        return self.shares[token]

    def delete_for_photo(self, owner: str, photo_id: str) -> int:
        doomed = [t for t, s in self.shares.items() if s.owner == owner and s.photo_id == photo_id]
        for token in doomed:
            del self.shares[token]
        return len(doomed)

    def delete_for_album(self, owner: str, album_id: str) -> int:
        doomed = [t for t, s in self.shares.items() if s.owner == owner and s.album_id == album_id]
        for token in doomed:
            del self.shares[token]
        return len(doomed)


@dataclass
class FakePresigner:
    posts: list[dict[str, object]] = field(default_factory=list)

    def presign_post(self, *, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        self.posts.append({"key": key, "content_type": content_type, "max_bytes": max_bytes, "expires_in": expires_in})
        return PresignedPost(url="https://originals.example/", fields={"key": key, "Content-Type": content_type})

    def presign_get(self, *, key: str, expires_in: int, filename: str) -> str:
        return f"https://originals.example/{key}?expires_in={expires_in}"


class FakeSigner:
    def sign(self, key: str, *, expires_at: int) -> str:
        return f"https://cdn.example/{key}?Expires={expires_at}"


@dataclass
class FakeObjects:
    """Both buckets: original keys (with versions) and derivative keys."""

    originals: dict[str, int] = field(default_factory=dict)  # key -> number of versions
    derivatives: set[str] = field(default_factory=set)
    data: dict[str, bytes] = field(default_factory=dict)  # derivative key -> bytes, for those read back

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.derivatives.add(key)
        self.data[key] = data

    def read(self, key: str) -> bytes:
        if key not in self.derivatives or key not in self.data:
            raise ObjectMissing(f"no derivative {key}")
        return self.data[key]

    def delete_all_versions(self, key: str) -> int:
        return self.originals.pop(key, 0)

    def delete_prefix(self, prefix: str) -> int:
        doomed = {k for k in self.derivatives if k.startswith(prefix)}
        self.derivatives -= doomed
        return len(doomed)

    def delete_all_versions_under(self, prefix: str) -> int:
        """Both buckets' keys under ``prefix`` (the purge hands one instance both roles)."""
        versions = sum(self.originals.pop(k) for k in [k for k in self.originals if k.startswith(prefix)])
        return versions + self.delete_prefix(prefix)

    def add_photo(self, photo: Photo) -> None:
        self.originals[keys.originals_key(photo.owner, photo.photo_id)] = 2
        for kind in photo.derivatives:
            self.derivatives.add(keys.derivative_key(photo, kind))


@dataclass
class FakeOriginals:
    """The originals bucket as the worker sees it: key → bytes (versions are not modelled)."""

    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    deleted_revisions: list[tuple[str, str]] = field(default_factory=list)

    def delete_all_versions(self, key: str) -> int:
        doomed = [name for name in self.objects if name[1] == key]
        for name in doomed:
            del self.objects[name]
        return len(doomed)

    def delete_revision(self, key: str, revision: str, *, keep: str) -> int:
        """Versions are not modelled: the revisions asked to go are recorded (the S3 adapter's test deletes them)."""
        if not revision or revision == keep:
            return 0
        self.deleted_revisions.append((key, revision))
        return 1

    def head(self, bucket: str, key: str) -> StoredObject | None:
        data = self.objects.get((bucket, key))
        return None if data is None else StoredObject(len(data), "etag", None, "image/jpeg")

    def read(self, bucket: str, key: str, version_id: str | None, max_bytes: int) -> bytes:
        return self.objects[(bucket, key)][: max_bytes + 1]


@dataclass
class FakeNotifier:
    events: list[PhotoEvent] = field(default_factory=list)

    def publish(self, event: PhotoEvent) -> None:
        self.events.append(event)


@dataclass
class Clock:
    now: float = 1_710_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    repo: InMemoryPhotoRepository
    album_repo: InMemoryAlbumRepository
    shares: FakeShareRepository
    presigner: FakePresigner
    objects: FakeObjects
    clock: Clock
    library: Library
    albums: Albums
    sharing: Sharing
    purge: PurgePhoto


def make_world(
    *, max_upload_bytes: int = 50 * 1024 * 1024, album_page_size: int = 30, quota: QuotaLimits | None = None
) -> World:
    repo = InMemoryPhotoRepository()
    album_repo = InMemoryAlbumRepository(repo)
    shares = FakeShareRepository()
    presigner = FakePresigner()
    objects = FakeObjects()
    clock = Clock()
    cursors = CursorCodec(b"unit-test-cursor-secret-0123456789")
    signer = FakeSigner()
    library = Library(
        repo=repo,
        index=repo,
        albums=album_repo,
        presigner=presigner,
        media=signer,
        cursors=cursors,
        config=LibraryConfig(max_upload_bytes=max_upload_bytes, quota=quota or QuotaLimits()),
        clock=clock,
    )
    albums = Albums(
        albums=album_repo,
        photos=repo,
        shares=shares,
        media=signer,
        cursors=cursors,
        config=AlbumsConfig(),
        clock=clock,
    )
    sharing = Sharing(
        shares=shares,
        photos=repo,
        albums=album_repo,
        media=signer,
        cursors=cursors,
        config=SharingConfig(site_url="https://vault.example", album_page_size=album_page_size),
        clock=clock,
    )
    purge = PurgePhoto(
        cleanup_steps(shares=shares, albums=album_repo, leftovers=repo, originals=objects, derivatives=objects)
    )
    return World(repo, album_repo, shares, presigner, objects, clock, library, albums, sharing, purge)


def make_photo(
    owner: str,
    *,
    photo_id: str | None = None,
    labels: Sequence[tuple[str, float]] = (("Dog", 97.0),),
    caption: str = "a dog on a beach",
    text: Sequence[str] = (),
    status: PhotoStatus = PhotoStatus.READY,
    filename: str = "photo.jpg",
    now_ms: int | None = None,
    taken_at: str | None = None,
    camera: tuple[str, str] | None = None,
    gps: tuple[float, float] | None = None,
    place: Place | None = None,
) -> Photo:
    pid = photo_id or new_photo_id(now_ms)
    ready = status is PhotoStatus.READY
    media_id = new_media_id() if ready else None
    derivatives = {
        kind: {"key": f"media/{media_id}/{kind}.webp", "width": w, "height": h}
        for kind, w, h in (("thumb", 320, 240), ("preview", 1600, 1200))
    }
    return Photo(
        owner=owner,
        photo_id=pid,
        status=status,
        created_at="2024-03-10T16:00:00.000Z",
        updated_at="2024-03-10T16:00:05.000Z",
        filename=filename,
        content_type="image/jpeg",
        facts=ImageFacts(
            format="JPEG",
            mime_type="image/jpeg",
            width=4000,
            height=3000,
            size_bytes=2_000_000,
            sha256=(pid.replace("-", "") * 2)[:64],
            taken_at=taken_at,
            camera_make=camera[0] if camera else None,
            camera_model=camera[1] if camera else None,
            gps=GpsPosition(*gps) if gps else None,
        ),
        analysis=Analysis(
            labels=tuple(Label(name=n, confidence=c) for n, c in labels),
            text=tuple(TextLine(text=t, confidence=95.0) for t in text),
            analyzer="test",
        ),
        caption=Caption(text=caption, model_id="test", prompt_version="v1", fallback=False),
        derivatives=derivatives if ready else {},
        media_id=media_id,
        place=place,
    )
