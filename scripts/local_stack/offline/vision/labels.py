"""Labels for a photo: ImageNet probabilities rolled up into readable groups and parents, plus people from faces.

A group's confidence is the total probability of its classes (118 breeds at 5 % each is a confident "Dog"),
and a parent's is the total over everything below it. ImageNet has no "person" class worth the name, so a
detected face contributes the Person and Face labels, with the faces as instances.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt

from photovault.model import Face, Label
from scripts.local_stack.offline.vision import taxonomy

TOP_CLASSES = 10  # kept in the analysis for the offline embedder (ConSE)
FINE_MIN = 0.10  # a single ImageNet class under 10 % is mostly noise on everyday photos
FINE_MAX = 5
ROLLUP_MIN = 0.10
# Classes under 2 % are left out of the roll-ups: on a photo ImageNet cannot place, hundreds of near-zero
# animal classes would otherwise add up to a confident-looking "Animal".
ROLLUP_CLASS_FLOOR = 0.02
_MAX_CONFIDENCE = 99.9


def _ancestors(group: taxonomy.Group) -> list[str]:
    names = [group.name]
    pending = list(group.parents)
    while pending:
        name = pending.pop(0)
        if name not in names:
            names.append(name)
            pending.extend(taxonomy.PARENT_PARENTS.get(name, ()))
    return names


def _confidence(probability: float) -> float:
    return round(min(_MAX_CONFIDENCE, probability * 100), 2)


def top_classes(probs: npt.NDArray[np.float32]) -> tuple[tuple[str, float], ...]:
    """The classifier's ``TOP_CLASSES`` most probable ImageNet classes by readable name, with their probability."""
    classes = taxonomy.classes()
    return tuple((classes[i].name, round(float(probs[i]), 4)) for i in np.argsort(-probs)[:TOP_CLASSES])


def from_predictions(probs: npt.NDArray[np.float32], faces: tuple[Face, ...] = ()) -> tuple[Label, ...]:
    classes = taxonomy.classes()
    groups = {group.name: group for group in taxonomy.GROUPS}
    mass: dict[str, float] = defaultdict(float)
    category_votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for index in np.flatnonzero(probs >= ROLLUP_CLASS_FLOOR):
        info, p = classes[index], float(probs[index])
        if info.group is None:
            continue
        for name in _ancestors(info.group):
            mass[name] += p
            category_votes[name][info.group.category] += p

    labels: dict[str, Label] = {}
    for name, total in mass.items():
        if total < ROLLUP_MIN:
            continue
        group = groups.get(name)
        parents = tuple(_ancestors(group)[1:]) if group else taxonomy.PARENT_PARENTS.get(name, ())
        votes = category_votes[name]
        labels[name] = Label(
            name=name,
            confidence=_confidence(total),
            categories=(max(votes, key=votes.__getitem__),),
            parents=parents,
        )

    for index in np.argsort(-probs)[:FINE_MAX]:
        info, p = classes[index], float(probs[index])
        if p < FINE_MIN or info.name in labels:
            continue
        group = info.group
        labels[info.name] = Label(
            name=info.name,
            confidence=_confidence(p),
            categories=(group.category if group else taxonomy.OBJECTS,),
            parents=tuple(_ancestors(group)) if group else (),
        )

    if faces:
        boxes = tuple(face.box for face in faces)
        best = max(face.confidence for face in faces)
        person = labels.get("Person")
        labels["Person"] = Label(
            name="Person",
            confidence=max(best, person.confidence if person else 0.0),
            categories=(taxonomy.PERSON,),
            instances=boxes,
        )
        labels["Face"] = Label(
            name="Face", confidence=best, categories=(taxonomy.PERSON,), parents=("Person",), instances=boxes
        )
    return tuple(sorted(labels.values(), key=lambda label: (-label.confidence, label.name)))
