"""Which person a newly indexed face belongs to: decided from the owner's own faces that look like it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from photovault.model import BoundingBox
from photovault.people.model import PersonFace
from photovault.ports import FaceMatch

# The same face found again at the same place (a reprocess, a restore) keeps its person: boxes overlapping this much.
SAME_PLACE_IOU = 0.5


def choose_person(
    matches: Sequence[FaceMatch], known: Mapping[tuple[str, str], PersonFace], *, photo_id: str, taken: Collection[str]
) -> str | None:
    """The person whose faces look most like this one: every matched face votes for its person with its similarity,
    and the highest total wins. Matches in the same photo do not vote (one photo shows a person once), a person
    already given to another face of this photo is not chosen, and a match the owner has no record of (an index
    entry whose photo is gone) is ignored. None: nobody known — a new person."""
    votes: dict[str, float] = defaultdict(float)
    for match in matches:
        if match.photo_id == photo_id:
            continue
        face = known.get((match.photo_id, match.face_id))
        if face is None or not face.active or face.person_id in taken:
            continue
        votes[face.person_id] += match.similarity
    if not votes:
        return None
    return max(sorted(votes), key=lambda person_id: votes[person_id])


def iou(a: BoundingBox, b: BoundingBox) -> float:
    """Intersection over union of two relative boxes."""
    width = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    height = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a.width * a.height + b.width * b.height - inter)


def same_place(box: BoundingBox, earlier: Sequence[PersonFace]) -> PersonFace | None:
    """The earlier face of this photo at the same place as ``box``, if any (the best overlap)."""
    best = max(earlier, key=lambda face: iou(box, face.box), default=None)
    return best if best is not None and iou(box, best.box) >= SAME_PLACE_IOU else None
