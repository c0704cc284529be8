"""CloudFront signed URLs: what we sign verifies with the public key, and any change to the URL breaks it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from photovault.adapters.cloudfront import CloudFrontSigner, cf_b64decode, verify_signed_url

NOW = 1_710_000_000
BASE = "https://d111111abcdef8.cloudfront.net"
KEY_ID = "K2JCJMDEHXQW5F"


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture
def signer(keypair: tuple[str, str]) -> CloudFrontSigner:
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        assert len(loads) == 1, "the private key is fetched once"
        return keypair[0]

    return CloudFrontSigner(key_pair_id=KEY_ID, base_url=BASE, load_key=load)


def test_a_canned_url_verifies_until_it_expires(signer: CloudFrontSigner, keypair: tuple[str, str]) -> None:
    # Given a URL signed for the thumbnail until NOW + 600
    url = signer.sign("media/alice/p1/thumb.webp", expires_at=NOW + 600)
    keys = {KEY_ID: keypair[1]}
    # Then it carries CloudFront's parameters in CloudFront's order and alphabet
    query = urlsplit(url).query
    assert [p.split("=")[0] for p in query.split("&")] == ["Expires", "Signature", "Key-Pair-Id"]
    assert not set(parse_qs(query)["Signature"][0]) & set("+=/")
    # And it verifies before the expiry, not at or after it
    assert verify_signed_url(url, keys, NOW)
    assert verify_signed_url(url, keys, NOW + 599)
    assert not verify_signed_url(url, keys, NOW + 600)
    # And the same signature again comes from the cached key (the loader would fail a second time)
    assert verify_signed_url(signer.sign("media/alice/p1/preview.webp", expires_at=NOW + 5), keys, NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda u: u.replace("/alice/", "/bob/"),
        lambda u: u.replace("thumb.webp", "preview.webp"),
        lambda u: u.replace(f"Expires={NOW + 600}", f"Expires={NOW + 6000}"),
        lambda u: u.replace(f"Key-Pair-Id={KEY_ID}", "Key-Pair-Id=KOTHER"),
        lambda u: u.replace("https://", "http://"),
        lambda u: u + "&Expires=1",
        lambda u: u.split("&Signature")[0],
    ],
    ids=["other-user", "other-file", "longer-expiry", "other-key", "scheme", "duplicate-param", "no-signature"],
)
def test_any_change_to_a_signed_url_fails_verification(
    signer: CloudFrontSigner, keypair: tuple[str, str], tamper: Callable[[str], str]
) -> None:
    url = signer.sign("media/alice/p1/thumb.webp", expires_at=NOW + 600)
    assert not verify_signed_url(tamper(url), {KEY_ID: keypair[1]}, NOW)


def test_another_key_does_not_verify(signer: CloudFrontSigner) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert not verify_signed_url(signer.sign("media/a.webp", expires_at=NOW + 60), {KEY_ID: pem}, NOW)


def test_a_custom_policy_with_a_wildcard_covers_the_folder_only(
    signer: CloudFrontSigner, keypair: tuple[str, str]
) -> None:
    keys = {KEY_ID: keypair[1]}
    resource = f"{BASE}/media/alice/*"
    inside = signer.sign_custom(f"{BASE}/media/alice/p1/thumb.webp", resource=resource, expires_at=NOW + 60)
    policy = json.loads(cf_b64decode(parse_qs(urlsplit(inside).query)["Policy"][0]))
    assert policy == {"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": NOW + 60}}}]}
    assert verify_signed_url(inside, keys, NOW)
    assert not verify_signed_url(inside.replace("/media/alice/p1/", "/media/bob/p1/"), keys, NOW)
    assert not verify_signed_url(inside, keys, NOW + 60)
    later = signer.sign_custom(
        f"{BASE}/media/alice/p1/thumb.webp", resource=resource, expires_at=NOW + 60, starts_at=NOW + 30
    )
    assert not verify_signed_url(later, keys, NOW) and verify_signed_url(later, keys, NOW + 30)


@pytest.mark.parametrize(
    "url",
    ["", "https://x/", "https://x/a?Expires=abc&Signature=x&Key-Pair-Id=K2JCJMDEHXQW5F", "%%%?&&&==", "?Policy=~~~"],
)
def test_malformed_urls_are_simply_invalid(url: str, keypair: tuple[str, str]) -> None:
    assert not verify_signed_url(url, {KEY_ID: keypair[1]}, NOW)


def test_the_canned_policy_is_cloudfronts_exact_json() -> None:
    from photovault.adapters.cloudfront import canned_policy

    assert canned_policy("https://a/b", 5) == (
        '{"Statement":[{"Resource":"https://a/b","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}'
    )
    assert base64.b64encode(b"\xfb\xff\xfe").decode() == "+//+"  # the characters CloudFront's alphabet replaces
