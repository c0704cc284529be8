"""The local stack refuses browser uploads (presigned POST) that S3 would refuse, with S3's status and error, and
stores nothing — so upload-policy regressions show up locally. Forms are made by botocore (as the API makes them)
and posted the way a browser posts them (fields, then the file)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import boto3
import pytest
import requests
from botocore.config import Config

from scripts.local_stack.emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY
from scripts.local_stack.provision import ensure_user
from scripts.local_stack.seed import multipart
from scripts.local_stack.stack import LocalStack, StackOptions
from tests.integration.local_stack_fixture import sign_in

MAX_BYTES = 1000
JPEG = b"\xff\xd8\xff\xe0" + b"x" * 200  # the emulator stores bytes; what they are does not matter here


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The local stack with the real API (its presigner makes the forms a browser gets) and no worker."""
    with LocalStack(StackOptions(start_poller=False, seed=False)) as local:
        yield local


def s3_client(
    stack: LocalStack, *, key_id: str = ACCESS_KEY_ID, secret: str = SECRET_ACCESS_KEY, v4: bool = True
) -> Any:
    config = Config(signature_version="s3v4") if v4 else Config()
    return boto3.session.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret, region_name="eu-west-1"
    ).client("s3", endpoint_url=stack.emulator.endpoint_url, config=config)


def presigned(
    stack: LocalStack, key: str, *, expires_in: int = 600, bucket: str | None = None, **client: Any
) -> dict[str, Any]:
    """A form exactly like the API's: key, Content-Type and a 1..MAX_BYTES size range pinned."""
    return dict(
        s3_client(stack, **client).generate_presigned_post(
            Bucket=bucket or stack.resources.originals_bucket,
            Key=key,
            Fields={"Content-Type": "image/jpeg"},
            Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, MAX_BYTES]],
            ExpiresIn=expires_in,
        )
    )


def post(url: str, fields: dict[str, str], data: bytes | None = JPEG, origin: str | None = None) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    if data is None:
        body, content_type = _fields_only(fields)
    else:
        body, content_type = multipart(fields, "file", "photo.jpg", data, "image/jpeg")
    return requests.post(url, data=body, headers={**headers, "Content-Type": content_type}, timeout=30)


def _fields_only(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def s3_error(response: requests.Response) -> dict[str, str]:
    root = ElementTree.fromstring(response.content)
    return {child.tag: child.text or "" for child in root}


def versions(stack: LocalStack, key: str, bucket: str | None = None) -> list[str]:
    listing = stack.client("s3").list_object_versions(Bucket=bucket or stack.resources.originals_bucket, Prefix=key)
    return [v["VersionId"] for v in listing.get("Versions", []) if v["Key"] == key]


def new_key() -> str:
    return f"uploads/user-{uuid.uuid4().hex[:8]}/{uuid.uuid4()}"


def test_a_genuine_form_stores_the_upload(stack: LocalStack) -> None:
    key = new_key()
    form = presigned(stack, key)

    response = post(form["url"], form["fields"])

    assert response.status_code == 204, response.text
    stored = stack.client("s3").get_object(Bucket=stack.resources.originals_bucket, Key=key)
    assert stored["Body"].read() == JPEG
    assert stored["ContentType"] == "image/jpeg"


def _with(fields: dict[str, str], **changes: str) -> dict[str, str]:
    return {**fields, **changes}


def _widened(fields: dict[str, str]) -> dict[str, str]:
    """The policy re-encoded with a larger size limit but the old signature (what a tamperer can do)."""
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        ["content-length-range", 1, 10**9] if isinstance(c, list) and c[0] == "content-length-range" else c
        for c in policy["conditions"]
    ]
    return {**fields, "policy": base64.b64encode(json.dumps(policy).encode()).decode()}


def test_forms_s3_would_refuse_are_refused_with_its_error_and_nothing_is_stored(stack: LocalStack) -> None:
    key = new_key()
    form = presigned(stack, key)
    url, fields = form["url"], form["fields"]
    other_key = new_key()
    derivatives_url = url.rsplit("/", 1)[0] + "/" + stack.resources.derivatives_bucket
    cases: dict[str, tuple[str, dict[str, str], bytes | None, int, str, str]] = {
        # reason: (url, fields, file, status, code, message contains)
        "used for another key": (
            url,
            _with(fields, key=other_key),
            JPEG,
            403,
            "AccessDenied",
            f'Policy Condition failed: ["eq", "$key", "{key}"]',
        ),
        "another Content-Type": (
            url,
            _with(fields, **{"Content-Type": "image/png"}),
            JPEG,
            403,
            "AccessDenied",
            'Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]',
        ),
        "more bytes than the range allows": (url, fields, b"x" * (MAX_BYTES + 1), 400, "EntityTooLarge", "exceeds"),
        "an empty file": (url, fields, b"", 400, "EntityTooSmall", "smaller"),
        "signature altered": (
            url,
            _with(fields, **{"x-amz-signature": "0" * 64}),
            JPEG,
            403,
            "SignatureDoesNotMatch",
            "",
        ),
        "policy widened after signing": (
            url,
            _widened(fields),
            b"x" * (MAX_BYTES + 1),
            403,
            "SignatureDoesNotMatch",
            "",
        ),
        "a field the policy does not name": (
            url,
            _with(fields, **{"x-amz-meta-owner": "someone"}),
            JPEG,
            403,
            "AccessDenied",
            "Extra input fields: x-amz-meta-owner",
        ),
        "posted to another bucket": (derivatives_url, fields, JPEG, 403, "AccessDenied", '["eq", "$bucket"'),
        "no file": (url, fields, None, 400, "InvalidArgument", "exactly one file"),
        "no policy, no signature": (url, {"key": key, "Content-Type": "image/jpeg"}, JPEG, 403, "AccessDenied", ""),
    }
    for reason, (target, form_fields, data, status, code, message) in cases.items():
        response = post(target, form_fields, data)
        assert response.status_code == status, (reason, response.text)
        error = s3_error(response)
        assert error["Code"] == code, (reason, error)
        assert message in error["Message"], (reason, error)
    assert versions(stack, key) == []
    assert versions(stack, other_key) == []
    assert versions(stack, key, stack.resources.derivatives_bucket) == []


def test_expired_foreign_and_sigv2_forms_are_refused(stack: LocalStack) -> None:
    key = new_key()
    cases = {
        "expired": (presigned(stack, key, expires_in=-60), 403, "AccessDenied", "Policy expired."),
        "signed with another secret": (
            presigned(stack, key, secret="not-the-secret"),
            403,
            "SignatureDoesNotMatch",
            "",
        ),
        "unknown access key": (presigned(stack, key, key_id="AKIAEXAMPLEUNKNOWN"), 403, "InvalidAccessKeyId", ""),
        # Buckets created since June 2020 refuse Signature Version 2, which botocore presigns with by default.
        "signature version 2": (presigned(stack, key, v4=False), 400, "InvalidRequest", "AWS4-HMAC-SHA256"),
    }
    for reason, (form, status, code, message) in cases.items():
        response = post(form["url"], form["fields"])
        assert response.status_code == status, (reason, response.text)
        error = s3_error(response)
        assert (error["Code"], message in error["Message"]) == (code, True), (reason, error)
    assert versions(stack, key) == []


def test_the_web_app_can_read_a_refusal(stack: LocalStack) -> None:
    # The browser posts from the gateway's origin: the refusal carries the CORS headers a success would.
    form = presigned(stack, new_key())

    response = post(form["url"], _with(form["fields"], key=new_key()), origin=stack.url)

    assert response.status_code == 403
    assert response.headers["access-control-allow-origin"] == stack.url


def _upload_form(stack: LocalStack, token: str, size: int) -> dict[str, Any]:
    response = requests.post(
        f"{stack.url}/api/uploads",
        json={"filename": "photo.jpg", "content_type": "image/jpeg", "size": size},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    created = response.json()  # UploadCreated: photo_id, url, fields, …
    return {"url": created["url"], "fields": created["fields"]}


def test_one_users_upload_form_cannot_write_another_users_photo(stack: LocalStack) -> None:
    # Given two people, each with an upload form from the API
    resources = stack.resources
    other = f"other-{uuid.uuid4().hex[:6]}@example.com"
    ensure_user(stack.client("cognito-idp"), resources.user_pool_id, other, "Other-person-pass-1!")
    alice = _upload_form(stack, sign_in(stack, resources.demo_username, resources.demo_password)["IdToken"], len(JPEG))
    bob = _upload_form(stack, sign_in(stack, other, "Other-person-pass-1!")["IdToken"], len(JPEG))
    alice_key, bob_key = alice["fields"]["key"], bob["fields"]["key"]
    # When Alice uses her form for Bob's key, or to send another type
    swapped = post(alice["url"], _with(alice["fields"], key=bob_key))
    retyped = post(alice["url"], _with(alice["fields"], **{"Content-Type": "image/gif"}))
    # Then S3 refuses both and Bob's photo has no bytes
    assert (swapped.status_code, s3_error(swapped)["Code"]) == (403, "AccessDenied")
    assert (retyped.status_code, s3_error(retyped)["Code"]) == (403, "AccessDenied")
    assert versions(stack, bob_key) == []
    # And each form still works for its own key
    assert post(alice["url"], alice["fields"]).status_code == 204
    assert post(bob["url"], bob["fields"]).status_code == 204
    assert len(versions(stack, alice_key)) == len(versions(stack, bob_key)) == 1


def test_an_upload_form_takes_no_more_bytes_than_were_declared(stack: LocalStack) -> None:
    # Given an upload form from the API for a file declared as len(JPEG) bytes
    token = sign_in(stack, stack.resources.demo_username, stack.resources.demo_password)["IdToken"]
    form = _upload_form(stack, token, len(JPEG))
    key = form["fields"]["key"]
    # When the browser sends one byte more than it declared
    larger = post(form["url"], form["fields"], JPEG + b"x")
    # Then S3 refuses it as too large and stores nothing
    assert larger.status_code == 400, larger.text
    assert s3_error(larger)["Code"] == "EntityTooLarge"
    assert versions(stack, key) == []
    # And the file it declared goes through
    assert post(form["url"], form["fields"]).status_code == 204
    assert len(versions(stack, key)) == 1
