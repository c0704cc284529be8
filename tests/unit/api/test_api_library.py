"""Library use cases on in-memory ports: uploads, gallery, detail and deletion."""

from __future__ import annotations

import pytest

from photovault import keys
from photovault.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from photovault.model import PhotoStatus
from tests.unit.api.fakes import make_photo, make_world

MB = 1024 * 1024


def test_an_upload_creates_a_pending_photo_and_a_post_for_exactly_its_key() -> None:
    # Given alice
    world = make_world()
    # When she asks to upload "C:\\pics\\beach.JPG" as image/JPEG
    ticket = world.library.request_upload("alice", filename="C:\\pics\\beach.JPG", content_type="image/JPEG", size=MB)
    # Then a PENDING photo exists with the cleaned filename, and the POST targets uploads/alice/<id>
    photo = world.repo.get("alice", ticket.photo_id)
    assert photo is not None and photo.status is PhotoStatus.PENDING
    assert photo.filename == "beach.JPG" and photo.content_type == "image/jpeg"
    assert ticket.key == keys.originals_key("alice", ticket.photo_id)
    assert world.presigner.posts == [
        {"key": ticket.key, "content_type": "image/jpeg", "max_bytes": 50 * MB, "expires_in": 600}
    ]


@pytest.mark.parametrize("content_type", ["application/pdf", "image/svg+xml", "text/html", "image/jpeg; x=1"])
def test_a_type_outside_the_allow_list_is_415_and_creates_nothing(content_type: str) -> None:
    world = make_world()
    with pytest.raises(UnsupportedMediaType):
        world.library.request_upload("alice", filename="a", content_type=content_type, size=10)
    assert world.repo.photos == {}


def test_a_declared_size_over_the_limit_is_413() -> None:
    world = make_world(max_upload_bytes=5 * MB)
    with pytest.raises(PayloadTooLarge) as info:
        world.library.request_upload("alice", filename="a.jpg", content_type="image/jpeg", size=5 * MB + 1)
    assert info.value.details == {"field": "size", "max_bytes": 5 * MB}


def test_the_gallery_lists_only_the_owners_photos_newest_first_with_thumbnails() -> None:
    world = make_world()
    old = world.repo.add(make_photo("alice", now_ms=1_000))
    new = world.repo.add(make_photo("alice", now_ms=2_000))
    world.repo.add(make_photo("bob", now_ms=3_000))
    listing = world.library.list_photos("alice", limit=10, cursor=None)
    assert [item.photo_id for item in listing.items] == [new.photo_id, old.photo_id]
    assert listing.items[0].thumb_url == f"https://cdn.example/media/alice/{new.photo_id}/thumb.webp?Expires=1710000600"


def test_another_users_photo_is_not_found_and_a_malformed_id_too() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    for owner, photo_id in (("bob", photo.photo_id), ("alice", "../../etc"), ("alice", "")):
        with pytest.raises(NotFound) as info:
            world.library.get_photo(owner, photo_id)
        assert photo.photo_id not in str(info.value.details)


def test_the_detail_has_every_stored_field_and_short_lived_urls() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice", filename="x.jpg"))
    detail = world.library.get_photo("alice", photo.photo_id)
    assert detail.photo["analysis"]["labels"][0]["name"] == "Dog"
    assert detail.photo["facts"]["width"] == 4000
    assert detail.urls.expires_at == 1_710_000_600
    assert detail.urls.thumb and detail.urls.preview and detail.urls.original


def test_delete_removes_everything_once_and_a_second_delete_is_404() -> None:
    # Given a READY photo with terms, facets, a hash record, objects and a share
    world = make_world()
    photo = world.repo.add(make_photo("alice", labels=[("Dog", 95.0), ("Beach", 90.0)]))
    world.repo.add(make_photo("alice", labels=[("Dog", 95.0)]))
    world.objects.add_photo(photo)
    share = world.sharing.create("alice", photo.photo_id, expires_in=3600, max_views=None)
    # When alice deletes it
    world.library.delete_photo("alice", photo.photo_id)
    # Then nothing of it is left and the facets went down by one
    assert world.repo.get("alice", photo.photo_id) is None
    assert world.repo.terms_of("alice", photo.photo_id) == set()
    assert photo.facts is not None and ("alice", photo.facts.sha256) not in world.repo.hashes
    assert world.objects.originals == {} and world.objects.derivatives == set()
    assert world.shares.get(share.token) is None
    assert world.repo.facets[("alice", "Dog")] == 1 and world.repo.facets[("alice", "Beach")] == 0
    # And deleting again changes nothing
    with pytest.raises(NotFound):
        world.library.delete_photo("alice", photo.photo_id)
    assert world.repo.facets[("alice", "Dog")] == 1


def test_bobs_delete_of_alices_photo_is_404_and_deletes_nothing() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    world.objects.add_photo(photo)
    with pytest.raises(NotFound):
        world.library.delete_photo("bob", photo.photo_id)
    assert world.repo.get("alice", photo.photo_id) is not None and world.objects.originals


def test_too_many_query_words_is_a_400_on_q() -> None:
    world = make_world()
    with pytest.raises(InvalidInput) as info:
        world.library.search("alice", query=" ".join(f"word{i}" for i in range(9)), limit=5, cursor=None)
    assert info.value.details == {"field": "q"}
