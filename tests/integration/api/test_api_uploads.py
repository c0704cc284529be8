"""POST /uploads: the presigned POST policy pins key, type, size and expiry; bad input is 4xx, never 500."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime

import pytest

from photovault import keys
from photovault.adapters.dynamodb.codec import deserialize, serialize
from tests.integration.api.apitools import call
from tests.integration.api.conftest import Stack

OWNER = "uploader-0001"
MB = 1024 * 1024


def test_the_presigned_post_policy_pins_key_type_size_and_expiry(stack: Stack) -> None:
    # When the user asks to upload a 3 MB JPEG
    before = time.time()
    response = call(
        "POST", "/uploads", sub=OWNER, body={"filename": "beach.jpg", "content_type": "image/jpeg", "size": 3 * MB}
    )
    # Then the answer is a POST to the originals bucket with a policy that allows only exactly that: that key, that
    # type, at most the bytes declared, for at most ten minutes
    assert response.status == 201, response.text
    body = response.json
    key = keys.originals_key(OWNER, body["photo_id"])
    assert body["fields"]["key"] == key and body["fields"]["Content-Type"] == "image/jpeg"
    assert set(body) == {"photo_id", "url", "fields", "expires_at", "max_bytes"}  # the key is the policy's, not ours
    policy = json.loads(base64.b64decode(body["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"bucket": stack.originals} in conditions
    assert ["content-length-range", 1, 3 * MB] in conditions and body["max_bytes"] == 3 * MB
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in conditions)  # nothing left open
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")).timestamp()
    assert 0 < expiration - before <= 600 + 1  # the policy's expiration is written to the second
    assert body["expires_at"] - before <= 600
    # And the PENDING photo exists with filename, type and creation time
    item = stack.dynamodb.get_item(
        TableName=stack.table, Key=serialize({"pk": keys.user_pk(OWNER), "sk": keys.photo_sk(body["photo_id"])})
    )["Item"]
    photo = deserialize(item)
    assert (photo["status"], photo["filename"], photo["content_type"]) == ("PENDING", "beach.jpg", "image/jpeg")
    assert photo["created_at"].startswith(datetime.now().astimezone().strftime("%Y-"))
    # And it is listed for the owner at once
    # And the upload waits in needs-attention, never in the timeline, until it is READY
    assert call("GET", "/photos/attention", sub=OWNER).json["items"][0]["status"] == "PENDING"
    assert call("GET", "/photos", sub=OWNER).json["items"] == []


def test_a_disallowed_type_is_415(stack: Stack) -> None:
    response = call(
        "POST", "/uploads", sub=OWNER, body={"filename": "x.svg", "content_type": "image/svg+xml", "size": 9}
    )
    assert response.status == 415 and response.json["code"] == "unsupported_media_type"
    assert response.json["details"]["field"] == "content_type"
    assert call("GET", "/photos", sub=OWNER).json["items"] == []


def test_a_file_over_the_limit_is_413(stack: Stack) -> None:
    response = call(
        "POST", "/uploads", sub=OWNER, body={"filename": "x.jpg", "content_type": "image/jpeg", "size": 50 * MB + 1}
    )
    assert response.status == 413 and response.json["details"] == {"field": "size", "max_bytes": 50 * MB}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("not json", "body"),
        ("[]", "body"),
        ("null", "body"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg"}', "body.size"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": "12"}', "body.size"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": -1}', "body.size"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": 1.5}', "body.size"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": true}', "body.size"),
        ('{"filename": "", "content_type": "image/jpeg", "size": 1}', "body.filename"),
        ('{"filename": 7, "content_type": "image/jpeg", "size": 1}', "body.filename"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": 1, "owner": "x"}', "body.owner"),
        ('{"filename": "a.jpg", "content_type": "image/jpeg", "size": 1e400}', "body"),
    ],
)
def test_a_malformed_body_is_400_naming_the_field(stack: Stack, raw: str, field: str) -> None:
    response = call("POST", "/uploads", sub=OWNER, raw_body=raw)
    assert response.status == 400, response.text
    assert response.json["code"] == "invalid_input"
    assert response.json["details"]["field"].startswith(field)


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("GET", "/photos", {"limit": "0"}),
        ("GET", "/photos", {"limit": "abc"}),
        ("GET", "/photos", {"order": "sideways"}),
        ("GET", "/photos", {"from": "2023-7-1"}),
        ("GET", "/photos", {"from": "2023-02-30"}),
        ("GET", "/photos", {"from": "2023-07-02", "to": "2023-07-01"}),
        ("GET", "/photos", {"status": "READY"}),
        ("GET", "/photos", {"cursor": "forged.cursor"}),
        ("GET", "/search", {}),
        ("GET", "/search", {"q": ""}),
        ("GET", "/search", {"q": "dog", "cursor": "x" * 2000}),
        ("GET", "/shares", {"cursor": "!!"}),
    ],
)
def test_bad_parameters_are_400_not_500(stack: Stack, method: str, path: str, query: dict[str, str]) -> None:
    response = call(method, path, sub=OWNER, query=query)
    assert response.status == 400, response.text
    assert response.json["details"]["field"]


def test_unknown_routes_are_a_json_404(stack: Stack) -> None:
    response = call("GET", "/nope", sub=OWNER)
    assert response.status == 404 and response.json["code"] == "not_found"


def test_paths_work_with_and_without_the_api_prefix(stack: Stack) -> None:
    assert call("GET", "/health", prefix="").status == 200
    assert call("GET", "/health").status == 200


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(stack: Stack, content_type: str) -> None:
    response = call("POST", "/uploads", sub=OWNER, raw_body='{"filename": "a"}', headers={"Content-Type": content_type})
    assert response.status == 415 and response.json["details"] == {"field": "body"}
    assert response.headers["Cache-Control"] == "no-store"
