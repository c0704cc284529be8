"""Hostile request bodies (issue 13): every one gets a 4xx ``Error`` a client can read, never a 500.

The body gate answers what the resolver's parser would choke on (deep nesting, over-long integers, NaN, non-UTF-8,
oversized bodies); the fuzz below throws 2,000 generated bodies at every route that takes one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photovault import composition
from photovault.account.sessions import Sessions
from photovault.api.app import MAX_BODY_BYTES, MAX_BODY_DEPTH, resolve
from photovault.api.contract import Error
from tests.support.events import http_event
from tests.support.fakes import InMemorySessionRepository, make_photo, make_world
from tests.support.lambda_context import lambda_context
from tests.unit.jobs.jobworld import JobWorld

ROUTES = [("POST", "/uploads"), ("POST", "/photos/{id}/shares"), ("DELETE", "/photos/{id}")]


@pytest.fixture(scope="module")
def photo_id() -> Iterator[str]:
    world = make_world()
    photo = world.repo.add(make_photo("alice", now_ms=1_000))
    composition.override(
        api=composition.ApiServices(
            library=world.library,
            albums=world.albums,
            sharing=world.sharing,
            jobs=JobWorld().jobs,
            sessions=Sessions(InMemorySessionRepository()),
        ),
        origin=None,
    )
    yield photo.photo_id
    composition.reset()


def send(method: str, path: str, body: str, **event: Any) -> tuple[int, dict[str, Any]]:
    request = http_event(method, path, sub="alice", raw_body=body)
    request.update(event)
    response = resolve(request, lambda_context())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else {}


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("[" * 10_000 + "]" * 10_000, 400, "nests deeper"),
        ('{"a":' * (MAX_BODY_DEPTH + 1) + "1" + "}" * (MAX_BODY_DEPTH + 1), 400, "nests deeper"),
        ('{"filename":"a.jpg","content_type":"image/jpeg","size":' + "9" * 5000 + "}", 400, "not valid JSON"),
        ('{"filename":"a.jpg","content_type":"image/jpeg","size":NaN}', 400, "not valid JSON"),
        ('{"filename":"a.jpg","content_type":"image/jpeg","size":-Infinity}', 400, "not valid JSON"),
        ('{"filename":', 400, "not valid JSON"),
        (json.dumps({"filename": "a" * MAX_BODY_BYTES}), 413, "larger than"),
    ],
    ids=["deep-arrays", "deep-objects", "huge-int", "nan", "infinity", "truncated", "oversized"],
)
def test_a_hostile_body_is_a_clear_4xx(photo_id: str, body: str, status: int, says: str) -> None:
    code, answer = send("POST", "/uploads", body)
    assert code == status
    assert says in answer["message"]
    Error.model_validate(answer)


def test_brackets_inside_strings_do_not_count_as_nesting(photo_id: str) -> None:
    body = json.dumps(
        {
            "filename": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{.jpg",
            "content_type": "image/jpeg",
            "size": 10,
        }
    )
    assert send("POST", "/uploads", body)[0] == 201


def test_a_base64_body_that_is_not_utf8_json_is_400(photo_id: str) -> None:
    code, answer = send("POST", "/uploads", "//79/A==", isBase64Encoded=True)
    assert code == 400 and answer["details"] == {"field": "body"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
upload_like = st.fixed_dictionaries(
    {},
    optional={
        "filename": st.text(max_size=300) | json_values,
        "content_type": st.sampled_from(["image/jpeg", "image/avif", "text/html", ""]) | json_values,
        "size": st.integers(min_value=-(2**70), max_value=2**70) | json_values,
        "expires_in_hours": st.integers(min_value=-(2**40), max_value=2**40) | json_values,
        "max_views": st.integers(min_value=-(2**40), max_value=2**40) | json_values,
    },
)
bodies = (
    json_values.map(json.dumps)
    | upload_like.map(json.dumps)
    | st.text(max_size=200)
    | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route=st.sampled_from(ROUTES), body=bodies)
def test_two_thousand_generated_bodies_never_reach_a_500(photo_id: str, route: tuple[str, str], body: str) -> None:
    method, path = route
    code, answer = send(method, path.format(id=photo_id), body)
    assert code < 500, (code, answer, body[:200])
    if code >= 400:
        Error.model_validate(answer)
