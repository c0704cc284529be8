"""Identifiers: time-ordered photo, album and job ids (UUIDv7), unguessable share tokens and media folder ids."""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid

PHOTO_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_PHOTO_ID = re.compile(PHOTO_ID_PATTERN)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_MEDIA_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_photo_id(now_ms: int | None = None) -> str:
    """UUIDv7 (RFC 9562): 48-bit Unix ms timestamp then random bits, so ids sort by creation time."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def is_photo_id(value: str) -> bool:
    return bool(_PHOTO_ID.match(value))


def new_job_id() -> str:
    """Jobs are numbered like photos (UUIDv7): unguessable enough for an id that is only ever read with the owner's
    key, and ordered by creation."""
    return new_photo_id()


def is_job_id(value: str) -> bool:
    return is_photo_id(value)


def new_album_id(now_ms: int | None = None) -> str:
    """Album ids are UUIDv7 too: the owner's albums list newest first by key."""
    return new_photo_id(now_ms)


def is_album_id(value: str) -> bool:
    return is_photo_id(value)


def new_share_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def is_share_token(value: str) -> bool:
    return bool(_TOKEN.match(value))


def new_media_id() -> str:
    """The folder of one render run's derivatives: 128 random bits, URL-safe. It says nothing about its owner or its
    photo (a shared URL carries it), and each run gets a new one, so a URL never names bytes that changed."""
    return secrets.token_urlsafe(16)


def is_media_id(value: str) -> bool:
    return bool(_MEDIA_ID.match(value))
