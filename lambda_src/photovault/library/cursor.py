"""Opaque pagination cursors: a repository position, HMAC-signed and bound to the caller and the listing.

A cursor is ``base64url(json) . base64url(hmac)``; the MAC covers the caller's ``sub``, the listing kind (photos,
search, shares) and any listing parameters (the search terms, the status filter). A cursor copied to another user,
another listing or edited by hand fails verification and is refused with 400 ``invalid_cursor``. Repositories build
partition keys from the caller's ``sub`` anyway: the MAC is the second lock, not the only one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

from photovault.errors import InvalidInput

MAX_CURSOR_LENGTH = 1024
_VERSION = 1


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs and verifies cursors with a server-side secret (derived from the media signing key in AWS)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("cursor secret must be at least 16 bytes")
        self._secret = secret

    def _mac(self, owner: str, kind: str, binding: str, payload: bytes) -> bytes:
        message = b"\x00".join([owner.encode(), kind.encode(), binding.encode(), payload])
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:16]

    def encode(self, owner: str, kind: str, position: Mapping[str, str], *, binding: str = "") -> str:
        payload = json.dumps({"v": _VERSION, "p": dict(position)}, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._mac(owner, kind, binding, payload))}"

    def decode(self, owner: str, kind: str, cursor: str, *, binding: str = "") -> dict[str, str]:
        """The position inside ``cursor``; InvalidCursor when it was not issued for this caller and listing."""
        invalid = InvalidCursor("The cursor is not valid for this request.", details={"field": "cursor"})
        if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
            raise invalid
        body, mac = cursor.split(".")
        try:
            payload = _unb64(body)
            given = _unb64(mac)
        except (binascii.Error, ValueError) as exc:
            raise invalid from exc
        if not hmac.compare_digest(given, self._mac(owner, kind, binding, payload)):
            raise invalid
        try:
            data = json.loads(payload)
        except ValueError as exc:  # pragma: no cover - only reachable with a forged MAC
            raise invalid from exc
        position = data.get("p") if isinstance(data, dict) and data.get("v") == _VERSION else None
        if not isinstance(position, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in position.items()
        ):
            raise invalid
        return position


def derive_secret(material: bytes, purpose: str = "photovault-cursor-v1") -> bytes:
    """A purpose-bound secret from existing key material (so no second secret has to be provisioned)."""
    return hmac.new(material, purpose.encode(), hashlib.sha256).digest()
