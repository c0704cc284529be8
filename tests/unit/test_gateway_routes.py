"""The local gateway serves exactly terraform/resources.json's routes, the most specific route first (as API Gateway
does), so every library route of issue 14 reaches api.handler on `make run` as it does in AWS."""

from __future__ import annotations

import json

from scripts.local_stack.config import RESOURCES_PATH, ResourceSpec
from scripts.local_stack.http_api import match_route, routes_from_spec


def test_every_declared_route_is_served_with_its_authorization() -> None:
    declared = {(r["route"], r["auth"] == "jwt") for r in json.loads(RESOURCES_PATH.read_text())["api"]["routes"]}
    served = {(route.key.replace(" /api/", " /"), route.authorized) for route in routes_from_spec(ResourceSpec.load())}
    assert served == declared


def test_literal_segments_win_over_parameters() -> None:
    routes = routes_from_spec(ResourceSpec.load())
    for method, path, key, params in (
        ("GET", "/api/photos/attention", "GET /api/photos/attention", {}),
        ("GET", "/api/photos/01HX", "GET /api/photos/{id}", {"id": "01HX"}),
        ("POST", "/api/photos/actions", "POST /api/photos/actions", {}),
        ("DELETE", "/api/albums/a1/photos", "DELETE /api/albums/{id}/photos", {"id": "a1"}),
        ("GET", "/api/public/albums/tok", "GET /api/public/albums/{token}", {"token": "tok"}),
    ):
        found = match_route(routes, method, path)
        assert found is not None and (found[0].key, found[1]) == (key, params), path
    assert match_route(routes, "PUT", "/api/albums/a1") is None
