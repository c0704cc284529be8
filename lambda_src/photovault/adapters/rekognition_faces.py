"""Amazon Rekognition face collections as the ``FaceIndex``: one collection per owner, created on first use.

Why one per owner: SearchFaces compares only within the collection it is given, and the collection id is derived
here from the owner alone (``<prefix>-<owner>``), so no request can name a face of another user — a match across
two users is impossible by construction, not by filtering. The owner is checked to be a Cognito ``sub`` (a UUID),
so it can never add characters that would point at another collection; the IAM policy limits the functions to
collections under the environment's prefix (``collection/<prefix>-*``).

Prices (us-east-1, first million a month): IndexFaces and SearchFaces $0.001 a call each, plus $0.00001 per face
stored per month; a photo with n faces costs one IndexFaces and n SearchFaces: $0.001 × (1 + n)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from photovault.adapters.aws import call_aws, error_code
from photovault.adapters.rekognition import face_box
from photovault.ports import FaceMatch, IndexedFace

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

_OWNER = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Rekognition's own default; lower groups look-alikes (siblings), higher splits one person across lighting.
MATCH_THRESHOLD = 90.0
_DELETE_BATCH = 4096  # DeleteFaces takes at most this many ids


def collection_id(prefix: str, owner: str) -> str:
    """The owner's collection: ``<prefix>-<sub>``. Raises ValueError for anything but a Cognito sub."""
    if not _OWNER.match(owner):
        raise ValueError("a face collection is named after a Cognito sub (a UUID)")
    return f"{prefix}-{owner.lower()}"


class RekognitionFaceIndex:
    name = "rekognition-collections"

    def __init__(self, client: RekognitionClient, *, prefix: str, threshold: float = MATCH_THRESHOLD) -> None:
        self._client = client
        self._prefix = prefix
        self._threshold = threshold

    def index(self, owner: str, photo_id: str, image: bytes, *, max_faces: int) -> tuple[IndexedFace, ...]:
        collection = collection_id(self._prefix, owner)

        def index_faces() -> Any:
            return self._client.index_faces(
                CollectionId=collection,
                Image={"Bytes": image},
                ExternalImageId=photo_id,
                MaxFaces=max_faces,
                QualityFilter="AUTO",
                DetectionAttributes=["DEFAULT"],
            )

        try:
            response = call_aws(index_faces, "Rekognition")
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            self._create(collection)
            response = call_aws(index_faces, "Rekognition")
        return tuple(
            IndexedFace(
                face_id=str(record["Face"]["FaceId"]),
                box=face_box(record["Face"].get("BoundingBox")),
                confidence=float(record["Face"].get("Confidence", 0.0)),
            )
            for record in response.get("FaceRecords", [])
        )

    def search(self, owner: str, face_id: str, *, limit: int) -> tuple[FaceMatch, ...]:
        response = call_aws(
            lambda: self._client.search_faces(
                CollectionId=collection_id(self._prefix, owner),
                FaceId=face_id,
                MaxFaces=limit,
                FaceMatchThreshold=self._threshold,
            ),
            "Rekognition",
        )
        return tuple(
            FaceMatch(
                face_id=str(match["Face"]["FaceId"]),
                photo_id=str(match["Face"].get("ExternalImageId", "")),
                similarity=float(match.get("Similarity", 0.0)),
            )
            for match in response.get("FaceMatches", [])
        )

    def remove(self, owner: str, face_ids: Sequence[str]) -> None:
        collection = collection_id(self._prefix, owner)
        for start in range(0, len(face_ids), _DELETE_BATCH):
            batch = list(face_ids[start : start + _DELETE_BATCH])
            try:
                call_aws(
                    lambda batch=batch: self._client.delete_faces(CollectionId=collection, FaceIds=batch),  # type: ignore[misc]
                    "Rekognition",
                )
            except ClientError as exc:
                if error_code(exc) != "ResourceNotFoundException":  # no collection: nothing to remove
                    raise

    def forget_owner(self, owner: str) -> int:
        """The owner's whole collection goes (1), or there was none (0)."""
        collection = collection_id(self._prefix, owner)
        try:
            call_aws(lambda: self._client.delete_collection(CollectionId=collection), "Rekognition")
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
            return 0
        return 1

    def _create(self, collection: str) -> None:
        try:
            call_aws(lambda: self._client.create_collection(CollectionId=collection), "Rekognition")
        except ClientError as exc:
            if error_code(exc) != "ResourceAlreadyExistsException":  # a concurrent first photo created it
                raise
