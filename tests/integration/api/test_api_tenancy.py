"""Tenancy matrix: every route × {owner, another signed-in user, anonymous}. Only the owner gets the owner's data,
and every answer is exactly what docs/openapi.json documents for it: no field outside the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from photovault import keys
from photovault.adapters.dynamodb.people import DynamoPeopleRepository
from photovault.api.app import openapi_json, route_table
from photovault.model import BoundingBox, Photo, Place
from photovault.people.model import Person, PersonFace
from photovault.people.service import face_ref
from tests.integration.api.apitools import ApiResponse, assert_documented, call, invoke, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.support.events import http_event
from tests.support.fakes import make_photo

OWNER, INTRUDER = "alice-0001", "bob-0002"
SECRET_FILENAME = "alice-private-lighthouse.jpg"
SECRET_CAPTION = "alice walks past the zanzibar lighthouse"
SECRET_ALBUM = "alice's secret zanzibar album"
SECRET_ADDRESS = "alice.zanzibar@example.com"
# Where the owner's photo was taken: private to her (GET /map, GET /places, her photo's detail), never in a share.
SECRET_GPS = (-6.16394, 39.18793)
SECRET_PLACE = Place(city="Mkokotoni", region="Zanzibar North", country="Tanzania", country_code="TZ")
SECRET_PERSON = "Zanzibar Lighthouse Keeper"
PUBLIC = {("GET", "/health"), ("GET", "/public/shares/{token}"), ("GET", "/public/albums/{token}")}


@dataclass(frozen=True)
class Owned:
    photo_id: str  # READY, a favourite, in the album, shared
    trashed_id: str  # in the trash
    album_id: str
    token: str  # the photo's share
    album_token: str  # the album's share
    job_id: str  # a download of the photo
    person_id: str  # named, a face in the photo
    other_person_id: str  # another face in the photo (merged into the first by the merge route)
    face_id: str  # the person's face, as the API names it


BODIES: dict[tuple[str, str], Callable[[Owned], Any]] = {
    ("POST", "/uploads"): lambda _: {"filename": "new.jpg", "content_type": "image/jpeg", "size": 1234},
    ("POST", "/photos/{photo_id}/shares"): lambda _: {"expires_in": 3600, "max_views": 3},
    ("POST", "/photos/actions"): lambda o: {"action": "favorite", "photo_ids": [o.photo_id]},
    ("POST", "/media/urls"): lambda o: {"photo_ids": [o.photo_id]},
    ("POST", "/albums"): lambda _: {"name": "Another album"},
    ("PATCH", "/albums/{album_id}"): lambda _: {"name": "Renamed"},
    ("POST", "/albums/{album_id}/photos"): lambda o: {"photo_ids": [o.photo_id]},
    ("DELETE", "/albums/{album_id}/photos"): lambda o: {"photo_ids": [o.photo_id]},
    ("POST", "/albums/{album_id}/shares"): lambda _: {"expires_in": 3600},
    # The owner's photo in anyone's download: an intruder's job is accepted and finds nothing of the owner's.
    ("POST", "/jobs"): lambda o: {"kind": "download", "photo_ids": [o.photo_id]},
    # Signing out everywhere is the caller's own: an intruder's sign-out leaves the owner signed in (checked below).
    ("POST", "/account/sign-out-everywhere"): lambda _: {},
    # Opting out is the caller's own: an intruder's leaves the owner's subscription in place (checked below).
    ("PUT", "/account/notifications"): lambda _: {"email": False},
    ("PATCH", "/people/{person_id}"): lambda _: {"name": "Renamed"},
    ("POST", "/people/{person_id}/merge"): lambda o: {"person_id": o.other_person_id},
    # So is deleting one's account: an intruder's deletion seals only the intruder (the owner's checks below pass).
    ("POST", "/account/deletion"): lambda _: {"confirm": "DELETE"},
}
QUERIES: dict[tuple[str, str], dict[str, str]] = {("GET", "/search"): {"q": "zanzibar lighthouse"}}
# Routes whose body names the owner's photo: the id the caller sent may come back (as not_found), nothing else.
ECHOED = {("POST", "/photos/actions")}
# What the owner must really see in the answer (the photo, or the trashed one, or the album).
SEES: dict[tuple[str, str], Callable[[Owned], str]] = {
    ("GET", "/photos"): lambda o: o.photo_id,
    ("GET", "/search"): lambda o: o.photo_id,
    ("GET", "/photos/{photo_id}"): lambda o: o.photo_id,
    ("GET", "/trash"): lambda o: o.trashed_id,
    ("GET", "/albums"): lambda o: o.album_id,
    ("GET", "/albums/{album_id}"): lambda o: o.album_id,
    ("GET", "/albums/{album_id}/photos"): lambda o: o.photo_id,
    ("POST", "/media/urls"): lambda o: o.photo_id,
    ("GET", "/shares"): lambda o: o.album_token,
    ("GET", "/map"): lambda o: o.photo_id,
    ("GET", "/places"): lambda _: SECRET_PLACE.city,
    ("GET", "/people"): lambda o: o.person_id,
    ("GET", "/people/{person_id}/faces"): lambda o: o.face_id,
}


def _operations() -> list[tuple[str, str]]:
    document = json.loads(openapi_json())
    return sorted((method.upper(), path) for path, ops in document["paths"].items() for method in ops)


ROUTES = [op for op in _operations() if op not in PUBLIC]


def test_the_matrix_covers_every_route_of_the_resolver() -> None:
    # Every route registered on the resolver (bar the document itself) is in the generated OpenAPI paths.
    registered = {(route.method, re.sub(r"<(\w+)>", r"{\1}", route.path)) for route in route_table()}
    documented = set(_operations())
    assert documented == {r for r in registered if r[1] != "/openapi.json"}
    assert documented >= PUBLIC and len(ROUTES) >= 29
    # And every route has what the matrix needs to call it validly: a body where it takes one
    document = json.loads(openapi_json())
    takes_body = {
        (m.upper(), p) for p, ops in document["paths"].items() for m, op in ops.items() if "requestBody" in op
    }
    assert takes_body == set(BODIES)


@pytest.fixture
def owned(stack: Stack) -> Owned:
    """Alice's library: a favourite READY photo in an album, shared on its own and through the album, and a photo
    in the trash."""
    photo = make_photo(
        OWNER,
        filename=SECRET_FILENAME,
        caption=SECRET_CAPTION,
        labels=[("Lighthouse", 97.0)],
        gps=SECRET_GPS,
        place=SECRET_PLACE,
    )
    trashed = make_photo(OWNER, filename=SECRET_FILENAME, caption=SECRET_CAPTION)
    for seeded in (photo, trashed):
        seed_through_pipeline(stack.dynamodb, stack.table, seeded)
    assert call("DELETE", f"/photos/{trashed.photo_id}", sub=OWNER).status == 204
    assert call("PUT", f"/photos/{photo.photo_id}/favorite", sub=OWNER).status == 204
    album = call("POST", "/albums", sub=OWNER, body={"name": SECRET_ALBUM}).json["id"]
    added = call("POST", f"/albums/{album}/photos", sub=OWNER, body={"photo_ids": [photo.photo_id]})
    assert added.json["ok"] == 1
    created = call("POST", f"/photos/{photo.photo_id}/shares", sub=OWNER, body={"expires_in": 3600})
    shared = call("POST", f"/albums/{album}/shares", sub=OWNER, body={"expires_in": 3600})
    assert created.status == shared.status == 201
    job = call("POST", "/jobs", sub=OWNER, body={"kind": "download", "photo_ids": [photo.photo_id]})
    assert job.status == 202
    assert opt_in(OWNER, SECRET_ADDRESS).json == {"email": True, "address": SECRET_ADDRESS}
    person, other, face = _seed_people(stack, photo)
    return Owned(
        photo.photo_id,
        trashed.photo_id,
        album,
        created.json["token"],
        shared.json["token"],
        job.json["id"],
        person,
        other,
        face,
    )


def _seed_people(stack: Stack, photo: Photo) -> tuple[str, str, str]:
    """Two faces in the photo, each its own person (as the worker's people step records them); the first named."""
    repo = DynamoPeopleRepository(stack.dynamodb, stack.table)
    faces = [
        PersonFace(
            OWNER,
            f"face-{n}",
            photo.photo_id,
            f"{n}" * 32,
            BoundingBox(0.1 + n / 4, 0.2, 0.1, 0.1),
            99.0,
            keys.face_crop_key(photo, f"face-{n}"),
            keys.taken_sort(photo),
        )
        for n in (1, 2)
    ]
    repo.add(faces, [Person(OWNER, face.person_id, cover_key=face.crop_key) for face in faces])
    assert repo.rename(OWNER, faces[0].person_id, SECRET_PERSON) is not None
    return faces[0].person_id, faces[1].person_id, face_ref(faces[0])


def opt_in(sub: str, address: str) -> ApiResponse:
    """The e-mail digest turned on with an ID token (the one that carries the account's e-mail)."""
    event = http_event("PUT", "/account/notifications", sub=sub, body={"email": True})
    event["requestContext"]["authorizer"]["jwt"]["claims"].update(email=address, token_use="id")
    return invoke(event)


def _request(method: str, path: str, owned: Owned, sub: str | None) -> ApiResponse:
    photo_id = owned.trashed_id if path.startswith("/trash/") else owned.photo_id
    token = owned.album_token if path.startswith("/public/albums/") else owned.token
    concrete = path.replace("{photo_id}", photo_id).replace("{album_id}", owned.album_id).replace("{token}", token)
    concrete = concrete.replace("{job_id}", owned.job_id).replace("{person_id}", owned.person_id)
    concrete = concrete.replace("{face_id}", owned.face_id)
    body = BODIES[(method, path)](owned) if (method, path) in BODIES else None
    response = call(method, concrete, sub=sub, body=body, query=QUERIES.get((method, path)))
    assert_documented(method, path, response)
    return response


def _assert_no_leak(response: ApiResponse, owned: Owned, *, echoed: bool = False) -> None:
    secrets = [owned.trashed_id, owned.album_id, owned.token, owned.album_token, SECRET_FILENAME, SECRET_CAPTION]
    secrets += [SECRET_ALBUM, SECRET_ADDRESS, OWNER, SECRET_PLACE.city, SECRET_PLACE.region, str(SECRET_GPS[0])]
    secrets += [SECRET_ALBUM, SECRET_PERSON, OWNER, owned.person_id, owned.other_person_id, owned.face_id]
    secrets += [] if echoed else [owned.photo_id]
    for secret in secrets:
        assert secret.lower() not in response.text.lower(), f"{secret!r} leaked: {response.text[:300]}"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_the_owner_succeeds(stack: Stack, owned: Owned, method: str, path: str) -> None:
    response = _request(method, path, owned, OWNER)
    assert 200 <= response.status < 300, response.text
    if (method, path) in SEES:
        assert SEES[(method, path)](owned) in response.text  # the owner really sees the photo, album or link


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_signed_in_user_gets_404_or_only_their_own_empty_data(
    stack: Stack, owned: Owned, method: str, path: str
) -> None:
    response = _request(method, path, owned, INTRUDER)
    if "{" in path:
        assert response.status == 404, response.text
    else:
        assert 200 <= response.status < 300, response.text  # collections answer with the caller's own data
    if (method, path) in ECHOED:
        assert {r["result"] for r in response.json["results"]} == {"not_found"}
    _assert_no_leak(response, owned, echoed=(method, path) in ECHOED)
    # And the owner's photo, album and links are untouched
    detail = _request("GET", "/photos/{photo_id}", owned, OWNER).json
    assert detail["favorite"] is True and detail["albums"] == [{"id": owned.album_id, "name": SECRET_ALBUM}]
    assert _request("GET", "/albums/{album_id}", owned, OWNER).json["photo_count"] == 1
    assert _request("GET", "/public/shares/{token}", owned, None).status == 200
    assert len(_request("GET", "/public/albums/{token}", owned, None).json["items"]) == 1
    assert call("GET", "/trash", sub=OWNER).json["items"][0]["id"] == owned.trashed_id
    assert call("GET", "/account/notifications", sub=OWNER).json == {"email": True, "address": SECRET_ADDRESS}


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_an_anonymous_caller_gets_401(stack: Stack, owned: Owned, method: str, path: str) -> None:
    response = _request(method, path, owned, None)
    assert response.status == 401, response.text
    assert response.json["code"] == "unauthorized"
    _assert_no_leak(response, owned)


@pytest.mark.parametrize("claims", [{}, {"sub": ""}, {"sub": "a#b"}, {"username": OWNER}])
def test_claims_without_a_usable_sub_are_401(stack: Stack, owned: Owned, claims: dict[str, str]) -> None:
    event = http_event("GET", "/photos", sub=OWNER)
    event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    response = invoke(event)
    assert_documented("GET", "/photos", response)
    assert response.status == 401
    _assert_no_leak(response, owned)


def test_a_user_id_in_the_request_is_never_honoured(stack: Stack, owned: Owned) -> None:
    # A header naming the owner changes nothing: the JWT sub decides
    response = call("GET", "/photos", sub=INTRUDER, headers={"x-user-id": OWNER, "x-owner": OWNER})
    assert response.status == 200 and response.json["items"] == []
    # And a query parameter the route does not declare is refused rather than silently ignored
    response = call("GET", "/photos", sub=INTRUDER, query={"owner": OWNER})
    assert response.status == 400 and response.json["details"]["field"] == "query.owner"
    _assert_no_leak(response, owned)


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC), ids=[f"{m} {p}" for m, p in sorted(PUBLIC)])
def test_the_public_routes_answer_anyone_with_their_documented_shape(
    stack: Stack, owned: Owned, method: str, path: str
) -> None:
    for sub in (None, INTRUDER, OWNER):
        response = _request(method, path, owned, sub)
        assert response.status == 200
        # Where the photo was taken stays its owner's: no place and no GPS in what a share shows anyone
        for private in (SECRET_PLACE.city, SECRET_PLACE.region, SECRET_PLACE.country, str(SECRET_GPS[0]), "39.18"):
            assert private not in response.text, f"{private!r} leaked into {path}: {response.text[:300]}"
