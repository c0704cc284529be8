"""The contract is a document: docs/openapi.json is what the code generates, every response object in it is closed,
the routes are terraform/resources.json's, and a photo's detail carries nothing of its storage."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from photovault import composition
from photovault.adapters import clients
from photovault.api.app import openapi_json, route_table
from tests.integration.api.apitools import assert_documented, call, openapi_document, seed_through_pipeline, walk
from tests.integration.api.conftest import Stack
from tests.support.fakes import make_photo

ROOT = Path(__file__).resolve().parents[3]
OWNER = "contract-0001"
# What the photo item stores and no client may ever see.
STORAGE_FIELDS = {
    "owner",
    "pk",
    "sk",
    "gsi1pk",
    "gsi1sk",
    "indexed_terms",
    "indexed_labels",
    "provenance",
    "source_fingerprint",
    "notified_at",
    "notifying_until",
    "claim_token",
    "lease_until",
    "attempts",
    "derivatives",
    "analysis",
    "facts",
    "reason_code",
    "key",
}


def test_docs_openapi_json_is_the_document_the_code_generates() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == openapi_json() + "\n", "docs/openapi.json is stale: run `make openapi` and commit it"


def _objects(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        if "properties" in schema:
            found.append((where, schema))
        for key, value in schema.items():
            found += _objects(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _objects(value, f"{where}/{index}")
    return found


def test_every_object_of_the_document_is_closed_to_unknown_fields() -> None:
    open_objects = [
        where for where, obj in _objects(openapi_document()) if obj.get("additionalProperties") is not False
    ]
    assert open_objects == []
    assert "PhotoDetail" in openapi_document()["components"]["schemas"]


def _normalised(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", re.sub(r"<[^>]+>", "{}", path))


def test_the_route_table_is_the_one_terraform_and_the_local_gateway_read() -> None:
    # terraform/resources.json lists every route with its authorization (both directions: none missing, none extra)
    spec = json.loads((ROOT / "terraform" / "resources.json").read_text())["api"]["routes"]
    declared = {(r["route"].split()[0], _normalised(r["route"].split()[1]), r["auth"]) for r in spec}
    served = {(r.method, _normalised(r.path), "jwt" if r.security else "none") for r in route_table()}
    assert served == declared


def test_a_photo_detail_is_its_contract_and_nothing_of_its_storage(stack: Stack) -> None:
    # Given a READY photo with a label below the indexing threshold (70) and one above
    photo = make_photo(OWNER, labels=[("Dog", 95.0), ("Blurry", 40.0)], caption="a dog in the snow")
    seed_through_pipeline(stack.dynamodb, stack.table, photo)
    # When its owner opens it
    response = call("GET", f"/photos/{photo.photo_id}", sub=OWNER)
    # Then it is exactly the documented PhotoDetail, with one set of media URLs
    assert response.status == 200
    assert_documented("GET", "/photos/{photo_id}", response)
    detail = response.json
    assert detail["id"] == photo.photo_id and detail["status"] == "READY"
    assert set(detail["urls"]) == {"expires_at", "thumb", "preview", "original"} and detail["urls"]["original"]
    # And its labels are exactly those search finds it by
    assert [label["name"] for label in detail["labels"]] == ["Dog"]
    assert call("GET", "/search", sub=OWNER, query={"q": "dog"}).json["items"][0]["photo"]["id"] == photo.photo_id
    assert call("GET", "/search", sub=OWNER, query={"q": "blurry"}).json["items"] == []
    # And no storage attribute reaches the client, anywhere in the body
    keys_seen = set(walk({k: v for k, v in detail.items()})) & STORAGE_FIELDS
    assert keys_seen == set(), keys_seen
    listed = call("GET", "/photos", sub=OWNER).json["items"][0]
    assert set(listed) <= set(detail) and listed["urls"]["original"] is None


class _Throttling:
    """A DynamoDB client whose reads are refused for rate, as DynamoDB does past its capacity."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name in {"query", "get_item", "batch_get_item"}:

            def refuse(**_: Any) -> Any:
                error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
                raise ClientError(error, name)  # type: ignore[arg-type]

            return refuse
        return getattr(self._inner, name)


def test_a_throttled_dependency_is_a_429_the_client_may_retry(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given DynamoDB refusing reads for rate (the adapters translate that into the domain's Throttled)
    original = clients.client

    def client(service: str, **kwargs: Any) -> Any:
        made = original(service, **kwargs)  # type: ignore[call-overload]
        return _Throttling(made) if service == "dynamodb" else made

    monkeypatch.setattr(clients, "client", client)
    composition.reset()
    # When the owner opens the gallery
    response = call("GET", "/photos", sub=OWNER)
    # Then the answer is the documented 429 with a Retry-After, not a 500
    assert response.status == 429 and response.json["code"] == "throttled"
    assert response.headers["Retry-After"] == "1"
    assert_documented("GET", "/photos", response)


def test_a_photo_id_has_its_shape_in_the_document_and_a_sibling_route_is_never_taken_for_one(stack: Stack) -> None:
    # The document says what a photo id looks like, so /photos/{photo_id} cannot stand for /photos/attention
    # (schemathesis generated exactly that and read the attention listing as a photo).
    parameter = openapi_document()["paths"]["/photos/{photo_id}"]["get"]["parameters"][0]
    assert parameter["name"] == "photo_id" and re.fullmatch(parameter["schema"]["pattern"], "not-a-photo") is None
    malformed = call("GET", "/photos/not-a-photo", sub="alice")
    assert malformed.status == 400 and malformed.json["details"]["field"] == "path.photo_id"
    # A sibling literal resource asked with a method it lacks is a 405, not an invalid photo id
    wrong_method = call("GET", "/photos/actions", sub="alice")
    assert wrong_method.status == 405 and wrong_method.headers["Allow"] == "POST"
