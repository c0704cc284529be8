"""``DlibFaceIndex``: the local stand-in for Rekognition face collections, through the same ``FaceIndex`` port.

Faces are found by dlib's HOG detector (as the offline analyzer finds them) and described by dlib's ResNet face
model (128 numbers; the weights ship in the face-recognition-models wheel). Descriptors are kept per owner — on
``make run`` in the emulator's table, one partition per owner (``LOCALFACES#<sub>``), so every worker process and
the api share them — and a search reads only the asking owner's partition, as a collection per owner would.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from PIL import Image

from photovault.model import BoundingBox
from photovault.ports import FaceMatch, IndexedFace
from scripts.local_stack.offline.vision import decode, faces

# dlib's own rule: two descriptors of one person are less than 0.6 apart (99.38 % on LFW at this threshold).
MATCH_DISTANCE = 0.6
# Rekognition's QualityFilter AUTO keeps blurred and tiny faces out of a collection; this is its stand-in. Detail is
# the variance of the Laplacian of the face at 100×100 grey: real portraits and their rescales, crops and JPEG
# recompressions measure 115–1,340 (benchmarks/people.py), faces blown up from 25 px (scikit-image's LFW subset)
# 5–47. Descriptors of such blurred faces all lie within 0.6 of each other: indexed, they merge strangers.
MIN_FACE_DETAIL = 60.0
_DETAIL_SIDE = 100


def face_detail(picture: Image.Image, box: BoundingBox) -> float:
    """How much detail the face at ``box`` has (variance of its Laplacian at 100×100 grey)."""
    w, h = picture.size
    region = (
        int(box.left * w),
        int(box.top * h),
        max(int(box.left * w) + 1, int((box.left + box.width) * w)),
        max(int(box.top * h) + 1, int((box.top + box.height) * h)),
    )
    grey = picture.crop(region).convert("L").resize((_DETAIL_SIDE, _DETAIL_SIDE), Image.Resampling.BILINEAR)
    a = np.asarray(grey, dtype=np.float32)
    laplacian = 4 * a[1:-1, 1:-1] - a[:-2, 1:-1] - a[2:, 1:-1] - a[1:-1, :-2] - a[1:-1, 2:]
    return float(laplacian.var())


def similarity(distance: float) -> float:
    """A distance as a 0–100 similarity like Rekognition's: 100 identical, 50 at the match threshold."""
    return round(max(0.0, 100.0 * (1.0 - distance / (2 * MATCH_DISTANCE))), 2)


@dataclass(frozen=True, slots=True)
class Stored:
    face_id: str
    photo_id: str
    vector: np.ndarray[Any, Any]


class DescriptorStore(Protocol):
    """Where descriptors live, one partition per owner."""

    def put(self, owner: str, faces: Sequence[Stored]) -> None: ...

    def all(self, owner: str) -> list[Stored]: ...

    def delete(self, owner: str, face_ids: Sequence[str]) -> None: ...


@dataclass
class MemoryDescriptors:
    """In one process (tests, the benchmark)."""

    owners: dict[str, dict[str, Stored]] = field(default_factory=dict)

    def put(self, owner: str, faces: Sequence[Stored]) -> None:
        self.owners.setdefault(owner, {}).update({face.face_id: face for face in faces})

    def all(self, owner: str) -> list[Stored]:
        return list(self.owners.get(owner, {}).values())

    def delete(self, owner: str, face_ids: Sequence[str]) -> None:
        for face_id in face_ids:
            self.owners.get(owner, {}).pop(face_id, None)


class TableDescriptors:
    """In the table on the emulator: pk ``LOCALFACES#<owner>``, sk the face id (a Query reads one owner's). Without
    a client, the function's own DynamoDB client and table are used, from the first call on."""

    def __init__(self, client: Any = None, table: str = "") -> None:
        self._given = (client, table)

    @functools.cached_property
    def _target(self) -> tuple[Any, str]:
        client, table = self._given
        if client is None:
            from photovault.adapters.clients import client as make_client
            from photovault.settings import get_settings

            client, table = make_client("dynamodb"), get_settings().table_name
        return client, table

    @property
    def _client(self) -> Any:
        return self._target[0]

    @property
    def _table(self) -> str:
        return self._target[1]

    @staticmethod
    def _pk(owner: str) -> dict[str, str]:
        return {"S": f"LOCALFACES#{owner}"}

    def put(self, owner: str, faces: Sequence[Stored]) -> None:
        for face in faces:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": self._pk(owner),
                    "sk": {"S": face.face_id},
                    "photo_id": {"S": face.photo_id},
                    "vector": {"B": face.vector.astype(np.float32).tobytes()},
                },
            )

    def all(self, owner: str) -> list[Stored]:
        found: list[Stored] = []
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": self._pk(owner)},
        }
        while True:
            page = self._client.query(**args)
            found += [
                Stored(item["sk"]["S"], item["photo_id"]["S"], np.frombuffer(item["vector"]["B"], dtype=np.float32))
                for item in page.get("Items", [])
            ]
            if not page.get("LastEvaluatedKey"):
                return found
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete(self, owner: str, face_ids: Sequence[str]) -> None:
        for face_id in face_ids:
            self._client.delete_item(TableName=self._table, Key={"pk": self._pk(owner), "sk": {"S": face_id}})


class DlibFaceIndex:
    """``FaceIndex`` for ``make run``: same port as the Rekognition collections adapter, answered by dlib."""

    name = "local-dlib"

    def __init__(self, store: DescriptorStore) -> None:
        self._store = store

    def index(self, owner: str, photo_id: str, image: bytes, *, max_faces: int) -> tuple[IndexedFace, ...]:
        picture = decode.open_rgb(image, faces.WORK_SIDE)
        described = [
            (face, vector)
            for face, vector in faces.describe(picture)
            if face_detail(picture, face.box) >= MIN_FACE_DETAIL
        ]
        described.sort(key=lambda pair: -pair[0].box.width * pair[0].box.height)  # biggest first, as Rekognition
        kept = [(str(uuid.uuid4()), face, vector) for face, vector in described[:max_faces]]
        self._store.put(owner, [Stored(face_id, photo_id, vector) for face_id, _, vector in kept])
        return tuple(IndexedFace(face_id, face.box, face.confidence) for face_id, face, _ in kept)

    def search(self, owner: str, face_id: str, *, limit: int) -> tuple[FaceMatch, ...]:
        stored = self._store.all(owner)
        probe = next((face for face in stored if face.face_id == face_id), None)
        if probe is None:
            return ()
        others = [face for face in stored if face.face_id != face_id]
        if not others:
            return ()
        distances = np.linalg.norm(np.stack([face.vector for face in others]) - probe.vector, axis=1)
        order = np.argsort(distances)[:limit]
        return tuple(
            FaceMatch(others[i].face_id, others[i].photo_id, similarity(float(distances[i])))
            for i in order
            if distances[i] < MATCH_DISTANCE
        )

    def remove(self, owner: str, face_ids: Sequence[str]) -> None:
        self._store.delete(owner, face_ids)

    def forget_owner(self, owner: str) -> int:
        face_ids = [face.face_id for face in self._store.all(owner)]
        self._store.delete(owner, face_ids)
        return len(face_ids)

    def warm_up(self) -> None:
        """Load the detector and the descriptor models now."""
        faces.load()
        faces.describe(decode.open_rgb(_BLANK_JPEG))


def _blank_jpeg() -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", (64, 64), "gray").save(out, "JPEG")
    return out.getvalue()


_BLANK_JPEG = _blank_jpeg()
