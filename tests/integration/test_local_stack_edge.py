"""The local edge serves /media/* only for valid CloudFront-signed URLs, as a trusted key group does."""

from __future__ import annotations

import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts.local_stack.edge import sign_url
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures

local_stack = fixtures.local_stack

KEY = "media/owner-1/photo-1/thumb.webp"
BYTES = b"RIFF\x00\x00\x00\x00WEBPVP8 fake-thumbnail"


@pytest.fixture(scope="module")
def signer(local_stack: LocalStack) -> rsa.RSAPrivateKey:
    """The private key the API signs with (from the SSM SecureString), and a derivative to fetch."""
    local_stack.client("s3").put_object(
        Bucket=local_stack.resources.derivatives_bucket, Key=KEY, Body=BYTES, ContentType="image/webp"
    )
    pem = local_stack.client("ssm").get_parameter(Name=local_stack.resources.signing_key_parameter, WithDecryption=True)
    key = serialization.load_pem_private_key(pem["Parameter"]["Value"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def signed(stack: LocalStack, key: rsa.RSAPrivateKey, path: str = f"/{KEY}", **kwargs: object) -> str:
    expires = int(kwargs.pop("expires", time.time() + 300))  # type: ignore[call-overload]
    return sign_url(
        f"{stack.url}{path}",
        key_pair_id=str(kwargs.pop("key_pair_id", stack.resources.cloudfront_key_pair_id)),
        private_key=key,
        expires=expires,
        policy=kwargs.pop("policy", None),  # type: ignore[arg-type]
    )


def custom_policy(resource: str, expires: float, **condition: object) -> str:
    statement = {"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": int(expires)}, **condition}}
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def test_a_canned_signed_url_serves_the_derivative(local_stack: LocalStack, signer: rsa.RSAPrivateKey) -> None:
    response = get(signed(local_stack, signer))

    assert response.status_code == 200
    assert response.content == BYTES
    assert response.headers["content-type"] == "image/webp"


def test_unsigned_tampered_expired_and_moved_urls_are_403(local_stack: LocalStack, signer: rsa.RSAPrivateKey) -> None:
    good = signed(local_stack, signer)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "unsigned": f"{local_stack.url}/{KEY}",
        "signature altered": good.replace("Signature=", "Signature=AB"),
        "expiry moved later": good.replace("Expires=", "Expires=9"),
        "expired": signed(local_stack, signer, expires=time.time() - 1),
        "other path, same signature": good.replace("thumb.webp", "preview.webp"),
        "untrusted key pair id": signed(local_stack, signer, key_pair_id="KUNKNOWN"),
        "signed by another key": signed(local_stack, other_key),
        "valid signature, missing object": signed(local_stack, signer, path="/media/owner-1/photo-1/none.webp"),
    }
    for reason, url in refused.items():
        response = get(url)
        assert response.status_code == 403, reason
        assert b"AccessDenied" in response.content, reason


def test_custom_policies_honour_wildcards_and_time_window(local_stack: LocalStack, signer: rsa.RSAPrivateKey) -> None:
    later = time.time() + 300
    wildcard = custom_policy(f"{local_stack.url}/media/owner-1/*", later)
    other_owner = custom_policy(f"{local_stack.url}/media/owner-2/*", later)
    not_yet = custom_policy(f"{local_stack.url}/media/*", later, DateGreaterThan={"AWS:EpochTime": int(later) - 10})
    elsewhere = custom_policy(f"{local_stack.url}/media/*", later, IpAddress={"AWS:SourceIp": "10.0.0.0/8"})

    assert get(signed(local_stack, signer, policy=wildcard)).status_code == 200
    assert get(signed(local_stack, signer, policy=other_owner)).status_code == 403
    assert get(signed(local_stack, signer, policy=not_yet)).status_code == 403
    assert get(signed(local_stack, signer, policy=elsewhere)).status_code == 403
