"""Trash, restore and delete forever on the emulator: a trashed photo leaves the timeline, search, facets, months,
favourites, albums and both kinds of links at once; a restore brings every one back; deleting for good and the
purge that follows (run here on the removed item, as the table's stream hands it over) leave nothing behind."""

from __future__ import annotations

from typing import Any

from photovault import composition, keys
from photovault.adapters.dynamodb.codec import deserialize, photo_from_item, serialize
from tests.integration.api.apitools import call, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo

OWNER = "trasher-0001"


def _query(stack: Stack, pk: str) -> list[dict[str, Any]]:
    response = stack.dynamodb.query(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=serialize({":pk": pk}),
        ConsistentRead=True,
    )
    return [deserialize(item) for item in response["Items"]]


def _everywhere(photo_id: str, album_id: str, token: str, album_token: str) -> dict[str, bool]:
    """Every place the photo shows: each must lose it when it is trashed and get it back when it is restored."""

    def ids(path: str, **query: str) -> list[str]:
        body = call("GET", path, sub=OWNER, query=query or None).json
        return [item["photo"]["id"] if "photo" in item else item["id"] for item in body["items"]]

    return {
        "timeline": photo_id in ids("/photos"),
        "date range": photo_id in ids("/photos", **{"from": "2023-07-01", "to": "2023-07-31"}),
        "favourites": photo_id in ids("/photos", favorite="true"),
        "search": photo_id in ids("/search", q="lighthouse"),
        "date search": photo_id in ids("/search", q="july 2023"),
        "facet": {"label": "Lighthouse", "count": 1} in call("GET", "/labels", sub=OWNER).json["items"],
        "month": {"month": "2023-07", "count": 1} in call("GET", "/photos/dates", sub=OWNER).json["items"],
        "album": photo_id in ids(f"/albums/{album_id}/photos"),
        "album count": call("GET", f"/albums/{album_id}", sub=OWNER).json["photo_count"] == 1,
        "photo link": call("GET", f"/public/shares/{token}").status == 200,
        "album link": len(call("GET", f"/public/albums/{album_token}").json["items"]) == 1,
        "renewable urls": bool(call("POST", "/media/urls", sub=OWNER, body={"photo_ids": [photo_id]}).json["items"]),
    }


def test_trash_hides_the_photo_everywhere_at_once_and_restore_brings_every_place_back(stack: Stack) -> None:
    # Given a favourite READY photo taken in July 2023, in an album, shared alone and through the album
    photo = make_photo(OWNER, labels=[("Lighthouse", 96.0)], caption="a lighthouse", taken_at="2023-07-14T20:00:00")
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    pid = photo.photo_id
    assert call("PUT", f"/photos/{pid}/favorite", sub=OWNER).status == 204
    album_id = call("POST", "/albums", sub=OWNER, body={"name": "Coast"}).json["id"]
    assert call("POST", f"/albums/{album_id}/photos", sub=OWNER, body={"photo_ids": [pid]}).json["ok"] == 1
    token = call("POST", f"/photos/{pid}/shares", sub=OWNER, body={"expires_in": 3600}).json["token"]
    album_token = call("POST", f"/albums/{album_id}/shares", sub=OWNER, body={"expires_in": 3600}).json["token"]
    before = _everywhere(pid, album_id, token, album_token)
    assert set(before.values()) == {True}, before

    # When the owner moves it to the trash
    assert call("DELETE", f"/photos/{pid}", sub=OWNER).status == 204
    # Then it is gone from every place at once — but renewing its URLs still works (the trash page shows it)
    trashed = _everywhere(pid, album_id, token, album_token)
    assert trashed.pop("renewable urls") and set(trashed.values()) == {False}, trashed
    assert _query(stack, keys.term_pk(OWNER, "lighthouse")) == []
    listed = call("GET", "/trash", sub=OWNER).json
    assert [p["id"] for p in listed["items"]] == [pid] and listed["retention_days"] == 30
    detail = call("GET", f"/photos/{pid}", sub=OWNER).json
    assert detail["trashed_at"] and detail["favorite"] and detail["neighbours"] == {"previous": None, "next": None}
    item = _query(stack, keys.user_pk(OWNER))
    stored = next(i for i in item if i["sk"] == keys.photo_sk(pid))
    assert stored["expires_at"] > 0 and stored["gsi3pk"] == keys.trash_gsi3pk(OWNER) and "gsi4pk" not in stored

    # When the owner restores it
    assert call("POST", f"/photos/{pid}/restore", sub=OWNER).status == 204
    # Then every place has it back, and the TTL is gone
    after = _everywhere(pid, album_id, token, album_token)
    assert set(after.values()) == {True}, after
    stored = next(i for i in _query(stack, keys.user_pk(OWNER)) if i["sk"] == keys.photo_sk(pid))
    assert "expires_at" not in stored and "trashed_at" not in stored


def test_delete_forever_and_the_purge_leave_no_version_item_term_or_count_behind(stack: Stack) -> None:
    # Given two READY photos with a shared label, objects in both buckets (two versions of the original), a share
    # and an album
    doomed = make_photo(OWNER, labels=[("Dog", 95.0), ("Golden Retriever", 90.0)], caption="a dog in the snow")
    kept = make_photo(OWNER, labels=[("Dog", 95.0)], caption="another dog")
    for photo in (doomed, kept):
        seed_through_pipeline(stack.dynamodb, stack.table, photo)
    original = keys.originals_key(OWNER, doomed.photo_id)
    stack.s3.put_object(Bucket=stack.originals, Key=original, Body=b"v1")
    stack.s3.put_object(Bucket=stack.originals, Key=original, Body=b"v2")
    stack.s3.put_object(Bucket=stack.originals, Key=original + "-not-this-one", Body=b"x")
    for kind in ("thumb", "preview"):
        stack.s3.put_object(Bucket=stack.derivatives, Key=keys.derivative_key(doomed, kind), Body=b"w")
    stack.s3.put_object(Bucket=stack.derivatives, Key=keys.derivative_key(kept, "thumb"), Body=b"w")
    token = call("POST", f"/photos/{doomed.photo_id}/shares", sub=OWNER, body={"expires_in": 600}).json["token"]
    album_id = call("POST", "/albums", sub=OWNER, body={"name": "Dogs"}).json["id"]
    both = {"photo_ids": [doomed.photo_id, kept.photo_id]}
    assert call("POST", f"/albums/{album_id}/photos", sub=OWNER, body=both).json["ok"] == 2
    assert doomed.facts is not None

    # When it is deleted for good without going through the trash: refused
    refused = call("DELETE", f"/trash/photos/{doomed.photo_id}", sub=OWNER)
    assert refused.status == 409 and refused.json["code"] == "not_in_trash"
    # When it is trashed, then deleted for good, and the purge runs on the removed item (twice: at least once)
    assert call("DELETE", f"/photos/{doomed.photo_id}", sub=OWNER).status == 204
    image = next(i for i in _query(stack, keys.user_pk(OWNER)) if i["sk"] == keys.photo_sk(doomed.photo_id))
    assert call("DELETE", f"/trash/photos/{doomed.photo_id}", sub=OWNER).status == 204
    for _ in range(2):
        composition.purge()(photo_from_item(image))

    # Then the item, terms, hash record, share and membership are gone; counters went down once; objects are gone
    assert call("GET", f"/photos/{doomed.photo_id}", sub=OWNER).status == 404
    for term in ("snow", "golden retriever", "retriever", "golden"):
        assert _query(stack, keys.term_pk(OWNER, term)) == []
    assert [i["photo_id"] for i in _query(stack, keys.term_pk(OWNER, "dog"))] == [kept.photo_id]
    assert _query(stack, keys.hash_pk(OWNER, doomed.facts.sha256)) == []
    assert _query(stack, keys.share_pk(token)) == []
    assert [i["photo_id"] for i in _query(stack, keys.membership_pk(OWNER, album_id))] == [kept.photo_id]
    assert call("GET", f"/albums/{album_id}", sub=OWNER).json["photo_count"] == 1
    labels = {f["label"]: f["count"] for f in call("GET", "/labels", sub=OWNER).json["items"]}
    assert labels == {"Dog": 1}
    assert call("GET", "/photos/dates", sub=OWNER).json == {"items": [{"month": "2024-03", "count": 1}], "total": 1}
    versions = stack.s3.list_object_versions(Bucket=stack.originals, Prefix=original)
    assert [v["Key"] for v in versions.get("Versions", [])] == [original + "-not-this-one"]
    assert not versions.get("DeleteMarkers")
    media = stack.s3.list_objects_v2(Bucket=stack.derivatives).get("Contents", [])
    assert [m["Key"] for m in media] == [keys.derivative_key(kept, "thumb")]
    assert call("GET", "/trash", sub=OWNER).json["items"] == []

    # And a second delete finds nothing and changes nothing
    assert call("DELETE", f"/trash/photos/{doomed.photo_id}", sub=OWNER).status == 404
    assert {f["label"]: f["count"] for f in call("GET", "/labels", sub=OWNER).json["items"]} == {"Dog": 1}


def test_someone_elses_trash_and_delete_change_nothing(stack: Stack) -> None:
    photo = make_photo(OWNER)
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    assert call("DELETE", f"/photos/{photo.photo_id}", sub="intruder-0002").status == 404
    assert call("DELETE", f"/photos/{photo.photo_id}", sub=OWNER).status == 204
    assert call("POST", f"/photos/{photo.photo_id}/restore", sub="intruder-0002").status == 404
    assert call("DELETE", f"/trash/photos/{photo.photo_id}", sub="intruder-0002").status == 404
    assert [p["id"] for p in call("GET", "/trash", sub=OWNER).json["items"]] == [photo.photo_id]
