"""A person and the faces that make them up. Both always belong to one owner; ids are only unique within it."""

from __future__ import annotations

from dataclasses import dataclass

from photovault.model import BoundingBox


@dataclass(frozen=True, slots=True)
class Person:
    """A group of one owner's faces. ``face_count`` counts faces in photos outside the trash; ``cover_key`` is the
    derivatives key of one of its face crops."""

    owner: str
    person_id: str
    name: str = ""
    face_count: int = 0
    cover_key: str = ""
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class PersonFace:
    """One face in one photo, in the owner's face index under ``face_id`` while ``active`` (the photo is not in
    the trash). ``taken`` is the photo's timeline sort key: a person's faces list in the timeline's order."""

    owner: str
    face_id: str
    photo_id: str
    person_id: str
    box: BoundingBox
    confidence: float
    crop_key: str
    taken: str
    active: bool = True
