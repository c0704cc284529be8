"""Every response with a media URL names the folder the photo's item records: ``media/<media_id>/`` for a photo
rendered with media ids, ``media/<sub>/<photo_id>/`` for one whose item was written before them."""

from __future__ import annotations

import dataclasses

import pytest

from photovault import keys
from photovault.adapters.dynamodb.codec import serialize
from photovault.model import Photo
from tests.integration.api.apitools import call, seed_through_pipeline, walk
from tests.integration.api.conftest import MEDIA_BASE, Stack
from tests.support.fakes import make_photo

OWNER = "media-keys-0001"


def _legacy(photo: Photo) -> Photo:
    """The photo as items were written before media ids: none recorded, derivatives keyed by owner and id."""
    old = dataclasses.replace(photo, media_id=None)
    old.derivatives = {
        kind: {**size, "key": keys.derivative_key(old, kind)} for kind, size in photo.derivatives.items()
    }
    return old


@pytest.mark.parametrize("shape", ["media id", "written before media ids"])
def test_every_reader_signs_the_keys_the_photos_item_records(stack: Stack, shape: str) -> None:
    # Given a READY photo in an album, shared on its own and through the album
    photo = make_photo(OWNER, labels=[("Lighthouse", 97.0)], caption="a lighthouse")
    if shape != "media id":
        photo = _legacy(photo)
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    item = stack.dynamodb.get_item(
        TableName=stack.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(photo.photo_id)})
    )["Item"]
    assert ("media_id" in item) is (shape == "media id")
    album = call("POST", "/albums", sub=OWNER, body={"name": "Coast"}).json["id"]
    assert call("POST", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": [photo.photo_id]}).status == 200
    share = call("POST", f"/photos/{photo.photo_id}/shares", sub=OWNER, body={"expires_in": 600}).json["token"]
    album_share = call("POST", f"/albums/{album}/shares", sub=OWNER, body={"expires_in": 600}).json["token"]
    # When each reader answers
    responses = {
        "gallery": call("GET", "/photos", sub=OWNER),
        "detail": call("GET", f"/photos/{photo.photo_id}", sub=OWNER),
        "search": call("GET", "/search", sub=OWNER, query={"q": "lighthouse"}),
        "album cover": call("GET", "/albums", sub=OWNER),
        "album photos": call("GET", f"/albums/{album}", sub=OWNER),
        "renewal": call("POST", "/media/urls", sub=OWNER, body={"photo_ids": [photo.photo_id]}),
        "public share": call("GET", f"/public/shares/{share}"),
        "public album": call("GET", f"/public/albums/{album_share}"),
    }
    # Then every media URL in every answer is of the folder the item records
    folder = f"{MEDIA_BASE}/{keys.photo_media_prefix(photo)}"
    for name, response in responses.items():
        assert response.status == 200, (name, response.text)
        urls = [s for s in walk(response.json) if s.startswith(f"{MEDIA_BASE}/media/")]
        assert urls and all(url.startswith(folder) for url in urls), (name, urls)
