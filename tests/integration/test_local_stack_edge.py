"""The local edge serves /media/* only for valid CloudFront-signed URLs, as a trusted key group does."""

from __future__ import annotations

import dataclasses
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from photovault import keys
from photovault.adapters.cloudfront import CloudFrontSigner
from photovault.library.links import derivative_url
from scripts.local_stack.stack import LocalStack
from tests.integration import local_stack_fixture as fixtures
from tests.support.fakes import make_photo

local_stack = fixtures.local_stack

KEY = "media/owner-1/photo-1/thumb.webp"
BYTES = b"RIFF\x00\x00\x00\x00WEBPVP8 fake-thumbnail"


@pytest.fixture(scope="module")
def signer(local_stack: LocalStack) -> str:
    """The private key PEM the API signs with (from the SSM SecureString), and a derivative to fetch."""
    local_stack.client("s3").put_object(
        Bucket=local_stack.resources.derivatives_bucket, Key=KEY, Body=BYTES, ContentType="image/webp"
    )
    pem = local_stack.client("ssm").get_parameter(Name=local_stack.resources.signing_key_parameter, WithDecryption=True)
    return str(pem["Parameter"]["Value"])


def other_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def api_signer(stack: LocalStack, pem: str, key_pair_id: str | None = None) -> CloudFrontSigner:
    """The API's own signer (photovault.adapters.cloudfront), as the API uses it behind CloudFront."""
    return CloudFrontSigner(
        key_pair_id=key_pair_id or stack.resources.cloudfront_key_pair_id, base_url=stack.url, load_key=lambda: pem
    )


def signed(stack: LocalStack, pem: str, path: str = f"/{KEY}", *, expires: float | None = None, **kw: str) -> str:
    at = int(expires if expires is not None else time.time() + 300)
    return api_signer(stack, pem, kw.get("key_pair_id")).sign_url(f"{stack.url}{path}", expires_at=at)


def signed_custom(stack: LocalStack, pem: str, resource: str, expires: float, **condition: object) -> str:
    return api_signer(stack, pem).sign_custom(
        f"{stack.url}/{KEY}",
        resource=resource,
        expires_at=int(expires),
        **condition,  # type: ignore[arg-type]
    )


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def test_a_canned_signed_url_serves_the_derivative(local_stack: LocalStack, signer: str) -> None:
    response = get(signed(local_stack, signer))

    assert response.status_code == 200
    assert response.content == BYTES
    assert response.headers["content-type"] == "image/webp"


def test_unsigned_tampered_expired_and_moved_urls_are_403(local_stack: LocalStack, signer: str) -> None:
    good = signed(local_stack, signer)
    other_key = other_pem()
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


def test_custom_policies_honour_wildcards_and_time_window(local_stack: LocalStack, signer: str) -> None:
    later = time.time() + 300
    url = local_stack.url

    assert get(signed_custom(local_stack, signer, f"{url}/media/owner-1/*", later)).status_code == 200
    assert get(signed_custom(local_stack, signer, f"{url}/media/owner-2/*", later)).status_code == 403
    not_yet = signed_custom(local_stack, signer, f"{url}/media/*", later, starts_at=int(later) - 10)
    assert get(not_yet).status_code == 403
    elsewhere = signed_custom(local_stack, signer, f"{url}/media/*", later, source_ip="10.0.0.0/8")
    assert get(elsewhere).status_code == 403


def test_a_photos_media_urls_serve_the_folder_its_item_records_new_or_old(local_stack: LocalStack, signer: str) -> None:
    # Given a photo rendered into an opaque media folder and one whose item predates media ids, each with its thumb
    new = make_photo("owner-7")
    old = dataclasses.replace(make_photo("owner-7"), media_id=None)
    s3 = local_stack.client("s3")
    for photo in (new, old):
        body = f"thumb of {photo.photo_id}".encode()
        s3.put_object(
            Bucket=local_stack.resources.derivatives_bucket,
            Key=keys.derivative_key(photo, "thumb"),
            Body=body,
            ContentType="image/webp",
        )
        # When the API signs its thumb URL as every reader does
        url = derivative_url(api_signer(local_stack, signer), photo, "thumb", int(time.time()) + 60)
        assert url is not None
        # Then the edge serves exactly those bytes
        response = get(url)
        assert response.status_code == 200 and response.content == body
    assert f"/media/{new.media_id}/thumb.webp?" in str(derivative_url(api_signer(local_stack, signer), new, "thumb", 1))
