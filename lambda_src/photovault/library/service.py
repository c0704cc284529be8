"""The library use cases: request an upload; list the timeline, favourites, trash and needs-attention views; show a
photo with its neighbours; favourite, trash, restore and delete forever — one photo or a selection; renew media
URLs; search and count labels. All scoped to one owner."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from photovault import ids, keys
from photovault.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TransientDependencyError,
    UnsupportedMediaType,
)
from photovault.images.formats import ACCEPTED_MIME_TYPES, ACCEPTED_SENTENCE
from photovault.library.cursor import CursorCodec
from photovault.library.links import shown
from photovault.library.quota import QuotaExceeded, QuotaLimits, charge, settle, within_hour
from photovault.library.views import (
    ActionResult,
    Gallery,
    MapView,
    Match,
    Outcome,
    PhotoView,
    SearchHit,
    SearchPage,
    ShownPhoto,
    StorageUsage,
    UploadTicket,
)
from photovault.model import Photo, PhotoStatus
from photovault.model import iso_epoch as iso
from photovault.people.model import Person
from photovault.people.service import People, PeopleIndex
from photovault.ports import (
    AlbumRepository,
    Collection,
    Embedder,
    LabelCount,
    LibraryRepository,
    LibraryView,
    MediaUrlSigner,
    MembershipChange,
    MonthCount,
    TermIndex,
    TermMatch,
    TermPosting,
    UploadPresigner,
    VectorHit,
    VectorIndex,
)
from photovault.search.hybrid import Floors, Fused, fuse
from photovault.search.index import stamp_index
from photovault.search.query import best_partial, intersect
from photovault.search.terms import label_term, tokens

MAX_QUERY_TERMS = 8
# How many of a person's newest faces a search by their name reads (one Query page each).
PERSON_SEARCH_DEPTH = 500
# How deep each ranking is read for one hybrid search: the vector index's top-K maximum, and as many word matches
# (newest first) — reads stay proportional to the matches. Word matches beyond it follow, newest first.
FUSION_DEPTH = 100
MAX_FILENAME_LENGTH = 255
MAX_SELECTION = 100  # photos per action request: bounded work per call, far inside the timeout and 6 MB
CHANGE_ATTEMPTS = 3  # a photo changed between our read and our write: read again, this many times
# Characters that change how a name looks without being seen: controls (C0 and C1), format characters such as the
# right-to-left override that shows "photo\u202egpj.exe" as "photoexe.jpg", zero-width joiners and the BOM, line and
# paragraph separators, surrogates, private-use and unassigned code points.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class LibraryConfig:
    max_upload_bytes: int = 50 * 1024 * 1024
    upload_url_expiry_seconds: int = 600
    media_url_expiry_seconds: int = 600
    min_label_confidence: float = 70.0  # the pipeline's: a restored photo is indexed exactly as the worker would
    # How long after its form expires a PENDING upload may still be claimed before it is given up (hidden, then
    # deleted by the table's TTL): Settings.pending_grace_seconds says why.
    pending_grace_seconds: int = 5 * 720
    quota: QuotaLimits = QuotaLimits()


class Action(StrEnum):
    FAVORITE = "favorite"
    UNFAVORITE = "unfavorite"
    TRASH = "trash"
    RESTORE = "restore"
    DELETE_FOREVER = "delete_forever"
    ADD_TO_ALBUM = "add_to_album"
    REMOVE_FROM_ALBUM = "remove_from_album"


ALBUM_ACTIONS = frozenset({Action.ADD_TO_ALBUM, Action.REMOVE_FROM_ALBUM})


class NotInLibrary(Conflict):
    code = "not_in_library"


class BeingProcessed(Conflict):
    code = "being_processed"


class NotInTrash(Conflict):
    code = "not_in_trash"


class _Changed(Exception):
    """The photo changed between our read and our write: read it again and redo the step."""


def clean_filename(filename: str) -> str:
    """The last path segment in NFC, without invisible characters, at most 255 characters (never empty)."""
    segment = unicodedata.normalize("NFC", re.split(r"[\\/]", filename)[-1])
    name = "".join(char for char in segment if unicodedata.category(char) not in _INVISIBLE_CATEGORIES).strip()
    return name[:MAX_FILENAME_LENGTH] or "upload"


def _day(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_day(field)
    except ValueError:
        return _bad_day(field)


def _bad_day(field: str) -> str:
    raise InvalidInput("Dates are YYYY-MM-DD.", details={"field": f"query.{field}"})


class Library:
    """One owner's photos. Every method takes the caller's ``owner`` (the verified JWT ``sub``)."""

    def __init__(
        self,
        *,
        repo: LibraryRepository,
        index: TermIndex,
        albums: AlbumRepository,
        presigner: UploadPresigner,
        media: MediaUrlSigner,
        cursors: CursorCodec,
        config: LibraryConfig,
        clock: Clock = time.time,
        embedder: Embedder | None = None,
        vectors: VectorIndex | None = None,
        floors: Floors | None = None,
        people: People | None = None,
        people_index: PeopleIndex | None = None,
    ) -> None:
        self._repo = repo
        self._index = index
        self._albums = albums
        self._presigner = presigner
        self._media = media
        self._cursors = cursors
        self._config = config
        self._clock = clock
        self._embedder = embedder
        self._vectors = vectors
        self._floors = floors or Floors()
        self._people = people
        self._people_index = people_index

    # -- uploads -----------------------------------------------------------------------------------------------
    def request_upload(self, owner: str, *, filename: str, content_type: str, size: int) -> UploadTicket:
        # Exactly one of the accepted types, no parameters: the upload form demands this very Content-Type.
        content_type = content_type.strip().lower()
        if content_type not in ACCEPTED_MIME_TYPES:
            raise UnsupportedMediaType(
                f"This type of file cannot be uploaded. {ACCEPTED_SENTENCE}",
                details={"field": "content_type", "allowed": list(ACCEPTED_MIME_TYPES)},
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
        expires_in = self._config.upload_url_expiry_seconds
        photo = Photo(
            owner=owner,
            photo_id=photo_id,
            status=PhotoStatus.PENDING,
            created_at=iso(now),
            updated_at=iso(now),
            filename=clean_filename(filename),
            content_type=content_type,
            expires_at=int(now) + expires_in + self._config.pending_grace_seconds,
        )
        self._charge(photo, size)
        key = keys.originals_key(owner, photo_id)
        # The size the client declared is the form's upper bound: S3 refuses more bytes than that, so a form cannot
        # carry a bigger file than the one it was asked for.
        post = self._presigner.presign_post(key=key, content_type=content_type, max_bytes=size, expires_in=expires_in)
        return UploadTicket(photo=photo, post=post, expires_at=int(now) + expires_in, max_bytes=size)

    def _charge(self, photo: Photo, size: int) -> None:
        """Create the PENDING photo while the owner's quotas allow one more upload, counted in the same write."""
        now = self._clock()
        for _ in range(CHANGE_ATTEMPTS):
            usage = self._repo.usage(photo.owner)
            try:
                after = charge(within_hour(usage, now), self._config.quota, photo_id=photo.photo_id, size=size, now=now)
            except QuotaExceeded as refused:
                if refused.limit == "uploads_per_hour" or not usage.open:
                    raise
                # Some open uploads may have ended since: settle them (one batched read) and ask again.
                opened = self._repo.open_uploads(photo.owner, list(usage.open))
                settled = settle(usage, opened, now)
                after = charge(settled, self._config.quota, photo_id=photo.photo_id, size=size, now=now)
            if self._repo.create_pending(photo, after):
                return
        # Other requests of the same owner kept winning the write: this one is refused rather than retried for ever.
        raise QuotaExceeded("Too many uploads are being started at once; try again.", limit="concurrent", retry_after=1)

    # -- listings ----------------------------------------------------------------------------------------------
    def list_photos(self, owner: str, view: LibraryView, *, limit: int, cursor: str | None) -> Gallery:
        """One page of the timeline, the favourites, the trash or the needs-attention view (one Query)."""
        since, until = _day(view.since, "from"), _day(view.until, "to")
        if since and until and since > until:
            raise InvalidInput("'from' is after 'to'.", details={"field": "query.from"})
        if view.collection in (Collection.TRASH, Collection.ATTENTION) and (since or until):
            raise InvalidInput("Only the timeline and favourites take a date range.", details={"field": "query.from"})
        view = replace(view, since=since, until=until)
        binding = f"{view.collection.value}|{view.newest_first}|{since or ''}|{until or ''}"
        start = self._cursors.decode(owner, "photos", cursor, binding=binding) if cursor else None
        if start is not None and not ids.is_photo_id(start.get("at", "").rsplit("#", 1)[-1]):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._repo.list_view(owner, view, limit=limit, start=start)
        now = self._clock()
        expires_at = int(now) + self._config.media_url_expiry_seconds
        return Gallery(
            # An upload given up is gone for its owner at once (a page may come out shorter; its cursor goes on).
            items=[self._shown(photo, expires_at) for photo in page.photos if not photo.upload_expired(now)],
            cursor=self._cursors.encode(owner, "photos", page.next_position, binding=binding)
            if page.next_position
            else None,
        )

    def usage(self, owner: str) -> StorageUsage:
        """What the account page shows (two reads: the quota item and the month counters). Photos are the timeline's
        (the month counters: READY, not in the trash); bytes are what the storage quota counts — every photo whose
        bytes the vault keeps, the trash's included, and open uploads at the size they declared until settled."""
        photos = sum(month.count for month in self._repo.months(owner) if month.count > 0)
        return StorageUsage(photos=photos, bytes=self._repo.usage(owner).bytes, quota_bytes=self._config.quota.bytes)

    def months(self, owner: str) -> list[MonthCount]:
        """How many timeline photos each month holds, newest month first (one Query of the month counters)."""
        counts = sorted(self._repo.months(owner), key=lambda month: month.month, reverse=True)
        return [month for month in counts if month.count > 0]

    # -- the map -----------------------------------------------------------------------------------------------
    def map_points(self, owner: str, *, limit: int, cursor: str | None) -> MapView:
        """One page of the owner's geotagged timeline photos, newest taken first: where (one Query of the sparse map
        index; nothing is signed: the map asks for the thumbnails of the markers it draws). Positions are the
        owner's alone: only this JWT route returns them."""
        start = self._cursors.decode(owner, "map", cursor, binding="map") if cursor else None
        if start is not None and not ids.is_photo_id(start.get("at", "").rsplit("#", 1)[-1]):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        page = self._repo.map_points(owner, limit=limit, start=start)
        return MapView(
            points=page.points,
            cursor=self._cursors.encode(owner, "map", page.next_position, binding="map")
            if page.next_position
            else None,
        )

    # -- one photo ---------------------------------------------------------------------------------------------
    def get_photo(self, owner: str, photo_id: str) -> PhotoView:
        """The photo with its media URLs (only a READY photo's links its original), the albums it is in and, when
        in the timeline, the photos just before and after it there (two one-item Queries)."""
        photo = self._require(owner, photo_id)
        expires_in = self._config.media_url_expiry_seconds
        expires_at = self._expiry()
        original = None
        if photo.status is PhotoStatus.READY:
            original = self._presigner.presign_get(
                key=keys.originals_key(owner, photo.photo_id), expires_in=expires_in, filename=photo.filename
            )
        albums = self._albums.get_many(owner, photo.album_ids) if photo.album_ids else {}
        newer, older = self._repo.neighbours(photo)
        return PhotoView(
            shown=self._shown(photo, expires_at, original=original),
            albums=sorted(albums.values(), key=lambda album: (album.name.casefold(), album.album_id)),
            previous=self._shown(newer, expires_at) if newer else None,
            next=self._shown(older, expires_at) if older else None,
        )

    def media_urls(self, owner: str, photo_ids: Sequence[str]) -> list[ShownPhoto]:
        """Fresh thumb and preview URLs of the caller's READY photos among ``photo_ids`` (others are left out)."""
        wanted = self._selection(photo_ids)
        photos = self._repo.get_many(owner, [pid for pid in wanted if ids.is_photo_id(pid)])
        expires_at = self._expiry()
        return [
            self._shown(photos[pid], expires_at)
            for pid in wanted
            if pid in photos and photos[pid].status is PhotoStatus.READY
        ]

    def favorite(self, owner: str, photo_id: str, *, on: bool) -> None:
        self._act(self._require(owner, photo_id), Action.FAVORITE if on else Action.UNFAVORITE, None)

    def trash(self, owner: str, photo_id: str) -> None:
        """Move the photo to the trash: out of the timeline, search, facets, albums and shares at once, purged
        after 30 days. Trashing a trashed photo finishes anything an interrupted trash left (idempotent)."""
        self._act(self._require(owner, photo_id), Action.TRASH, None)

    def restore(self, owner: str, photo_id: str) -> None:
        """Bring the photo back from the trash with its favourite, albums, terms and facets (idempotent)."""
        self._act(self._require(owner, photo_id), Action.RESTORE, None)

    def delete_forever(self, owner: str, photo_id: str) -> None:
        """Remove a trashed photo's item now; the purge (driven by the table's stream) removes the rest."""
        self._act(self._require(owner, photo_id), Action.DELETE_FOREVER, None)

    # -- selections --------------------------------------------------------------------------------------------
    def act(
        self, owner: str, action: Action, photo_ids: Sequence[str], album_id: str | None = None
    ) -> list[ActionResult]:
        """Apply ``action`` to each of at most 100 photos: per photo ok, not_found or conflict. Each photo's change
        is idempotent, so a retried request (or chunk of a larger selection) is harmless."""
        wanted = self._selection(photo_ids)
        if action in ALBUM_ACTIONS and (
            not album_id or not ids.is_album_id(album_id) or self._albums.get(owner, album_id) is None
        ):
            raise NotFound("No such album.")
        photos = self._repo.get_many(owner, [pid for pid in wanted if ids.is_photo_id(pid)], whole=True)
        results: list[ActionResult] = []
        for photo_id in wanted:
            photo = photos.get(photo_id)
            if photo is None:
                results.append(ActionResult(photo_id, Outcome.NOT_FOUND))
                continue
            try:
                self._act(photo, action, album_id)
            except NotFound:
                results.append(ActionResult(photo_id, Outcome.NOT_FOUND))
            except Conflict:
                results.append(ActionResult(photo_id, Outcome.CONFLICT))
            else:
                results.append(ActionResult(photo_id, Outcome.OK))
        return results

    def _act(self, photo: Photo, action: Action, album_id: str | None) -> None:
        """One photo's change, from the item as read; read again when it changed under us."""
        for _ in range(CHANGE_ATTEMPTS):
            try:
                self._step(photo, action, album_id)
            except _Changed:
                fresh = self._repo.get(photo.owner, photo.photo_id)
                if fresh is None:
                    raise NotFound("No such photo.") from None
                photo = fresh
                continue
            return
        raise Conflict("The photo changed while it was being updated; try again.")

    def _step(self, photo: Photo, action: Action, album_id: str | None) -> None:  # noqa: PLR0912 — one per action
        if photo.status is PhotoStatus.PROCESSING:
            raise BeingProcessed("The photo is being processed; try again in a moment.")
        if action is Action.FAVORITE or action is Action.UNFAVORITE:
            on = action is Action.FAVORITE
            if on and not photo.in_timeline:
                raise NotInLibrary("Only photos in your library can be favourites.")
            if photo.favorite != on:
                self._save(photo, replace(photo, favorite=on), [])
        elif action is Action.TRASH:
            if photo.trashed_at is None:
                after, _ = stamp_index(replace(photo, trashed_at=iso(self._clock())), 0.0)
                self._save(photo, after, [])
                photo = after
            self._albums.detach(photo)
            if self._people_index is not None:  # out of the face index and people; the records wait for a restore
                self._people_index.forget_photo(photo.owner, photo.photo_id, keep_records=True)
        elif action is Action.RESTORE:
            if photo.trashed_at is not None:
                after, postings = stamp_index(replace(photo, trashed_at=None), self._config.min_label_confidence)
                self._save(photo, after, postings)
                photo = after
            if photo.in_timeline:
                self._albums.attach(photo)
                if self._people_index is not None:  # indexed again, each face back with its person
                    self._people_index.restore_photo(photo)
        elif action is Action.DELETE_FOREVER:
            if photo.trashed_at is None:
                raise NotInTrash("Only photos in the trash can be deleted for good; move it to the trash first.")
            if not self._repo.delete_forever(photo):
                raise _Changed
        else:
            assert album_id is not None  # checked by act()
            change = (
                self._albums.add(album_id, photo)
                if action is Action.ADD_TO_ALBUM
                else self._albums.remove(album_id, photo)
            )
            if change is MembershipChange.NOT_FOUND:
                raise NotFound("No such album.")
            if change is MembershipChange.CONFLICT:
                if action is Action.ADD_TO_ALBUM and not photo.in_timeline:
                    raise NotInLibrary("Only photos in your library can be added to an album.")
                raise _Changed

    def _save(self, before: Photo, after: Photo, postings: Sequence[TermPosting]) -> None:
        if not self._repo.save_library_state(before, after, postings):
            raise _Changed

    def forget_vector(self, owner: str, photo_id: str) -> None:
        """Take the photo out of search by meaning (delete, trash, purge): its vector goes, idempotently."""
        if self._vectors is not None:
            self._vectors.delete(owner, photo_id)

    # -- search ------------------------------------------------------------------------------------------------
    def search(  # noqa: PLR0912 — people, label, words and meaning: one branch each
        self,
        owner: str,
        *,
        query: str,
        limit: int,
        cursor: str | None,
        label: str | None = None,
        person: str | None = None,
    ) -> SearchPage:
        """Photos matching every word of ``query`` (and the facet ``label``), fused with the photos that look like
        what ``query`` describes when a vector index is configured; each hit says why. When no photo matches every word,
        the photos matching most of them stand in for the words (fused with the lookalikes, if any), and the page is
        marked ``partial``. A word that is in a person's name, or the facet ``person``, narrows to the photos that
        person is in."""
        if not query.strip() and not label and not person:
            raise InvalidInput("Search for some words, a label, a person, or more.", details={"field": "q"})
        terms = list(dict.fromkeys(tokens(query)))
        if len(terms) > MAX_QUERY_TERMS:
            raise InvalidInput(f"Search for at most {MAX_QUERY_TERMS} words at a time.", details={"field": "q"})
        named = self._named(owner, terms, person)
        if named:
            return self._search_people(
                owner, query, terms, named, limit=limit, cursor=cursor, label=label, person=person
            )
        required = label_term(label) if label else None
        if required:
            terms = [*(term for term in terms if term != required), required]
        binding = "\x1f".join(terms)
        position = self._cursors.decode(owner, "search", cursor, binding=binding) if cursor else {}
        before = position.get("before")
        if before is not None and not ids.is_photo_id(before):
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        offset = position.get("offset", "0")
        if not offset.isdigit() or int(offset) > FUSION_DEPTH * 2:
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        if not terms:
            return SearchPage(query=query, terms=[], items=[], label=label)

        partial = False
        if self._embedder is None or self._vectors is None or required:
            # A label narrows the search to exact word matches: meaning cannot promise the facet.
            page = intersect(self._index, owner, terms, limit=limit, before=before)
            rows = page.rows
            if not rows and before is None and len(terms) > 1:
                rows, partial = best_partial(page.probes, limit=limit, required=required), True
            window = [Fused(photo_id=_row_id(row), score=0.0, postings=row, similarity=None) for row in rows]
            next_position = {"before": page.before} if page.before and not partial else None
            tokens_used = 0
        else:
            window, next_position, tokens_used, partial = self._hybrid(owner, query, terms, limit, before, int(offset))

        photos = self._repo.get_many(owner, [hit.photo_id for hit in window]) if window else {}
        expires_at = self._expiry()
        items: list[SearchHit] = []
        for hit in window:
            photo = photos.get(hit.photo_id)
            if photo is None or not photo.in_timeline:  # left behind by a photo deleted or trashed just now
                continue
            reasons = [Match(term=t, match=m) for t in terms for m in (hit.postings or {}).get(t, _NO_POSTING).matches]
            items.append(SearchHit(shown=self._shown(photo, expires_at), matches=reasons, similarity=hit.similarity))
        next_cursor = self._cursors.encode(owner, "search", next_position, binding=binding) if next_position else None
        return SearchPage(
            query=query,
            terms=terms,
            items=items,
            cursor=next_cursor,
            label=label,
            partial=partial and bool(items),
            embedding_tokens=tokens_used,
        )

    def _named(self, owner: str, terms: Sequence[str], person: str | None) -> dict[str, list[Person]]:
        """The query words that name some of the owner's persons (each → those persons), and the facet ``person``
        (under the key ``""``; an unknown or another owner's id names nobody). Empty when no people are configured."""
        if self._people is None:
            return {}
        named: dict[str, list[Person]] = {}
        if person:
            found = self._people.find(owner, person)
            named[""] = [found] if found is not None else []
        for term in terms:
            persons = self._people.named(owner, term)
            if persons:
                named[term] = list(persons.values())
        return named

    def _search_people(
        self,
        owner: str,
        query: str,
        terms: list[str],
        named: dict[str, list[Person]],
        *,
        limit: int,
        cursor: str | None,
        label: str | None,
        person: str | None,
    ) -> SearchPage:
        """Photos of the named persons (every person word and the facet at once), newest taken first, narrowed by the
        other words and the label like a word search; each hit says which name matched."""
        assert self._people is not None
        words = [term for term in terms if term not in named]
        if label:
            words = [*words, label_term(label)]
        binding = "\x1f".join(["people", person or "", *terms, label or ""])
        position = self._cursors.decode(owner, "search", cursor, binding=binding) if cursor else {}
        offset = position.get("offset", "0")
        if not offset.isdigit():
            raise InvalidInput("The cursor is not valid for this request.", details={"field": "cursor"})
        ordered = self._photos_of(owner, named)
        postings: dict[str, dict[str, TermPosting]] = {}
        if words:
            rows = intersect(self._index, owner, words, limit=FUSION_DEPTH, before=None).rows
            postings = {_row_id(row): row for row in rows}
            ordered = [pid for pid in ordered if pid in postings]
        start = int(offset)
        window = ordered[start : start + limit]
        photos = self._repo.get_many(owner, window) if window else {}
        expires_at = self._expiry()
        items: list[SearchHit] = []
        for photo_id in window:
            photo = photos.get(photo_id)
            if photo is None or not photo.in_timeline:
                continue
            reasons = [
                Match(term=term or one.name or "person", match=TermMatch("person", 100.0, one.name))
                for term, persons in named.items()
                for one in persons[:1]
            ]
            row = postings.get(photo_id, {})
            reasons += [Match(term=t, match=m) for t in words for m in row.get(t, _NO_POSTING).matches]
            items.append(SearchHit(shown=self._shown(photo, expires_at), matches=reasons, similarity=None))
        more = start + limit < len(ordered)
        next_cursor = (
            self._cursors.encode(owner, "search", {"offset": str(start + limit)}, binding=binding) if more else None
        )
        return SearchPage(query=query, terms=terms, items=items, cursor=next_cursor, label=label, person=person)

    def _photos_of(self, owner: str, named: dict[str, list[Person]]) -> list[str]:
        """Photos in which every name (or the facet) has one of its persons, in the first name's order."""
        assert self._people is not None
        sets: list[list[str]] = []
        for persons in named.values():
            ids: list[str] = []
            for one in persons:
                ids += self._people.photo_ids(owner, one.person_id, limit=PERSON_SEARCH_DEPTH)
            sets.append(ids)
        allowed = set.intersection(*(set(ids) for ids in sets)) if sets else set()
        return [pid for pid in dict.fromkeys(sets[0] if sets else []) if pid in allowed]

    def _hybrid(
        self, owner: str, query: str, terms: list[str], limit: int, before: str | None, offset: int
    ) -> tuple[list[Fused], dict[str, str] | None, int, bool]:
        """One page of the fused ranking (``offset`` into it), then the older word matches (``before``); and whether
        no photo matched every word, so that photos matching some of them stood in for the words (``partial``)."""
        similar, tokens_used = self._similar(owner, query)
        if before is None:
            depth = intersect(self._index, owner, terms, limit=FUSION_DEPTH, before=None)
            some_words = best_partial(depth.probes, limit=FUSION_DEPTH) if not depth.rows and len(terms) > 1 else []
            fused = fuse(depth.rows, similar, self._floors, partial_rows=some_words)
            window, partial = fused[offset : offset + limit], bool(some_words)
            if offset + limit < len(fused):
                return window, {"offset": str(offset + limit)}, tokens_used, partial
            return window, ({"before": depth.before} if depth.before else None), tokens_used, partial
        # Past the fused ranking: older word matches, newest first, without the photos already shown for meaning.
        by_meaning = {f.photo_id for f in fuse([], similar, self._floors)}
        page = intersect(self._index, owner, terms, limit=limit, before=before)
        window = [
            Fused(photo_id=_row_id(row), score=0.0, postings=row, similarity=None)
            for row in page.rows
            if _row_id(row) not in by_meaning
        ]
        return window, ({"before": page.before} if page.before else None), tokens_used, False

    def _similar(self, owner: str, query: str) -> tuple[list[VectorHit], int]:
        """The owner's photos nearest to what ``query`` describes; none when the model or index is unavailable
        (the words still answer)."""
        assert self._embedder is not None and self._vectors is not None
        try:
            embedding = self._embedder.embed_text(query)
            return self._vectors.query(owner, embedding.vector, top_k=FUSION_DEPTH), embedding.input_tokens
        except TransientDependencyError:
            return [], 0

    def labels(self, owner: str) -> list[LabelCount]:
        """The owner's label facets, most photos first."""
        facets = sorted(self._index.labels(owner), key=lambda facet: (-facet.count, facet.label))
        return [facet for facet in facets if facet.count > 0]

    def places(self, owner: str) -> list[LabelCount]:
        """The owner's place facets (cities, regions, countries), most photos first."""
        facets = sorted(self._index.places(owner), key=lambda facet: (-facet.count, facet.label))
        return [facet for facet in facets if facet.count > 0]

    # -- helpers -----------------------------------------------------------------------------------------------
    def _require(self, owner: str, photo_id: str) -> Photo:
        photo = self._repo.get(owner, photo_id) if ids.is_photo_id(photo_id) else None
        if photo is None or photo.upload_expired(self._clock()):
            raise NotFound("No such photo.")  # never echo the id: another user's photo must look like no photo
        return photo

    def _expiry(self) -> int:
        return int(self._clock()) + self._config.media_url_expiry_seconds

    @staticmethod
    def _selection(photo_ids: Sequence[str]) -> list[str]:
        """The ids once each, in the order given: 1 to ``MAX_SELECTION`` of them."""
        wanted = list(dict.fromkeys(photo_ids))
        if not 1 <= len(wanted) <= MAX_SELECTION:
            raise InvalidInput(f"Send 1 to {MAX_SELECTION} photo ids at a time.", details={"field": "photo_ids"})
        return wanted

    def _shown(self, photo: Photo, expires_at: int, *, original: str | None = None) -> ShownPhoto:
        return shown(self._media, photo, expires_at, original=original, retry=photo.retry(self._clock()))


_NO_POSTING = TermPosting(term="", photo_id="")


def _row_id(row: dict[str, TermPosting]) -> str:
    return next(iter(row.values())).photo_id
