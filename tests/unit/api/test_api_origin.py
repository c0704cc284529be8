"""Requests must come through CloudFront (issue 13): the api function checks CloudFront's origin secret header."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from photovault import composition
from photovault.account.sessions import Sessions
from photovault.api.app import resolve
from photovault.api.origin import OriginCheck, OriginSecrets
from tests.support.events import http_event
from tests.support.fakes import InMemorySessionRepository, make_world
from tests.support.lambda_context import lambda_context
from tests.unit.jobs.jobworld import JobWorld

CURRENT, PREVIOUS, NEXT = "c" * 64, "p" * 64, "n" * 64


class Parameter:
    """The SSM parameter's document, changed by a rotation; counts its reads."""

    def __init__(self, *values: str) -> None:
        self.values, self.reads = list(values), 0

    def load(self) -> OriginSecrets:
        self.reads += 1
        return OriginSecrets.parse(json.dumps({"header": "X-Origin-Verify", "values": self.values}))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parameter() -> Iterator[Parameter]:
    parameter = Parameter(CURRENT, PREVIOUS)
    world = make_world()
    composition.override(
        api=composition.ApiServices(
            library=world.library,
            albums=world.albums,
            sharing=world.sharing,
            jobs=JobWorld().jobs,
            sessions=Sessions(InMemorySessionRepository()),
        ),
        origin=OriginCheck(parameter.load),
    )
    yield parameter
    composition.reset()


def call(headers: dict[str, str] | None = None, *, path: str = "/photos", sub: str | None = "alice") -> dict:
    return resolve(http_event("GET", path, sub=sub, headers=headers), lambda_context())


def test_a_request_without_the_origin_header_is_refused_before_any_route(parameter: Parameter) -> None:
    for response in (call(), call(path="/health", sub=None), call(path="/public/shares/abc", sub=None)):
        assert response["statusCode"] == 403
        assert json.loads(response["body"]) == {
            "code": "forbidden",
            "message": "Use PhotoVault through its web address.",
        }


def test_a_wrong_value_is_refused_and_the_current_and_previous_values_pass(parameter: Parameter) -> None:
    assert call({"X-Origin-Verify": "x" * 64})["statusCode"] == 403
    assert call({"X-Origin-Verify": CURRENT[:-1]})["statusCode"] == 403
    assert call({"x-origin-verify": CURRENT})["statusCode"] == 200
    assert call({"X-Origin-Verify": PREVIOUS})["statusCode"] == 200  # edges not yet on the new generation


def test_a_rotation_is_picked_up_without_a_cold_start_and_wrong_values_do_not_flood_ssm() -> None:
    parameter, clock = Parameter(CURRENT, PREVIOUS), Clock()
    check = OriginCheck(parameter.load, refresh_seconds=60, clock=clock)
    assert check.accepts({"x-origin-verify": CURRENT}) and parameter.reads == 1
    # A burst of wrong values right after a read reads nothing more (at most one read a minute)
    for _ in range(100):
        assert not check.accepts({"x-origin-verify": NEXT})
    assert parameter.reads == 1
    # CloudFront moves to the next generation: after the refresh interval the function reads the parameter again
    parameter.values = [NEXT, CURRENT]
    clock.now += 61
    assert check.accepts({"x-origin-verify": NEXT})
    assert parameter.reads == 2
    assert check.accepts({"x-origin-verify": CURRENT}) and not check.accepts({"x-origin-verify": PREVIOUS})


@pytest.mark.parametrize(
    "document",
    [
        {"values": [CURRENT]},
        {"header": "x-origin-verify", "values": []},
        {"header": "x-origin-verify", "values": ["short"]},
        {"header": "", "values": [CURRENT]},
    ],
)
def test_a_malformed_parameter_is_an_error_not_an_open_door(document: dict) -> None:
    with pytest.raises(ValueError):
        OriginSecrets.parse(json.dumps(document))


def test_without_a_configured_parameter_there_is_no_check() -> None:
    world = make_world()
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
    try:
        assert call()["statusCode"] == 200
    finally:
        composition.reset()
