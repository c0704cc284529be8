"""Albums end to end on the emulator: an album link opened anonymously shows exactly the album's READY photos and
nothing else; a selection of 100 photos is one bounded, idempotent call."""

from __future__ import annotations

import time
from typing import Any

from photovault.adapters.cloudfront import verify_signed_url
from photovault.model import PhotoStatus
from tests.integration.api.apitools import (
    assert_documented,
    assert_opaque,
    bulk_seed,
    call,
    seed_through_pipeline,
    walk,
)
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo

OWNER = "albums-0001"


def _strings_outside_urls(body: Any) -> list[str]:
    """Every string of the body except the signed URLs themselves."""
    if isinstance(body, dict):
        return [s for k, v in body.items() if k != "url" for s in [k, *_strings_outside_urls(v)]]
    if isinstance(body, list):
        return [s for v in body for s in _strings_outside_urls(v)]
    return [body] if isinstance(body, str) else []


def test_an_album_link_opened_anonymously_shows_exactly_the_albums_ready_photos(stack: Stack) -> None:
    # Given an album with two READY photos (one with GPS, camera and a revealing name), plus a member that is then
    # trashed; and outside the album: another READY photo, a REJECTED and a DUPLICATE upload
    inside = [
        make_photo(OWNER, caption="the harbour at dawn", filename="IMG_gps_home.jpg", taken_at="2023-06-01T06:00:00"),
        make_photo(OWNER, caption="boats", filename="boats-secret.jpg", taken_at="2023-06-02T06:00:00"),
    ]
    trashed = make_photo(OWNER, caption="trashed boat", taken_at="2023-06-03T06:00:00")
    outside = [
        make_photo(OWNER, caption="not in the album"),
        make_photo(OWNER, caption="rejected", status=PhotoStatus.REJECTED),
        make_photo(OWNER, caption="duplicate", status=PhotoStatus.DUPLICATE),
    ]
    for photo in (*inside, trashed, *outside):
        seed_through_pipeline(stack.dynamodb, stack.table, photo)
    album = call("POST", "/albums", sub=OWNER, body={"name": "Harbour"}).json["id"]
    every = [p.photo_id for p in (*inside, trashed, *outside)]
    added = call("POST", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": every})
    assert [r["result"] for r in added.json["results"]] == ["ok", "ok", "ok", "ok", "conflict", "conflict"]
    assert call("POST", f"/albums/{album}/photos/../../photos/{outside[0].photo_id}", sub=OWNER).status in (404, 405)
    call("DELETE", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": [outside[0].photo_id]})
    assert call("DELETE", f"/photos/{trashed.photo_id}", sub=OWNER).status == 204
    token = call("POST", f"/albums/{album}/shares", sub=OWNER, body={"expires_in": 3600, "max_views": 5}).json["token"]

    # When anyone opens the link, without signing in
    response = call("GET", f"/public/albums/{token}")
    assert_documented("GET", "/public/albums/{token}", response)
    body = response.json
    # Then it shows the title and exactly the two READY album photos, oldest first, with their captions
    assert body["title"] == "Harbour" and body["cursor"] is None
    assert [item["caption"] for item in body["items"]] == ["the harbour at dawn", "boats"]
    # And each URL is a CloudFront-signed URL of that photo's derivative, valid at most 5 minutes
    now = int(time.time())
    for item, photo in zip(body["items"], inside, strict=True):
        for kind in ("thumb", "preview"):
            assert f"/media/{photo.media_id}/{kind}.webp?" in item[kind]["url"]
            assert verify_signed_url(item[kind]["url"], stack.public_keys, now)
            assert item[kind]["expires_at"] - now <= 300
    # And nothing else leaks outside the URLs: no file name, date, camera, GPS or other photo
    seen = " ".join(_strings_outside_urls(body))
    secrets = ["2023", "IMG_gps_home", "boats-secret", "not in the album", "trashed boat", "rejected"]
    assert [s for s in secrets if s in seen] == []
    # And nothing anywhere in the body, URLs included, names the owner, a photo or the album
    assert_opaque(response.text, OWNER, album, *(p.photo_id for p in (*inside, trashed, *outside)))
    assert set(walk(body)) & {"taken_at", "filename", "location", "camera", "id", "owner", "photo_id"} == set()
    # And the owner sees the view counted, on the share listed with its kind
    listed = call("GET", "/shares", sub=OWNER).json["items"]
    assert [(s["kind"], s["album_id"], s["photo_id"], s["views"]) for s in listed] == [("album", album, None, 1)]


def test_an_album_link_counts_openings_and_ends_with_revoke(stack: Stack) -> None:
    photo = make_photo(OWNER, caption="a lonely lighthouse")
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    album = call("POST", "/albums", sub=OWNER, body={"name": "Once"}).json["id"]
    call("POST", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": [photo.photo_id]})
    token = call("POST", f"/albums/{album}/shares", sub=OWNER, body={"expires_in": 3600, "max_views": 1}).json["token"]
    assert call("GET", f"/public/albums/{token}").status == 200
    assert call("GET", f"/public/albums/{token}").status == 410
    second = call("POST", f"/albums/{album}/shares", sub=OWNER, body={"expires_in": 3600}).json["token"]
    assert call("DELETE", f"/shares/{second}", sub=OWNER).status == 204
    gone = call("GET", f"/public/albums/{second}")
    assert gone.status == 410 and "lighthouse" not in gone.text
    assert call("GET", f"/public/albums/{photo.photo_id}").status == 404  # not a token


def test_a_hundred_photos_are_favourited_added_to_an_album_and_trashed_in_one_call_each(stack: Stack) -> None:
    # Given 100 READY photos
    # (no labels or caption: the emulator copies the whole table for every transaction, so keep it small)
    photos = [
        make_photo(
            OWNER, labels=[], caption="", now_ms=1_700_000_000_000 + i, taken_at=f"2022-05-{1 + i % 28:02d}T10:00"
        )
        for i in range(100)
    ]
    bulk_seed(stack.dynamodb, stack.table, photos)
    ids = [p.photo_id for p in photos]
    album = call("POST", "/albums", sub=OWNER, body={"name": "Hundred"}).json["id"]
    # When each action is sent once for all 100, and the album addition is retried
    for action, extra in (
        ("favorite", {}),
        ("add_to_album", {"album_id": album}),
        ("add_to_album", {"album_id": album}),
    ):
        response = call("POST", "/photos/actions", sub=OWNER, body={"action": action, "photo_ids": ids, **extra})
        assert_documented("POST", "/photos/actions", response)
        # Then every photo has its result, in order
        assert response.json["ok"] == 100 and [r["id"] for r in response.json["results"]] == ids
    assert call("GET", f"/albums/{album}", sub=OWNER).json["photo_count"] == 100
    assert len(call("GET", "/photos", sub=OWNER, query={"favorite": "true", "limit": "100"}).json["items"]) == 100
    trashed = call("POST", "/photos/actions", sub=OWNER, body={"action": "trash", "photo_ids": ids})
    assert trashed.json["ok"] == 100
    assert call("GET", f"/albums/{album}", sub=OWNER).json["photo_count"] == 0
    assert call("GET", "/photos/dates", sub=OWNER).json == {"items": [], "total": 0}
    # And more than 100 ids is refused before anything is done
    too_many = call("POST", "/photos/actions", sub=OWNER, body={"action": "restore", "photo_ids": [*ids, "x"]})
    assert too_many.status == 400 and too_many.json["details"]["field"] == "body.photo_ids"
