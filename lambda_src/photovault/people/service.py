"""People use cases: index a photo's faces into its owner's people (worker, restore), take them out (trash,
delete), and the owner's requests — list, rename, merge, take a wrong face out of a person, find by name.

Faces only ever meet faces of the same owner: the ``FaceIndex`` is asked with the owner alone deciding where it
looks (one collection per owner), and a match is used only through the owner's own face record."""

from __future__ import annotations

import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from photovault import keys
from photovault.errors import InvalidInput, NotFound
from photovault.model import Photo
from photovault.model import iso_epoch as iso
from photovault.people.clustering import choose_person, same_place
from photovault.people.model import Person, PersonFace
from photovault.ports import FaceIndex, MediaStore, MediaUrlSigner, PeopleRepository, Position
from photovault.search.terms import tokens

if TYPE_CHECKING:  # the worker and the purge load this module too; their zips leave cryptography out
    from photovault.library.cursor import CursorCodec

MAX_FACES = 15  # per photo: a group photo's faces beyond this are too small to recognise anyone by
MATCHES_PER_FACE = 20  # how many similar faces vote on a new face's person
MAX_NAME_LENGTH = 80
FACE_REF_SEPARATOR = "."  # a face's id in the API: ``<photo_id>.<face_id>``


@dataclass(frozen=True, slots=True)
class FaceRun:
    """What indexing one photo's faces found and cost: ``calls`` billable face index calls — one index and one search
    per face not found again at its place (Rekognition bills IndexFaces and SearchFaces; DeleteFaces is free)."""

    faces: int = 0
    calls: int = 0
    new_people: int = 0


@dataclass(frozen=True, slots=True)
class ShownPerson:
    """A person as the people page shows them: with a signed URL of their cover face."""

    person: Person
    cover_url: str | None


@dataclass(frozen=True, slots=True)
class ShownFace:
    """A face as a person's page shows it: with a signed URL of its crop."""

    face: PersonFace
    crop_url: str


@dataclass(frozen=True, slots=True)
class PeopleList:
    """One page of people to show, and the cursor to the next."""

    items: list[ShownPerson]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class FaceList:
    """One page of a person's faces to show, and the cursor to the next."""

    items: list[ShownFace]
    cursor: str | None = None


def face_ref(face: PersonFace) -> str:
    return f"{face.photo_id}{FACE_REF_SEPARATOR}{face.face_id}"


class PeopleIndex:
    """Keeps the owner's face index and people in step with the photos: index, forget, restore."""

    def __init__(
        self,
        *,
        index: FaceIndex,
        repo: PeopleRepository,
        media: MediaStore,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        meter: Callable[[int], None] | None = None,
    ) -> None:
        self._index = index
        self._meter = meter  # told the billable calls of every photo indexed (the API's metrics; the worker counts)
        self._repo = repo
        self._media = media
        self._clock = clock
        self._new_id = new_id

    def index_photo(self, photo: Photo, image: bytes) -> FaceRun:
        """Index the faces of ``photo`` found in ``image`` (the JPEG rendition made for its analysis) and give each a
        person. Faces recorded for the photo before (a reprocess, a restore) leave the index first; a face found
        again at the same place keeps its person, so names and merges survive."""
        from photovault.images.derivatives import face_crop  # Pillow: only where faces are indexed, not in the purge

        owner = photo.owner
        earlier = self._repo.photo_faces(owner, photo.photo_id)
        calls = 0
        live = [face.face_id for face in earlier if face.active]
        if live:
            self._index.remove(owner, live)
        found = self._index.index(owner, photo.photo_id, image, max_faces=MAX_FACES)
        calls += 1
        existing = self._repo.persons(owner, sorted({face.person_id for face in earlier}))
        taken: set[str] = set()
        faces: list[PersonFace] = []
        created: list[Person] = []
        for indexed in sorted(found, key=lambda face: -face.box.width * face.box.height):
            before = same_place(indexed.box, earlier)
            person_id = before.person_id if before is not None and before.person_id in existing else None
            if person_id in taken:
                person_id = None
            if person_id is None:
                matches = self._index.search(owner, indexed.face_id, limit=MATCHES_PER_FACE)
                calls += 1
                known = self._repo.faces(owner, [(m.photo_id, m.face_id) for m in matches])
                person_id = choose_person(matches, known, photo_id=photo.photo_id, taken=taken)
            crop_key = keys.face_crop_key(photo, indexed.face_id)
            crop = face_crop(image, indexed.box)
            self._media.put(crop_key, crop.data, crop.content_type)
            if person_id is None:
                person_id = self._new_id()
                created.append(Person(owner, person_id, cover_key=crop_key, created_at=iso(self._clock())))
            taken.add(person_id)
            faces.append(
                PersonFace(
                    owner=owner,
                    face_id=indexed.face_id,
                    photo_id=photo.photo_id,
                    person_id=person_id,
                    box=indexed.box,
                    confidence=indexed.confidence,
                    crop_key=crop_key,
                    taken=keys.taken_sort(photo),
                )
            )
        self._repo.remove(earlier)
        self._repo.add(faces, created)
        if self._meter is not None:
            self._meter(calls)
        return FaceRun(faces=len(faces), calls=calls, new_people=len(created))

    def forget_photo(self, owner: str, photo_id: str, *, keep_records: bool) -> int:
        """Take the photo's faces out of the index and out of their persons (trash: the records stay, marked
        inactive, so a restore puts them back with their persons; delete: the records go). Returns how many."""
        faces = self._repo.photo_faces(owner, photo_id)
        live = [face for face in faces if face.active]
        if live:
            self._index.remove(owner, [face.face_id for face in live])
        if keep_records:
            self._repo.set_active(live, False)
        else:
            self._repo.remove(faces)
        return len(faces)

    def purge_photo(self, owner: str, photo_id: str) -> int:
        """The purge's step for a removed photo item: its faces leave the index and the table. Counts stay as they
        are: whoever trashed the photo moved them already (like the label facets). Returns how many faces."""
        faces = self._repo.photo_faces(owner, photo_id)
        live = [face.face_id for face in faces if face.active]
        if live:
            self._index.remove(owner, live)
        self._repo.remove([replace(face, active=False) for face in faces])
        return len(faces)

    def restore_photo(self, photo: Photo) -> FaceRun:
        """Index a restored photo's faces again, from its preview: each goes back to the person it had."""
        if not self._repo.photo_faces(photo.owner, photo.photo_id) or "preview" not in photo.derivatives:
            return FaceRun()
        from photovault.images.derivatives import as_jpeg

        preview = self._media.read(keys.derivative_key(photo, "preview"))
        return self.index_photo(photo, as_jpeg(preview))


class People:
    """The owner's people, as the API shows and changes them."""

    def __init__(
        self,
        *,
        repo: PeopleRepository,
        media: MediaUrlSigner,
        cursors: CursorCodec,
        media_url_expiry_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repo = repo
        self._media = media
        self._cursors = cursors
        self._expiry_seconds = media_url_expiry_seconds
        self._clock = clock

    def list_people(self, owner: str, *, limit: int, cursor: str | None) -> PeopleList:
        """Named people first (by name), then the others by how many faces they have, on each page."""
        start = self._cursors.decode(owner, "people", cursor) if cursor else None
        page = self._repo.people(owner, limit=limit, start=start)
        ordered = sorted(page.people, key=lambda p: (not p.name, p.name.casefold(), -p.face_count, p.person_id))
        expires_at = self._expiry()
        items = [self._shown(person, expires_at) for person in ordered]
        next_cursor = self._cursors.encode(owner, "people", page.next_position) if page.next_position else None
        return PeopleList(items=items, cursor=next_cursor)

    def get(self, owner: str, person_id: str) -> ShownPerson:
        return self._shown(self._require(owner, person_id), self._expiry())

    def faces(self, owner: str, person_id: str, *, limit: int, cursor: str | None) -> FaceList:
        """The person's faces (crops), newest taken first, each naming its photo."""
        self._require(owner, person_id)
        binding = person_id
        start = self._cursors.decode(owner, "faces", cursor, binding=binding) if cursor else None
        page = self._repo.person_faces(owner, person_id, limit=limit, start=start)
        expires_at = self._expiry()
        items = [ShownFace(face, self._media.sign(face.crop_key, expires_at=expires_at)) for face in page.faces]
        next_cursor = (
            self._cursors.encode(owner, "faces", page.next_position, binding=binding) if page.next_position else None
        )
        return FaceList(items=items, cursor=next_cursor)

    def rename(self, owner: str, person_id: str, name: str) -> ShownPerson:
        clean = " ".join(unicodedata.normalize("NFC", name).split())
        if len(clean) > MAX_NAME_LENGTH or any(unicodedata.category(c) in {"Cc", "Cf"} for c in clean):
            raise InvalidInput(f"A name is at most {MAX_NAME_LENGTH} visible characters.", details={"field": "name"})
        self._require(owner, person_id)
        person = self._repo.rename(owner, person_id, clean)
        if person is None:
            raise NotFound("No such person.")
        return self._shown(person, self._expiry())

    def merge(self, owner: str, person_id: str, other_id: str) -> ShownPerson:
        """Move every face of ``other_id`` to ``person_id`` and delete ``other_id``; the merged person keeps its name
        (or takes the other's when it has none)."""
        if other_id == person_id:
            raise InvalidInput("A person cannot be merged with itself.", details={"field": "person_id"})
        person = self._require(owner, person_id)
        other = self._require(owner, other_id)
        # Page through the other's faces as listed before the move: the listing index is eventually consistent, so
        # starting over after each move could meet the moved faces again.
        pages = []
        start: Position | None = None
        while True:
            page = self._repo.person_faces(owner, other_id, limit=100, start=start)
            pages.append(page.faces)
            if page.next_position is None:
                break
            start = page.next_position
        for faces in pages:
            self._repo.move(faces, person_id)
        if not person.name and other.name:
            self._repo.rename(owner, person_id, other.name)
        self._repo.delete_person(owner, other_id)
        return self.get(owner, person_id)

    def remove_face(self, owner: str, person_id: str, ref: str) -> ShownPerson:
        """Take a wrongly grouped face out of the person: it becomes a person of its own (unnamed)."""
        self._require(owner, person_id)
        photo_id, _, face_id = ref.partition(FACE_REF_SEPARATOR)
        face = self._repo.faces(owner, [(photo_id, face_id)]).get((photo_id, face_id)) if face_id else None
        if face is None or face.person_id != person_id:
            raise NotFound("No such face in this person.")
        alone = Person(owner, uuid.uuid4().hex, cover_key=face.crop_key, created_at=iso(self._clock()))
        self._repo.add([], [alone])
        self._repo.move([face], alone.person_id)
        return self.get(owner, person_id)

    def named(self, owner: str, query: str) -> dict[str, Person]:
        """The owner's persons whose name has every word of ``query`` (an empty dict when none or no words),
        by id."""
        words = tokens(query)
        if not words:
            return {}
        found: set[str] | None = None
        for word in words:
            ids = set(self._repo.named(owner, word))
            found = ids if found is None else found & ids
        return self._repo.persons(owner, sorted(found or ()))

    def find(self, owner: str, person_id: str) -> Person | None:
        """The owner's person, or None (also for another owner's id)."""
        return self._repo.person(owner, person_id) if _is_person_id(person_id) else None

    def photo_ids(self, owner: str, person_id: str, *, limit: int) -> list[str]:
        """The photos the person is in, newest taken first, at most ``limit`` (for search)."""
        page = self._repo.person_faces(owner, person_id, limit=limit, start=None)
        return list(dict.fromkeys(face.photo_id for face in page.faces))

    def _require(self, owner: str, person_id: str) -> Person:
        person = self._repo.person(owner, person_id) if _is_person_id(person_id) else None
        if person is None:
            raise NotFound("No such person.")  # another user's person must look like no person
        return person

    def _shown(self, person: Person, expires_at: int) -> ShownPerson:
        cover = self._media.sign(person.cover_key, expires_at=expires_at) if person.cover_key else None
        return ShownPerson(person=person, cover_url=cover)

    def _expiry(self) -> int:
        return int(self._clock()) + self._expiry_seconds


def _is_person_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


__all__ = ["FaceList", "FaceRun", "People", "PeopleIndex", "PeopleList", "ShownFace", "ShownPerson", "face_ref"]
