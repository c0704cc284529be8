"""RFC 6238 time-based one-time passwords (HMAC-SHA1, 6 digits, 30-second steps), as authenticator apps and
Cognito's software-token MFA use them. The local Cognito proxy checks codes with it because moto accepts any."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret in base32 without padding (what an authenticator app is given)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code_at(secret: str, at: float) -> str:
    """The code of ``secret`` for the 30-second step holding ``at`` (RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // STEP_SECONDS), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def verify(secret: str, code: str, *, at: float | None = None, window: int = 1) -> bool:
    """Whether ``code`` is the code of this step or of ``window`` steps either side (clocks drift a little)."""
    now = time.time() if at is None else at
    candidate = code.strip()
    steps = range(-window, window + 1)
    return any(hmac.compare_digest(code_at(secret, now + step * STEP_SECONDS), candidate) for step in steps)
