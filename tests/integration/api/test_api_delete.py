"""DELETE /photos/{id}: the original (every version), derivatives, terms, hash record, facets and shares go."""

from __future__ import annotations

from typing import Any

from photovault import keys
from photovault.adapters.dynamodb import deserialize, serialize
from tests.integration.api.apitools import call, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.unit.api.fakes import make_photo

OWNER = "deleter-0001"


def _query(stack: Stack, pk: str) -> list[dict[str, Any]]:
    response = stack.dynamodb.query(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=serialize({":pk": pk}),
        ConsistentRead=True,
    )
    return [deserialize(item) for item in response["Items"]]


def test_delete_removes_everything_of_the_photo_once(stack: Stack) -> None:
    # Given two READY photos with a shared label, objects in both buckets (two versions of the original) and a share
    doomed = make_photo(OWNER, labels=[("Dog", 95.0), ("Golden Retriever", 90.0)], caption="a dog in the snow")
    kept = make_photo(OWNER, labels=[("Dog", 95.0)], caption="another dog")
    for photo in (doomed, kept):
        seed_through_pipeline(stack.dynamodb, stack.table, photo)
    original = keys.originals_key(OWNER, doomed.photo_id)
    stack.s3.put_object(Bucket=stack.originals, Key=original, Body=b"v1")
    stack.s3.put_object(Bucket=stack.originals, Key=original, Body=b"v2")
    stack.s3.put_object(Bucket=stack.originals, Key=original + "-not-this-one", Body=b"x")
    for kind in ("thumb", "preview"):
        stack.s3.put_object(Bucket=stack.derivatives, Key=keys.derivative_key(OWNER, doomed.photo_id, kind), Body=b"w")
    stack.s3.put_object(Bucket=stack.derivatives, Key=keys.derivative_key(OWNER, kept.photo_id, "thumb"), Body=b"w")
    token = call("POST", f"/photos/{doomed.photo_id}/shares", sub=OWNER, body={"expires_in": 600}).json["token"]
    assert doomed.facts is not None
    assert _query(stack, keys.term_pk(OWNER, "snow")) and _query(stack, keys.hash_pk(OWNER, doomed.facts.sha256))

    # When the owner deletes it
    response = call("DELETE", f"/photos/{doomed.photo_id}", sub=OWNER)

    # Then the photo, its terms, hash record and share are gone; facets went down by one; objects are gone for good
    assert response.status == 204 and response.text == ""
    assert call("GET", f"/photos/{doomed.photo_id}", sub=OWNER).status == 404
    for term in ("snow", "golden retriever", "retriever", "golden"):
        assert _query(stack, keys.term_pk(OWNER, term)) == []
    assert [i["photo_id"] for i in _query(stack, keys.term_pk(OWNER, "dog"))] == [kept.photo_id]
    assert _query(stack, keys.hash_pk(OWNER, doomed.facts.sha256)) == []
    assert _query(stack, keys.share_pk(token)) == []
    labels = {f["label"]: f["count"] for f in call("GET", "/labels", sub=OWNER).json["items"]}
    assert labels == {"Dog": 1}
    versions = stack.s3.list_object_versions(Bucket=stack.originals, Prefix=original)
    assert [v["Key"] for v in versions.get("Versions", [])] == [original + "-not-this-one"]
    assert not versions.get("DeleteMarkers")
    media = stack.s3.list_objects_v2(Bucket=stack.derivatives).get("Contents", [])
    assert [m["Key"] for m in media] == [keys.derivative_key(OWNER, kept.photo_id, "thumb")]

    # And a second DELETE finds nothing and changes nothing
    assert call("DELETE", f"/photos/{doomed.photo_id}", sub=OWNER).status == 404
    assert {f["label"]: f["count"] for f in call("GET", "/labels", sub=OWNER).json["items"]} == {"Dog": 1}
    assert call("GET", "/search", sub=OWNER, query={"q": "dog"}).json["items"][0]["photo"]["photo_id"] == kept.photo_id


def test_someone_elses_delete_removes_nothing(stack: Stack) -> None:
    photo = make_photo(OWNER)
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    stack.s3.put_object(Bucket=stack.originals, Key=keys.originals_key(OWNER, photo.photo_id), Body=b"v1")
    assert call("DELETE", f"/photos/{photo.photo_id}", sub="intruder-0002").status == 404
    assert call("GET", f"/photos/{photo.photo_id}", sub=OWNER).status == 200
    assert stack.s3.list_objects_v2(Bucket=stack.originals)["KeyCount"] == 1
