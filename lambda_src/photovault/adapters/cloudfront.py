"""CloudFront signed URLs (trusted key groups): signing for the API, verification for tests and the local edge.

CloudFront's rules, which both halves follow exactly:
- the policy is JSON without whitespace; a canned policy is
  ``{"Statement":[{"Resource":"<url>","Condition":{"DateLessThan":{"AWS:EpochTime":<expires>}}}]}``;
- the signature is RSA-SHA1 with PKCS#1 v1.5 padding over the policy bytes;
- signature and policy travel in CloudFront's URL-safe base64 (``+``→``-``, ``=``→``_``, ``/``→``~``);
- the query ends with ``Expires`` (canned) or ``Policy`` (custom), then ``Signature`` and ``Key-Pair-Id`` (the id of
  the public key in the trusted key group).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from photovault.api.origin import OriginSecrets

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from mypy_boto3_ssm import SSMClient

_SIGNING_PARAMS = ("Expires", "Policy", "Signature", "Key-Pair-Id")
_CF_ENCODE = str.maketrans({"+": "-", "=": "_", "/": "~"})
_CF_DECODE = str.maketrans({"-": "+", "_": "=", "~": "/"})
_KEY_CACHE_SECONDS = 24 * 3600  # once per cold start in practice: a Lambda environment lives for hours at most


def cf_b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").translate(_CF_ENCODE)


def cf_b64decode(text: str) -> bytes:
    return base64.b64decode(text.translate(_CF_DECODE).encode("ascii"), validate=True)


def canned_policy(url: str, expires_at: int) -> str:
    statement = {"Resource": url, "Condition": {"DateLessThan": {"AWS:EpochTime": int(expires_at)}}}
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


def custom_policy(resource: str, expires_at: int, *, starts_at: int | None = None, source_ip: str | None = None) -> str:
    """A custom policy: ``resource`` may hold ``*`` (any characters) and ``?`` (one character)."""
    condition: dict[str, Any] = {"DateLessThan": {"AWS:EpochTime": int(expires_at)}}
    if starts_at is not None:
        condition["DateGreaterThan"] = {"AWS:EpochTime": int(starts_at)}
    if source_ip is not None:
        condition["IpAddress"] = {"AWS:SourceIp": source_ip}
    return json.dumps({"Statement": [{"Resource": resource, "Condition": condition}]}, separators=(",", ":"))


def _append(url: str, params: list[tuple[str, str]]) -> str:
    query = "&".join(f"{name}={value}" for name, value in params)
    return f"{url}{'&' if '?' in url else '?'}{query}"


class CloudFrontSigner:
    """Signs URLs under ``base_url`` with an RSA private key (PEM) loaded lazily, once, from ``load_key``."""

    def __init__(self, *, key_pair_id: str, base_url: str, load_key: Callable[[], str | bytes]) -> None:
        self._key_pair_id = key_pair_id
        self._base_url = base_url.rstrip("/")
        self._load_key = load_key
        self._key: RSAPrivateKey | None = None
        self._lock = threading.Lock()

    def _private_key(self) -> RSAPrivateKey:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    from cryptography.hazmat.primitives import serialization
                    from cryptography.hazmat.primitives.asymmetric import rsa

                    pem = self._load_key()
                    key = serialization.load_pem_private_key(
                        pem.encode() if isinstance(pem, str) else pem, password=None
                    )
                    if not isinstance(key, rsa.RSAPrivateKey):
                        raise TypeError("CloudFront signing keys are RSA keys")
                    self._key = key
        return self._key

    def _signature(self, policy: str) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        # SHA-1 is what CloudFront verifies; it is not our choice.
        signature = self._private_key().sign(policy.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        return cf_b64encode(signature)

    def url_for(self, key: str) -> str:
        return f"{self._base_url}/{key.lstrip('/')}"

    def sign(self, key: str, *, expires_at: int) -> str:
        """The MediaUrlSigner port: a canned-policy URL for one object under the CDN."""
        return self.sign_url(self.url_for(key), expires_at=expires_at)

    def sign_url(self, url: str, *, expires_at: int) -> str:
        signature = self._signature(canned_policy(url, expires_at))
        return _append(
            url, [("Expires", str(int(expires_at))), ("Signature", signature), ("Key-Pair-Id", self._key_pair_id)]
        )

    def sign_custom(
        self, url: str, *, resource: str, expires_at: int, starts_at: int | None = None, source_ip: str | None = None
    ) -> str:
        """A custom-policy URL: ``resource`` may be a wildcard (``https://cdn/media/<sub>/*``) covering many files."""
        policy = custom_policy(resource, expires_at, starts_at=starts_at, source_ip=source_ip)
        return _append(
            url,
            [
                ("Policy", cf_b64encode(policy.encode())),
                ("Signature", self._signature(policy)),
                ("Key-Pair-Id", self._key_pair_id),
            ],
        )


def _resource_matches(pattern: str, url: str) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, url, flags=re.DOTALL) is not None


def _epoch(condition: Mapping[str, Any], name: str) -> int | None:
    value = condition.get(name, {}).get("AWS:EpochTime") if isinstance(condition.get(name), dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ip_allowed(condition: Mapping[str, Any], client_ip: str | None) -> bool:
    if "IpAddress" not in condition:
        return True
    allowed = condition["IpAddress"].get("AWS:SourceIp") if isinstance(condition["IpAddress"], dict) else None
    if client_ip is None or not isinstance(allowed, str):
        return False
    try:
        return ipaddress.ip_address(client_ip) in ipaddress.ip_network(allowed, strict=False)
    except ValueError:
        return False


def _check_policy(policy: Mapping[str, Any], url: str, now: int, client_ip: str | None) -> bool:
    statements = policy.get("Statement")
    if not isinstance(statements, list) or len(statements) != 1 or not isinstance(statements[0], dict):
        return False
    resource = statements[0].get("Resource")
    condition = statements[0].get("Condition")
    if not isinstance(resource, str) or not isinstance(condition, dict):
        return False
    less_than = _epoch(condition, "DateLessThan")
    greater_than = _epoch(condition, "DateGreaterThan")
    return (
        less_than is not None
        and now < less_than
        and _resource_matches(resource, url)
        and ("DateGreaterThan" not in condition or (greater_than is not None and now >= greater_than))
        and _ip_allowed(condition, client_ip)
    )


def _split_signed(url: str) -> tuple[str, dict[str, str]] | None:
    """(the URL without CloudFront's parameters, those parameters); None when a parameter repeats."""
    base, _, query = url.partition("?")
    kept: list[str] = []
    signing: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        if name not in _SIGNING_PARAMS:
            kept.append(pair)
        elif name in signing:
            return None
        else:
            signing[name] = value
    return (f"{base}?{'&'.join(kept)}" if kept else base), signing


def verify_signed_url(
    url: str, public_keys: Mapping[str, str | bytes], now: int, *, client_ip: str | None = None
) -> bool:
    """True when ``url`` carries a valid, unexpired CloudFront signature by one of ``public_keys`` (id → PEM).

    Used by the tests and by the local edge that stands in for CloudFront. Any malformed input is simply False.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    split = _split_signed(url)
    if split is None:
        return False
    resource_url, signing = split
    pem = public_keys.get(signing.get("Key-Pair-Id", ""))
    canned = "Expires" in signing
    if pem is None or "Signature" not in signing or canned == ("Policy" in signing):
        return False
    if canned and not signing["Expires"].isdigit():
        return False
    try:
        signature = cf_b64decode(signing["Signature"])
        if canned:
            policy_text = canned_policy(resource_url, int(signing["Expires"]))
        else:
            policy_text = cf_b64decode(signing["Policy"]).decode("utf-8")
        policy = json.loads(policy_text)
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        key.verify(signature, policy_text.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    except (InvalidSignature, ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        return False
    return isinstance(policy, dict) and _check_policy(policy, resource_url, now, client_ip)


def ssm_key_loader(parameter_name: str, ssm_client: SSMClient) -> Callable[[], str]:
    """Fetch the private key PEM from an SSM SecureString through Powertools parameters (cached per cold start)."""

    def load() -> str:
        from aws_lambda_powertools.utilities.parameters import SSMProvider

        value = SSMProvider(boto3_client=ssm_client).get(parameter_name, decrypt=True, max_age=_KEY_CACHE_SECONDS)
        if not isinstance(value, str) or "PRIVATE KEY" not in value:
            raise RuntimeError(f"SSM parameter {parameter_name} does not hold a PEM private key")
        return value

    return load


def origin_secrets_loader(parameter_name: str, ssm_client: SSMClient) -> Callable[[], OriginSecrets]:
    """Read CloudFront's origin-verify secrets from their SSM SecureString (``photovault.api.origin`` caches them)."""

    def load() -> OriginSecrets:
        value = ssm_client.get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"].get("Value", "")
        return OriginSecrets.parse(value)

    return load
