"""In-memory fakes of the API ports, with the same semantics as the DynamoDB/S3/CloudFront adapters."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from photovault import keys
from photovault.api_ports import (
    LabelCount,
    PhotoPage,
    Position,
    PostingPage,
    PresignedPost,
    Share,
    SharePage,
    TermMatch,
    TermPosting,
)
from photovault.ids import new_photo_id
from photovault.library.cursor import CursorCodec
from photovault.library.service import Library, LibraryConfig
from photovault.model import Analysis, Caption, ImageFacts, Label, Photo, PhotoStatus, TextLine
from photovault.search.index import stamp_index
from photovault.sharing.policy import can_view
from photovault.sharing.service import Sharing, SharingConfig


@dataclass
class FakeLibraryRepository:
    photos: dict[tuple[str, str], Photo] = field(default_factory=dict)
    postings: dict[tuple[str, str], dict[str, TermPosting]] = field(default_factory=dict)  # (owner, term) -> id ->
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    facets: dict[tuple[str, str], int] = field(default_factory=dict)
    items_read: int = 0

    # -- test helpers ----------------------------------------------------------------------------------------
    def add(self, photo: Photo, min_confidence: float = 70.0) -> Photo:
        """Store ``photo`` as the pipeline would: item, terms, hash record and (READY only) facets."""
        photo, hits = stamp_index(photo, min_confidence)
        self.photos[(photo.owner, photo.photo_id)] = photo
        by_term: dict[str, list[TermMatch]] = {}
        for hit in hits:
            by_term.setdefault(hit.term, []).append(TermMatch(hit.field, hit.confidence, hit.source))
        for term, matches in by_term.items():
            self.postings.setdefault((photo.owner, term), {})[photo.photo_id] = TermPosting(
                term, photo.photo_id, tuple(matches)
            )
        if photo.facts:
            self.hashes.setdefault((photo.owner, photo.facts.sha256), photo.photo_id)
        for label in photo.indexed_labels:
            self.facets[(photo.owner, label)] = self.facets.get((photo.owner, label), 0) + 1
        return photo

    def terms_of(self, owner: str, photo_id: str) -> set[str]:
        return {term for (o, term), ids in self.postings.items() if o == owner and photo_id in ids}

    # -- port ------------------------------------------------------------------------------------------------
    def create_pending(self, photo: Photo) -> None:
        assert (photo.owner, photo.photo_id) not in self.photos
        self.photos[(photo.owner, photo.photo_id)] = photo

    def get(self, owner: str, photo_id: str) -> Photo | None:
        photo = self.photos.get((owner, photo_id))
        self.items_read += photo is not None
        return photo

    def get_many(self, owner: str, photo_ids: Sequence[str]) -> dict[str, Photo]:
        found = {pid: self.photos[(owner, pid)] for pid in photo_ids if (owner, pid) in self.photos}
        self.items_read += len(found)
        return found

    def list_photos(self, owner: str, *, limit: int, start: Position | None, status: PhotoStatus | None) -> PhotoPage:
        ids = sorted((pid for (o, pid) in self.photos if o == owner), reverse=True)
        if start:
            ids = [pid for pid in ids if pid < start["id"]]
        page = [self.photos[(owner, pid)] for pid in ids[:limit]]
        self.items_read += len(page)
        more = len(ids) > limit
        if status is not None:
            page = [p for p in page if p.status is status]
        return PhotoPage(photos=page, next_position={"id": ids[limit - 1]} if more else None)

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

    def delete_photo(self, photo: Photo) -> bool:
        for term in photo.indexed_terms:
            self.postings.get((photo.owner, term), {}).pop(photo.photo_id, None)
        if photo.facts and self.hashes.get((photo.owner, photo.facts.sha256)) == photo.photo_id:
            del self.hashes[(photo.owner, photo.facts.sha256)]
        current = self.photos.get((photo.owner, photo.photo_id))
        if current is None or current.updated_at != photo.updated_at:
            return False
        del self.photos[(photo.owner, photo.photo_id)]
        for label in dict.fromkeys(photo.indexed_labels):
            self.facets[(photo.owner, label)] = self.facets.get((photo.owner, label), 0) - 1
        return True


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

    def delete_all_versions(self, key: str) -> int:
        return self.originals.pop(key, 0)

    def delete_prefix(self, prefix: str) -> int:
        doomed = {k for k in self.derivatives if k.startswith(prefix)}
        self.derivatives -= doomed
        return len(doomed)

    def add_photo(self, photo: Photo) -> None:
        self.originals[keys.originals_key(photo.owner, photo.photo_id)] = 2
        for kind in photo.derivatives:
            self.derivatives.add(keys.derivative_key(photo.owner, photo.photo_id, kind))


@dataclass
class Clock:
    now: float = 1_710_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    repo: FakeLibraryRepository
    shares: FakeShareRepository
    presigner: FakePresigner
    objects: FakeObjects
    clock: Clock
    library: Library
    sharing: Sharing


def make_world(*, max_upload_bytes: int = 50 * 1024 * 1024) -> World:
    repo = FakeLibraryRepository()
    shares = FakeShareRepository()
    presigner = FakePresigner()
    objects = FakeObjects()
    clock = Clock()
    cursors = CursorCodec(b"unit-test-cursor-secret-0123456789")
    signer = FakeSigner()
    library = Library(
        repo=repo,
        shares=shares,
        presigner=presigner,
        media=signer,
        originals=objects,
        derivatives=objects,
        cursors=cursors,
        config=LibraryConfig(max_upload_bytes=max_upload_bytes),
        clock=clock,
    )
    sharing = Sharing(
        shares=shares,
        photos=repo,
        media=signer,
        cursors=cursors,
        config=SharingConfig(site_url="https://vault.example"),
        clock=clock,
    )
    return World(repo, shares, presigner, objects, clock, library, sharing)


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
) -> Photo:
    pid = photo_id or new_photo_id(now_ms)
    derivatives = {
        kind: {"key": keys.derivative_key(owner, pid, kind), "width": w, "height": h}
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
        ),
        analysis=Analysis(
            labels=tuple(Label(name=n, confidence=c) for n, c in labels),
            text=tuple(TextLine(text=t, confidence=95.0) for t in text),
            analyzer="test",
        ),
        caption=Caption(text=caption, model_id="test", prompt_version="v1", fallback=False),
        derivatives=derivatives if status is PhotoStatus.READY else {},
    )
