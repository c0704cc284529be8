"""The Rekognition face-collection adapter, its requests checked against botocore's service model (Stubber
validates every parameter and response shape): one collection per owner, created on first use, never another's."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from photovault.adapters.rekognition_faces import RekognitionFaceIndex, collection_id
from photovault.errors import Throttled

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
PREFIX = "photovault-dev-faces"
FACE = "aaaaaaaa-0000-4000-8000-000000000001"
OTHER = "aaaaaaaa-0000-4000-8000-000000000002"


@pytest.fixture
def stubbed() -> Iterator[tuple[RekognitionFaceIndex, Stubber]]:
    client = boto3.client("rekognition", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield RekognitionFaceIndex(client, prefix=PREFIX), stubber
        stubber.assert_no_pending_responses()


def _index_response() -> dict[str, object]:
    box = {"Width": 0.2, "Height": 0.25, "Left": 0.3, "Top": 0.1}
    return {
        "FaceRecords": [{"Face": {"FaceId": FACE, "BoundingBox": box, "ImageId": FACE, "Confidence": 99.9}}],
        "FaceModelVersion": "7.0",
    }


def test_index_creates_the_owners_collection_on_first_use_and_indexes_into_it(stubbed) -> None:  # type: ignore[no-untyped-def]
    index, stubber = stubbed
    request = {
        "CollectionId": f"{PREFIX}-{ALICE}",
        "Image": {"Bytes": b"jpeg"},
        "ExternalImageId": "photo-1",
        "MaxFaces": 15,
        "QualityFilter": "AUTO",
        "DetectionAttributes": ["DEFAULT"],
    }
    stubber.add_client_error("index_faces", "ResourceNotFoundException", expected_params=request)
    stubber.add_response("create_collection", {"StatusCode": 200}, {"CollectionId": f"{PREFIX}-{ALICE}"})
    stubber.add_response("index_faces", _index_response(), request)

    (face,) = index.index(ALICE, "photo-1", b"jpeg", max_faces=15)

    assert face.face_id == FACE and face.box.left == pytest.approx(0.3) and face.confidence > 99


def test_search_looks_only_in_the_callers_collection(stubbed) -> None:  # type: ignore[no-untyped-def]
    index, stubber = stubbed
    match = {"Similarity": 97.5, "Face": {"FaceId": OTHER, "ExternalImageId": "photo-0", "Confidence": 99.0}}
    for owner in (ALICE, BOB):
        stubber.add_response(
            "search_faces",
            {"FaceMatches": [match] if owner == ALICE else [], "SearchedFaceId": FACE},
            {"CollectionId": f"{PREFIX}-{owner}", "FaceId": FACE, "MaxFaces": 20, "FaceMatchThreshold": 90.0},
        )

    assert [(m.face_id, m.photo_id) for m in index.search(ALICE, FACE, limit=20)] == [(OTHER, "photo-0")]
    assert index.search(BOB, FACE, limit=20) == ()  # Bob's collection: Alice's faces are not in it


def test_remove_deletes_from_the_owners_collection_and_a_missing_collection_is_nothing_to_remove(stubbed) -> None:  # type: ignore[no-untyped-def]
    index, stubber = stubbed
    stubber.add_response(
        "delete_faces", {"DeletedFaces": [FACE]}, {"CollectionId": f"{PREFIX}-{ALICE}", "FaceIds": [FACE]}
    )
    stubber.add_client_error(
        "delete_faces",
        "ResourceNotFoundException",
        expected_params={"CollectionId": f"{PREFIX}-{BOB}", "FaceIds": [FACE]},
    )

    index.remove(ALICE, [FACE])
    index.remove(BOB, [FACE])


def test_forgetting_an_owner_deletes_only_that_owners_collection_and_a_missing_one_is_nothing(stubbed) -> None:  # type: ignore[no-untyped-def]
    index, stubber = stubbed
    stubber.add_response("delete_collection", {"StatusCode": 200}, {"CollectionId": f"{PREFIX}-{ALICE}"})
    stubber.add_client_error(
        "delete_collection", "ResourceNotFoundException", expected_params={"CollectionId": f"{PREFIX}-{BOB}"}
    )

    assert index.forget_owner(ALICE) == 1
    assert index.forget_owner(BOB) == 0
    stubber.assert_no_pending_responses()


def test_throttling_leaves_as_the_domains_retryable_error(stubbed) -> None:  # type: ignore[no-untyped-def]
    index, stubber = stubbed
    stubber.add_client_error("search_faces", "ProvisionedThroughputExceededException")

    with pytest.raises(Throttled):
        index.search(ALICE, FACE, limit=5)


@pytest.mark.parametrize("owner", ["", "alice", f"{ALICE}/../{BOB}", f"{ALICE}-x", "*"])
def test_a_collection_is_only_ever_named_after_a_cognito_sub(owner: str) -> None:
    with pytest.raises(ValueError, match="Cognito sub"):
        collection_id(PREFIX, owner)
    assert collection_id(PREFIX, ALICE) != collection_id(PREFIX, BOB)
