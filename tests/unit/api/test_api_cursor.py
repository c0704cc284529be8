"""Cursors are opaque and cannot be moved to another user, another listing or edited."""

from __future__ import annotations

import pytest

from photovault.library.cursor import CursorCodec, InvalidCursor

CODEC = CursorCodec(b"0123456789abcdef0123456789abcdef")


def test_a_cursor_round_trips_for_its_owner() -> None:
    # Given a cursor issued to alice for her photo list
    cursor = CODEC.encode("alice", "photos", {"id": "0190a1b2-0000-7000-8000-000000000001"})
    # When alice presents it again / Then she gets the same position back
    assert CODEC.decode("alice", "photos", cursor) == {"id": "0190a1b2-0000-7000-8000-000000000001"}


@pytest.mark.parametrize(
    ("owner", "kind", "binding"),
    [("bob", "photos", ""), ("alice", "search", ""), ("alice", "photos", "READY")],
    ids=["another-user", "another-listing", "another-filter"],
)
def test_a_cursor_is_refused_outside_the_request_it_was_issued_for(owner: str, kind: str, binding: str) -> None:
    # Given alice's cursor for her unfiltered photo list
    cursor = CODEC.encode("alice", "photos", {"id": "x"})
    # When it is presented by someone else, for another listing or another filter / Then it is refused
    with pytest.raises(InvalidCursor):
        CODEC.decode(owner, kind, cursor, binding=binding)


def test_an_edited_cursor_is_refused() -> None:
    # Given a cursor with one character of its sealed payload changed
    good = CODEC.encode("alice", "photos", {"id": "a"})
    middle = len(good) // 2
    forged = good[:middle] + ("A" if good[middle] != "A" else "B") + good[middle + 1 :]
    # When it is decoded / Then it is refused
    with pytest.raises(InvalidCursor):
        CODEC.decode("alice", "photos", forged)


def test_a_cursor_tells_its_holder_nothing_of_the_position() -> None:
    # Given a cursor holding a photo id and a date (a public album's cursor is handed to anyone with the link)
    position = {"at": "2023-07-04T10:00:00#0190a1b2-0000-7000-8000-000000000001"}
    cursor = CODEC.encode("public", "album", position)
    # Then neither can be read out of it, and two cursors of the same position differ
    import base64

    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"2023" not in raw and b"0190a1b2" not in raw
    assert CODEC.encode("public", "album", position) != cursor
    assert CODEC.decode("public", "album", cursor) == position


@pytest.mark.parametrize("garbage", ["", ".", "abc", "a.b.c", "!!!.???", "x" * 5000, "eyJ2IjoxfQ.AAAA", "AAAA"])
def test_garbage_is_an_invalid_cursor_not_a_crash(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        CODEC.decode("alice", "photos", garbage)


def test_a_different_secret_does_not_accept_the_cursor() -> None:
    cursor = CODEC.encode("alice", "photos", {"id": "a"})
    with pytest.raises(InvalidCursor):
        CursorCodec(b"another-secret-of-32-bytes-length").decode("alice", "photos", cursor)
