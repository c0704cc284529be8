"""Opaque pagination cursors: a repository position, sealed (AES-GCM) and bound to the caller and the listing.

A cursor is ``base64url(nonce ‖ ciphertext ‖ tag)``; the associated data is the caller's ``sub`` (or a public link's
token), the listing kind (photos, search, shares …) and any listing parameters (the order, the date range, the search
terms). A cursor copied to another user, another listing or edited by hand fails authentication and is refused with
400 ``invalid_cursor``. Sealed, not only signed: a position holds photo ids and dates, and a public album's cursor
must not tell a link holder those. Repositories build partition keys from the caller's ``sub`` anyway: the seal is
the second lock, not the only one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from photovault.errors import InvalidInput

MAX_CURSOR_LENGTH = 1024
_VERSION = 2
_NONCE = 12


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Seals and opens cursors with a server-side secret (derived from the media signing key in AWS)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("cursor secret must be at least 16 bytes")
        self._aead = AESGCM(hmac.new(secret, b"photovault-cursor-aes-gcm", hashlib.sha256).digest())

    @staticmethod
    def _context(owner: str, kind: str, binding: str) -> bytes:
        return b"\x00".join([str(_VERSION).encode(), owner.encode(), kind.encode(), binding.encode()])

    def encode(self, owner: str, kind: str, position: Mapping[str, str], *, binding: str = "") -> str:
        payload = json.dumps(dict(position), separators=(",", ":"), sort_keys=True).encode()
        nonce = os.urandom(_NONCE)
        return _b64(nonce + self._aead.encrypt(nonce, payload, self._context(owner, kind, binding)))

    def decode(self, owner: str, kind: str, cursor: str, *, binding: str = "") -> dict[str, str]:
        """The position inside ``cursor``; InvalidCursor when it was not issued for this caller and listing."""
        invalid = InvalidCursor("The cursor is not valid for this request.", details={"field": "cursor"})
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            raise invalid
        try:
            raw = _unb64(cursor)
        except (binascii.Error, ValueError) as exc:
            raise invalid from exc
        if len(raw) <= _NONCE:
            raise invalid
        try:
            payload = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], self._context(owner, kind, binding))
        except InvalidTag as exc:
            raise invalid from exc
        try:
            position = json.loads(payload)
        except ValueError as exc:  # pragma: no cover - only reachable with the server's own key
            raise invalid from exc
        if not isinstance(position, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in position.items()
        ):
            raise invalid
        return position


def derive_secret(material: bytes, purpose: str = "photovault-cursor-v1") -> bytes:
    """A purpose-bound secret from existing key material (so no second secret has to be provisioned)."""
    return hmac.new(material, purpose.encode(), hashlib.sha256).digest()
