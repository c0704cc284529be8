"""API Gateway's JWT authorizer, locally: verify a Cognito token against the pool's JWKS and hand back its claims.

Checks what the HTTP API authorizer checks: RS256 signature by a key from the issuer's JWKS (``kid``), ``iss``,
``exp`` / ``nbf``, and that ``aud`` (ID token) or ``client_id`` (access token) is a configured audience. We also
require ``token_use`` ∈ {id, access}, which Cognito always sets, and an ``iat`` that is neither in the future (beyond
a small clock skew) nor older than the pool's token lifetime: moto's signing key is public, so a token minted with a
far-away ``exp`` must still die when a real one would.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

IAT_SKEW_SECONDS = 60  # clocks of the issuer and this machine may disagree this much
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600


class InvalidToken(Exception):
    """The token must be refused with 401; the message says why (for the log and ``www-authenticate``)."""


def b64url_decode(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("malformed token") from exc


def _fetch_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def public_key_from_jwk(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


class JwtVerifier:
    """Verifies bearer tokens for one issuer; the JWKS is fetched lazily and re-fetched once for an unknown kid."""

    def __init__(
        self,
        *,
        issuer: str,
        audiences: Iterable[str],
        jwks_url: str,
        fetch: Callable[[str], dict[str, Any]] = _fetch_json,
        clock: Callable[[], float] = time.time,
        leeway_seconds: int = 0,
        token_lifetime_seconds: int = DEFAULT_TOKEN_LIFETIME_SECONDS,
    ) -> None:
        self.issuer = issuer
        self._lifetime = token_lifetime_seconds
        self.audiences = frozenset(audiences)
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._leeway = leeway_seconds
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()
        self._last_refresh = 0.0

    def _key(self, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            key = self._keys.get(kid)
            if key is None and (not self._keys or time.monotonic() - self._last_refresh > 30):
                jwks = self._fetch(self._jwks_url)
                self._keys = {
                    str(k["kid"]): public_key_from_jwk(k) for k in jwks.get("keys", []) if k.get("kty") == "RSA"
                }
                self._last_refresh = time.monotonic()
                key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("signing key not found")
        return key

    def verify(self, token: str) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3 or not all(parts):
            raise InvalidToken("malformed token")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("malformed token") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidToken("malformed token")
        if header.get("alg") != "RS256":
            raise InvalidToken("unsupported algorithm")
        key = self._key(str(header.get("kid", "")))
        try:
            key.verify(b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise InvalidToken("invalid signature") from exc
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        if claims.get("iss") != self.issuer:
            raise InvalidToken("invalid issuer")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or now >= exp + self._leeway:
            raise InvalidToken("the token has expired")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and now + self._leeway < nbf:
            raise InvalidToken("the token is not valid yet")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            raise InvalidToken("missing iat")
        if iat > now + IAT_SKEW_SECONDS:
            raise InvalidToken("the token was issued in the future")
        if now - iat > self._lifetime + IAT_SKEW_SECONDS:
            raise InvalidToken("the token is older than its lifetime")
        if claims.get("token_use") not in {"id", "access"}:
            raise InvalidToken("invalid token_use")
        audience = claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id")
        audiences = set(audience) if isinstance(audience, list) else {audience}
        if not audiences & self.audiences:
            raise InvalidToken("invalid audience")
        if not claims.get("sub"):
            raise InvalidToken("missing sub")


def bearer_token(authorization: str | None) -> str | None:
    """The token from an ``Authorization`` header; API Gateway accepts it with or without the ``Bearer`` scheme."""
    if not authorization:
        return None
    value = authorization.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def event_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway puts them in ``requestContext.authorizer.jwt.claims``: every value a string."""
    return {name: _claim_string(value) for name, value in claims.items()}


def _claim_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_claim_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def event_scopes(claims: dict[str, Any]) -> list[str] | None:
    """``scope`` of an access token as a list (``None`` for ID tokens, as API Gateway sends)."""
    scope = claims.get("scope")
    if not isinstance(scope, str) or not scope:
        return None
    return scope.split()
