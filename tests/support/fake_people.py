"""In-memory fakes of the people ports: a repository with the DynamoDB adapter's semantics, and a face index that
knows who is in each image because the test says so (``FaceScript``), kept apart per owner like Rekognition's
one-collection-per-owner."""

from __future__ import annotations

import dataclasses
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image

from photovault.model import BoundingBox
from photovault.people.model import Person, PersonFace
from photovault.ports import FaceMatch, FacePage, IndexedFace, PeoplePage, Position
from photovault.search.terms import tokens


@dataclass
class InMemoryPeopleRepository:
    people_items: dict[tuple[str, str], Person] = field(default_factory=dict)
    face_items: dict[tuple[str, str, str], PersonFace] = field(default_factory=dict)  # (owner, photo_id, face_id)

    def person(self, owner: str, person_id: str) -> Person | None:
        return self.people_items.get((owner, person_id))

    def persons(self, owner: str, person_ids: Sequence[str]) -> dict[str, Person]:
        return {pid: p for pid in person_ids if (p := self.people_items.get((owner, pid))) is not None}

    def people(self, owner: str, *, limit: int, start: Position | None) -> PeoplePage:
        mine = sorted(
            (p for (o, _), p in self.people_items.items() if o == owner and p.face_count > 0),
            key=lambda p: p.person_id,
        )
        after = (start or {}).get("after", "")
        mine = [p for p in mine if p.person_id > after]
        page = mine[:limit]
        more = len(mine) > limit
        return PeoplePage(page, {"after": page[-1].person_id} if more else None)

    def named(self, owner: str, token: str) -> list[str]:
        return sorted(pid for (o, pid), p in self.people_items.items() if o == owner and token in tokens(p.name))

    def faces(self, owner: str, refs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], PersonFace]:
        return {ref: f for ref in refs if (f := self.face_items.get((owner, *ref))) is not None}

    def photo_faces(self, owner: str, photo_id: str) -> list[PersonFace]:
        return [f for (o, p, _), f in sorted(self.face_items.items()) if o == owner and p == photo_id]

    def person_faces(self, owner: str, person_id: str, *, limit: int, start: Position | None) -> FacePage:
        mine = sorted(
            (f for (o, _, _), f in self.face_items.items() if o == owner and f.person_id == person_id and f.active),
            key=lambda f: (f.taken, f.face_id),
            reverse=True,
        )
        after = (start or {}).get("after")
        if after is not None:
            mine = [f for f in mine if f"{f.taken}#{f.face_id}" < after]
        page = mine[:limit]
        more = len(mine) > limit
        return FacePage(page, {"after": f"{page[-1].taken}#{page[-1].face_id}"} if more else None)

    def add(self, faces: Sequence[PersonFace], created: Sequence[Person]) -> None:
        for person in created:
            self.people_items[(person.owner, person.person_id)] = person
        for face in faces:
            self.face_items[(face.owner, face.photo_id, face.face_id)] = face
            if face.active:
                self._count(face.owner, face.person_id, +1)

    def remove(self, faces: Sequence[PersonFace]) -> None:
        for face in faces:
            stored = self.face_items.pop((face.owner, face.photo_id, face.face_id), None)
            if stored is not None and face.active:
                self._count(face.owner, stored.person_id, -1)

    def set_active(self, faces: Sequence[PersonFace], active: bool) -> None:
        for face in faces:
            key = (face.owner, face.photo_id, face.face_id)
            stored = self.face_items.get(key)
            if stored is not None and stored.active != active:
                self.face_items[key] = dataclasses.replace(stored, active=active)
                self._count(face.owner, stored.person_id, +1 if active else -1)

    def move(self, faces: Sequence[PersonFace], person_id: str) -> None:
        for face in faces:
            key = (face.owner, face.photo_id, face.face_id)
            stored = self.face_items.get(key)
            if stored is None or stored.person_id == person_id:
                continue
            self.face_items[key] = dataclasses.replace(stored, person_id=person_id)
            if stored.active:
                self._count(face.owner, stored.person_id, -1)
                self._count(face.owner, person_id, +1)

    def rename(self, owner: str, person_id: str, name: str) -> Person | None:
        person = self.people_items.get((owner, person_id))
        if person is None:
            return None
        self.people_items[(owner, person_id)] = renamed = dataclasses.replace(person, name=name)
        return renamed

    def delete_person(self, owner: str, person_id: str) -> None:
        self.people_items.pop((owner, person_id), None)

    def _count(self, owner: str, person_id: str, delta: int) -> None:
        person = self.people_items.get((owner, person_id))
        if person is not None:
            self.people_items[(owner, person_id)] = dataclasses.replace(person, face_count=person.face_count + delta)


@dataclass(frozen=True)
class ScriptedFace:
    """Who a test put into an image, and where."""

    identity: str
    box: BoundingBox


def looks(image: bytes) -> tuple[int, ...]:
    """What an image looks like, coarsely (its mean colour in steps of 10): the same after a re-encode."""
    with Image.open(io.BytesIO(image)) as opened:
        mean = opened.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(mean, tuple)
    return tuple(round(channel / 10) for channel in mean)


@dataclass
class FakeFaceIndex:
    """``script`` maps what an image looks like (``looks``) to the faces in it; a face matches every face of the
    same identity in the same owner's index (similarity 95) — and never one of another owner, as a collection per
    owner guarantees."""

    script: dict[tuple[int, ...], tuple[ScriptedFace, ...]] = field(default_factory=dict)
    collections: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # owner -> face -> (who, photo)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, owner)
    name: str = "fake-faces"
    everywhere: tuple[ScriptedFace, ...] = ()  # the faces of any image the script does not name

    def index(self, owner: str, photo_id: str, image: bytes, *, max_faces: int) -> tuple[IndexedFace, ...]:
        self.calls.append(("index", owner))
        found = []
        for scripted in self.script.get(looks(image), self.everywhere)[:max_faces]:
            face_id = str(uuid.uuid4())
            self.collections.setdefault(owner, {})[face_id] = (scripted.identity, photo_id)
            found.append(IndexedFace(face_id=face_id, box=scripted.box, confidence=99.0))
        return tuple(found)

    def search(self, owner: str, face_id: str, *, limit: int) -> tuple[FaceMatch, ...]:
        self.calls.append(("search", owner))
        collection = self.collections.get(owner, {})
        who = collection[face_id][0]
        hits = [FaceMatch(fid, photo, 95.0) for fid, (w, photo) in collection.items() if w == who and fid != face_id]
        return tuple(hits[:limit])

    def remove(self, owner: str, face_ids: Sequence[str]) -> None:
        self.calls.append(("remove", owner))
        for face_id in face_ids:
            self.collections.get(owner, {}).pop(face_id, None)

    def forget_owner(self, owner: str) -> int:
        self.calls.append(("forget_owner", owner))
        return len(self.collections.pop(owner, {}))
