"""The local edge for ``/media/*``: CloudFront's signed-URL check (canned and custom policies), then the S3 object.

Verification follows CloudFront's documented algorithm: the policy (canned: rebuilt from the URL and ``Expires``;
custom: ``Policy`` decoded) is signed with SHA-1 RSA PKCS#1 v1.5 by a key of the trusted key group
(``Key-Pair-Id``); signatures and policies use CloudFront's URL-safe base64 (``+``→``-``, ``=``→``_``, ``/``→``~``).
The resource is ``<scheme>://<host><path>`` plus any query string other than the signing parameters; custom
policies may use ``*`` / ``?`` wildcards, a start time (``DateGreaterThan``) and a source range (``IpAddress``).
Any failure is a 403 with CloudFront's ``AccessDenied`` body, never a hint of which check failed.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNING_PARAMETERS = frozenset({"Expires", "Policy", "Signature", "Key-Pair-Id"})
ACCESS_DENIED_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>'
)

_TO_CF = str.maketrans({"+": "-", "=": "_", "/": "~"})
_FROM_CF = str.maketrans({"-": "+", "_": "=", "~": "/"})


def cf_b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode().translate(_TO_CF)


def cf_b64decode(value: str) -> bytes:
    return base64.b64decode(value.translate(_FROM_CF), validate=True)


def canned_policy(resource: str, expires: int) -> str:
    """Byte-exact canned policy CloudFront rebuilds (no whitespace)."""
    return (
        '{"Statement":[{"Resource":"'
        + resource
        + '","Condition":{"DateLessThan":{"AWS:EpochTime":'
        + str(expires)
        + "}}}]}"
    )


def sign_url(
    url: str, *, key_pair_id: str, private_key: rsa.RSAPrivateKey, expires: int, policy: str | None = None
) -> str:
    """A signed URL (canned when ``policy`` is None). Used by tests and tools; the API has its own signer."""
    separator = "&" if "?" in url else "?"
    if policy is None:
        signature = private_key.sign(canned_policy(url, expires).encode(), padding.PKCS1v15(), hashes.SHA1())
        params = {"Expires": str(expires), "Signature": cf_b64encode(signature), "Key-Pair-Id": key_pair_id}
    else:
        signature = private_key.sign(policy.encode(), padding.PKCS1v15(), hashes.SHA1())
        params = {
            "Policy": cf_b64encode(policy.encode()),
            "Signature": cf_b64encode(signature),
            "Key-Pair-Id": key_pair_id,
        }
    return url + separator + urlencode(params, safe="~-_")


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("CloudFront public keys are RSA")
    return key


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""


def _wildcard_match(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


class SignedUrlVerifier:
    """Verifies viewer requests against a trusted key group: ``{key_pair_id: public_key}``."""

    def __init__(self, trusted_keys: Mapping[str, rsa.RSAPublicKey], *, clock: object = time.time) -> None:
        self._keys = dict(trusted_keys)
        self._clock = clock

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def verify(self, *, scheme: str, host: str, path: str, query: str, source_ip: str) -> Verdict:
        params = {name: value for name, value in parse_qsl(query, keep_blank_values=True) if name in SIGNING_PARAMETERS}
        # Other query parameters stay part of the resource, exactly as the viewer sent them.
        other = [seg for seg in query.split("&") if seg and unquote(seg.split("=", 1)[0]) not in SIGNING_PARAMETERS]
        resource = f"{scheme}://{host}{quote(path, safe='/-_.~%!$&()*+,;=:@')}"
        if other:
            resource += "?" + "&".join(other)
        key = self._keys.get(params.get("Key-Pair-Id", ""))
        signature_text = params.get("Signature")
        if key is None or not signature_text:
            return Verdict(False, "missing or untrusted key pair / signature")
        if ("Expires" in params) == ("Policy" in params):
            return Verdict(False, "exactly one of Expires and Policy is required")
        try:
            signature = cf_b64decode(signature_text)
            if "Expires" in params:
                expires = int(params["Expires"])
                policy_bytes = canned_policy(resource, expires).encode()
            else:
                policy_bytes = cf_b64decode(params["Policy"])
        except (ValueError, binascii.Error):
            return Verdict(False, "malformed signature parameters")
        try:
            key.verify(signature, policy_bytes, padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            return Verdict(False, "signature does not match")
        if "Expires" in params:
            return Verdict(True) if self._now() < expires else Verdict(False, "expired")
        return self._check_custom(policy_bytes, resource, source_ip)

    def _check_custom(self, policy_bytes: bytes, resource: str, source_ip: str) -> Verdict:  # noqa: PLR0911 - one exit per condition
        try:
            statements = json.loads(policy_bytes)["Statement"]
            statement = statements[0]
            condition = statement["Condition"]
            expires = float(condition["DateLessThan"]["AWS:EpochTime"])
        except (ValueError, KeyError, IndexError, TypeError):
            return Verdict(False, "malformed policy")
        if len(statements) != 1:
            return Verdict(False, "policy must hold one statement")
        now = self._now()
        if now >= expires:
            return Verdict(False, "expired")
        not_before = condition.get("DateGreaterThan", {}).get("AWS:EpochTime")
        if not_before is not None and now < float(not_before):
            return Verdict(False, "not yet valid")
        pattern = statement.get("Resource")
        if pattern is not None and not _wildcard_match(str(pattern), resource):
            return Verdict(False, "resource does not match")
        source_range = condition.get("IpAddress", {}).get("AWS:SourceIp")
        if source_range is not None:
            try:
                if ipaddress.ip_address(source_ip) not in ipaddress.ip_network(str(source_range), strict=False):
                    return Verdict(False, "source address not allowed")
            except ValueError:
                return Verdict(False, "malformed source address condition")
        return Verdict(True)


def media_key(path: str) -> str | None:
    """``/media/<owner>/<photo>/<kind>.webp`` → the derivatives bucket key (CloudFront's origin path is empty)."""
    key = path.lstrip("/")
    if not key.startswith("media/") or ".." in key.split("/"):
        return None
    return key


def split_url(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path, parts.query
