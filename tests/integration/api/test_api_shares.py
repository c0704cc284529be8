"""Share links end to end on the emulator: a valid link gives a verifiable signed URL; a dead link gives nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from photovault import ids, keys
from photovault.adapters.cloudfront import verify_signed_url
from photovault.adapters.dynamodb.codec import serialize
from photovault.adapters.dynamodb.photos import DynamoPhotoRepository
from tests.integration.api.apitools import ApiResponse, assert_opaque, call, seed_through_pipeline
from tests.integration.api.conftest import MEDIA_BASE, Stack
from tests.support.fakes import make_photo

OWNER = "sharer-0001"
CAPTION = "grandma's secret garden party"


@pytest.fixture
def photo_id(stack: Stack) -> str:
    photo = make_photo(OWNER, caption=CAPTION, filename="garden.jpg")
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    return photo.photo_id


def _share(photo_id: str, **body: int) -> str:
    response = call("POST", f"/photos/{photo_id}/shares", sub=OWNER, body={"expires_in": 3600, **body})
    assert response.status == 201, response.text
    assert response.json["url"] == f"{MEDIA_BASE}/s/{response.json['token']}"  # the web app's page, a real path
    token: str = response.json["token"]
    assert len(token) >= 22  # ≥ 128 bits
    return token


def _assert_nothing_shown(response: ApiResponse, photo_id: str) -> None:
    assert response.status in (404, 410), response.text
    for secret in (photo_id, CAPTION, "garden", OWNER, "Signature", MEDIA_BASE):
        assert secret not in response.text


def test_a_valid_link_returns_the_caption_and_a_preview_url_that_verifies(stack: Stack, photo_id: str) -> None:
    # Given a share of the photo
    token = _share(photo_id)
    # When anyone opens it
    response = call("GET", f"/public/shares/{token}")
    # Then they get the caption and a preview URL signed for at most 5 minutes that CloudFront would accept
    assert response.status == 200, response.text
    body = response.json
    assert body["caption"] == CAPTION and set(body) == {"caption", "preview", "expires_at"}
    preview = body["preview"]
    assert set(preview) == {"url", "width", "height", "expires_at"}
    url = preview["url"]
    now = int(time.time())
    photo = DynamoPhotoRepository(stack.dynamodb, stack.table).get(OWNER, photo_id)
    assert photo is not None and photo.media_id is not None
    assert url.startswith(f"{MEDIA_BASE}/media/{photo.media_id}/preview.webp?")
    assert_opaque(response.text, OWNER, photo_id)
    assert preview["expires_at"] - now <= 60 and preview["expires_at"] <= body["expires_at"]
    assert verify_signed_url(url, stack.public_keys, now)
    # And the URL fails once its path or expiry is changed, or once it has expired
    assert not verify_signed_url(url.replace("preview.webp", "thumb.webp"), stack.public_keys, now)
    assert not verify_signed_url(url.replace(photo.media_id, ids.new_media_id()), stack.public_keys, now)
    expires = str(preview["expires_at"])
    assert not verify_signed_url(
        url.replace(f"Expires={expires}", f"Expires={int(expires) + 3600}"), stack.public_keys, now
    )
    assert not verify_signed_url(url, stack.public_keys, preview["expires_at"])


def test_a_link_over_its_view_limit_shows_nothing(stack: Stack, photo_id: str) -> None:
    token = _share(photo_id, max_views=2)
    assert call("GET", f"/public/shares/{token}").status == 200
    assert call("GET", f"/public/shares/{token}").status == 200
    _assert_nothing_shown(call("GET", f"/public/shares/{token}"), photo_id)
    listed = call("GET", "/shares", sub=OWNER).json["items"]
    assert [(s["views"], s["state"]) for s in listed] == [(2, "exhausted")]


def test_a_revoked_link_shows_nothing(stack: Stack, photo_id: str) -> None:
    token = _share(photo_id)
    assert call("DELETE", f"/shares/{token}", sub="intruder").status == 404
    assert call("GET", f"/public/shares/{token}").status == 200
    assert call("DELETE", f"/shares/{token}", sub=OWNER).status == 204
    assert call("DELETE", f"/shares/{token}", sub=OWNER).status == 204  # idempotent
    _assert_nothing_shown(call("GET", f"/public/shares/{token}"), photo_id)


def test_an_expired_link_shows_nothing(stack: Stack, photo_id: str) -> None:
    # Given a share whose expiry has passed (TTL deletion lags, so the item may still be there)
    token = _share(photo_id)
    stack.dynamodb.update_item(
        TableName=stack.table,
        Key=serialize({"pk": keys.share_pk(token), "sk": keys.SHARE_SK}),
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues=serialize({":past": int(time.time()) - 1}),
    )
    _assert_nothing_shown(call("GET", f"/public/shares/{token}"), photo_id)


@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[1:], lambda t: t + "x", lambda t: t.upper()],
    ids=["last-char", "shorter", "longer", "case"],
)
def test_a_tampered_token_shows_nothing(stack: Stack, photo_id: str, tamper: Callable[[str], str]) -> None:
    token = _share(photo_id)
    _assert_nothing_shown(call("GET", f"/public/shares/{tamper(token)}"), photo_id)


def test_a_trashed_photos_link_stops_at_once_and_works_again_after_restore(stack: Stack, photo_id: str) -> None:
    token = _share(photo_id)
    assert call("DELETE", f"/photos/{photo_id}", sub=OWNER).status == 204
    _assert_nothing_shown(call("GET", f"/public/shares/{token}"), photo_id)
    assert [s["token"] for s in call("GET", "/shares", sub=OWNER).json["items"]] == [token]  # revocable meanwhile
    assert call("POST", f"/photos/{photo_id}/restore", sub=OWNER).status == 204
    assert call("GET", f"/public/shares/{token}").status == 200


def test_a_quarantined_photo_cannot_be_shared(stack: Stack) -> None:
    from photovault.model import PhotoStatus

    photo = make_photo(OWNER, status=PhotoStatus.QUARANTINED)
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    response = call("POST", f"/photos/{photo.photo_id}/shares", sub=OWNER, body={"expires_in": 3600})
    assert response.status == 409 and response.json["code"] == "not_shareable"
