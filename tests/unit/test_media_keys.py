"""Where a photo's derivatives live: one opaque folder per render run, the old owner/id folder for older items."""

from __future__ import annotations

import dataclasses

import pytest

from photovault import ids, keys
from tests.support.fakes import make_photo


def test_media_ids_are_128_random_bits_url_safe_and_never_repeat() -> None:
    made = {ids.new_media_id() for _ in range(1000)}
    assert len(made) == 1000
    assert all(ids.is_media_id(media_id) and len(media_id) == 22 for media_id in made)


def test_a_photos_derivative_key_names_its_media_folder_and_neither_owner_nor_photo() -> None:
    photo = make_photo("alice")
    key = keys.derivative_key(photo, "thumb")
    assert key == f"media/{photo.media_id}/thumb.webp"
    assert "alice" not in key and photo.photo_id not in key


def test_an_item_written_before_media_ids_keeps_its_owner_and_id_folder() -> None:
    photo = dataclasses.replace(make_photo("alice"), media_id=None)
    assert keys.derivative_key(photo, "preview") == f"media/alice/{photo.photo_id}/preview.webp"
    assert keys.photo_media_prefix(photo) == f"media/alice/{photo.photo_id}/"


@pytest.mark.parametrize("media_id", ["", "../uploads", "a/b", "x" * 21, "x" * 23, "bob/0197a1b2-c3d4-7e5f"])
def test_a_media_id_that_is_not_one_never_becomes_a_key(media_id: str) -> None:
    # A key is one folder under media/, whatever an item holds: never another's folder, never the bucket's root
    with pytest.raises(ValueError, match="not a media id"):
        keys.media_prefix(media_id)
