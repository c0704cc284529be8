"""The local stack's TOTP check (RFC 6238) against the RFC's own test vectors, and its one-step tolerance."""

from __future__ import annotations

import base64

from scripts.local_stack import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_codes_are_the_last_six_digits_of_the_rfc_6238_sha1_vectors() -> None:
    assert totp.code_at(RFC_SECRET, 59) == "287082"
    assert totp.code_at(RFC_SECRET, 1111111109) == "081804"
    assert totp.code_at(RFC_SECRET, 1234567890) == "005924"
    assert totp.code_at(RFC_SECRET, 2000000000) == "279037"


def test_a_code_is_accepted_one_step_either_side_and_refused_beyond() -> None:
    at = 1_700_000_000.0
    code = totp.code_at(RFC_SECRET, at)
    assert totp.verify(RFC_SECRET, code, at=at + 30)
    assert totp.verify(RFC_SECRET, f" {code} ", at=at - 30)
    assert not totp.verify(RFC_SECRET, code, at=at + 90)
    assert not totp.verify(RFC_SECRET, "", at=at)


def test_new_secrets_are_random_base32_of_160_bits() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first)) == 20
