"""Tenancy matrix: every route × {owner, another signed-in user, anonymous}. Only the owner gets the owner's data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from photovault.handlers.api import app, openapi_json
from tests.integration.api.apitools import ApiResponse, call, seed_through_pipeline
from tests.integration.api.conftest import Stack
from tests.unit.api.fakes import make_photo

OWNER, INTRUDER = "alice-0001", "bob-0002"
SECRET_FILENAME = "alice-private-lighthouse.jpg"
SECRET_CAPTION = "alice walks past the zanzibar lighthouse"
PUBLIC = {("GET", "/health"), ("GET", "/public/shares/{token}")}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/uploads"): {"filename": "new.jpg", "content_type": "image/jpeg", "size": 1234},
    ("POST", "/photos/{photo_id}/shares"): {"expires_in": 3600, "max_views": 3},
}
QUERIES: dict[tuple[str, str], dict[str, str]] = {("GET", "/search"): {"q": "zanzibar lighthouse"}}


def _operations() -> list[tuple[str, str]]:
    document = json.loads(openapi_json())
    return sorted((method.upper(), path) for path, ops in document["paths"].items() for method in ops)


ROUTES = [op for op in _operations() if op not in PUBLIC]


def test_the_matrix_covers_every_route_of_the_resolver() -> None:
    # Every route registered on the resolver (bar the document itself) is in the generated OpenAPI paths.
    routes = [*app._static_routes, *app._dynamic_routes]
    registered = {(route.method, re.sub(r"<(\w+)>", r"{\1}", route.path)) for route in routes}
    documented = set(_operations())
    assert documented == {r for r in registered if r[1] != "/openapi.json"}
    assert documented >= PUBLIC and len(ROUTES) >= 9


@dataclass(frozen=True)
class Owned:
    photo_id: str
    token: str


@pytest.fixture
def owned(stack: Stack) -> Owned:
    photo = make_photo(OWNER, filename=SECRET_FILENAME, caption=SECRET_CAPTION, labels=[("Lighthouse", 97.0)])
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    created = call("POST", f"/photos/{photo.photo_id}/shares", sub=OWNER, body={"expires_in": 3600})
    assert created.status == 201
    return Owned(photo.photo_id, created.json["token"])


def _request(method: str, path: str, owned: Owned, sub: str | None) -> ApiResponse:
    concrete = path.replace("{photo_id}", owned.photo_id).replace("{token}", owned.token)
    return call(method, concrete, sub=sub, body=BODIES.get((method, path)), query=QUERIES.get((method, path)))


def _assert_no_leak(response: ApiResponse, owned: Owned) -> None:
    for secret in (owned.photo_id, owned.token, SECRET_FILENAME, SECRET_CAPTION, OWNER):
        assert secret not in response.text.lower(), f"{secret!r} leaked: {response.text[:300]}"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_the_owner_succeeds(stack: Stack, owned: Owned, method: str, path: str) -> None:
    response = _request(method, path, owned, OWNER)
    assert 200 <= response.status < 300, response.text
    if (method, path) in {("GET", "/photos"), ("GET", "/search"), ("GET", "/photos/{photo_id}")}:
        assert owned.photo_id in response.text  # the owner really sees the photo


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_signed_in_user_gets_404_or_only_their_own_empty_data(
    stack: Stack, owned: Owned, method: str, path: str
) -> None:
    response = _request(method, path, owned, INTRUDER)
    if "{" in path:
        assert response.status == 404, response.text
    else:
        assert 200 <= response.status < 300, response.text  # collections answer with the caller's own data
    _assert_no_leak(response, owned)
    # And the owner's photo and share are untouched
    assert call("GET", f"/photos/{owned.photo_id}", sub=OWNER).status == 200
    assert call("GET", f"/public/shares/{owned.token}").status == 200


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_an_anonymous_caller_gets_401(stack: Stack, owned: Owned, method: str, path: str) -> None:
    response = _request(method, path, owned, None)
    assert response.status == 401, response.text
    assert response.json["code"] == "unauthorized"
    _assert_no_leak(response, owned)


@pytest.mark.parametrize("claims", [{}, {"sub": ""}, {"sub": "a#b"}, {"username": OWNER}])
def test_claims_without_a_usable_sub_are_401(stack: Stack, owned: Owned, claims: dict[str, str]) -> None:
    from tests.integration.api.apitools import http_event, invoke

    event = http_event("GET", "/photos", sub=OWNER)
    event["requestContext"]["authorizer"]["jwt"]["claims"] = claims
    response = invoke(event)
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
