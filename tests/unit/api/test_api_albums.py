"""Albums on in-memory ports: create, rename, cover, delete; photos in date order; counts that stay right."""

from __future__ import annotations

import pytest

from photovault.errors import Conflict, InvalidInput, NotFound
from photovault.library.service import Action
from photovault.library.views import Outcome
from photovault.model import PhotoStatus
from tests.support.fakes import World, make_photo, make_world


def _album_ids(world: World, album_id: str, *, newest_first: bool = False, owner: str = "alice") -> list[str]:
    page = world.albums.photos(owner, album_id, newest_first=newest_first, limit=100, cursor=None)
    return [item.photo.photo_id for item in page.items]


def test_an_album_lists_its_photos_in_date_order_and_counts_them_once() -> None:
    # Given three photos taken in another order than uploaded
    world = make_world()
    june, may, july = (
        world.repo.add(make_photo("alice", taken_at=f"2023-{m}-01T10:00:00")) for m in ("06", "05", "07")
    )
    album = world.albums.create("alice", name="  Summer\n 2023 ").album
    assert album.name == "Summer 2023"
    # When alice adds them (one twice)
    results = world.library.act(
        "alice", Action.ADD_TO_ALBUM, [june.photo_id, may.photo_id, july.photo_id], album.album_id
    )
    again = world.library.act("alice", Action.ADD_TO_ALBUM, [june.photo_id], album.album_id)
    # Then the album shows them by date taken (oldest first by default), counted once each
    assert [r.outcome for r in results + again] == [Outcome.OK] * 4
    assert _album_ids(world, album.album_id) == [may.photo_id, june.photo_id, july.photo_id]
    assert _album_ids(world, album.album_id, newest_first=True) == [july.photo_id, june.photo_id, may.photo_id]
    view = world.albums.get("alice", album.album_id)
    assert view.album.photo_count == 3
    # And with no chosen cover the album shows its first photo
    assert view.cover is not None and view.cover.photo.photo_id == may.photo_id
    # And the photo knows its albums
    assert world.repo.photos[("alice", june.photo_id)].album_ids == (album.album_id,)


def test_pages_of_an_album_follow_one_another() -> None:
    world = make_world()
    album_id = world.albums.create("alice", name="Days").album.album_id
    photos = [world.repo.add(make_photo("alice", taken_at=f"2023-01-{d:02d}T10:00:00")) for d in range(1, 6)]
    world.library.act("alice", Action.ADD_TO_ALBUM, [p.photo_id for p in photos], album_id)
    first = world.albums.photos("alice", album_id, newest_first=False, limit=2, cursor=None)
    second = world.albums.photos("alice", album_id, newest_first=False, limit=2, cursor=first.cursor)
    third = world.albums.photos("alice", album_id, newest_first=False, limit=2, cursor=second.cursor)
    seen = [i.photo.photo_id for page in (first, second, third) for i in page.items]
    assert seen == [p.photo_id for p in photos] and third.cursor is None
    other = world.albums.create("alice", name="Other").album.album_id
    with pytest.raises(InvalidInput):  # a cursor belongs to its album
        world.albums.photos("alice", other, newest_first=False, limit=2, cursor=first.cursor)


def test_only_library_photos_can_be_added_and_removing_keeps_the_photo() -> None:
    world = make_world()
    album_id = world.albums.create("alice", name="Mixed").album.album_id
    ready = world.repo.add(make_photo("alice"))
    duplicate = world.repo.add(make_photo("alice", status=PhotoStatus.DUPLICATE))
    bobs = world.repo.add(make_photo("bob"))
    results = world.library.act(
        "alice", Action.ADD_TO_ALBUM, [ready.photo_id, duplicate.photo_id, bobs.photo_id, "not-an-id"], album_id
    )
    assert [r.outcome for r in results] == [Outcome.OK, Outcome.CONFLICT, Outcome.NOT_FOUND, Outcome.NOT_FOUND]
    removed = world.library.act("alice", Action.REMOVE_FROM_ALBUM, [ready.photo_id, ready.photo_id], album_id)
    assert [r.outcome for r in removed] == [Outcome.OK]  # once per distinct id
    assert _album_ids(world, album_id) == [] and world.albums.get("alice", album_id).album.photo_count == 0
    assert world.repo.get("alice", ready.photo_id) is not None
    assert world.repo.photos[("alice", ready.photo_id)].album_ids == ()


def test_someone_elses_album_is_not_found_for_every_operation() -> None:
    world = make_world()
    album_id = world.albums.create("alice", name="Private").album.album_id
    bobs = world.repo.add(make_photo("bob"))
    for attempt in (
        lambda: world.albums.get("bob", album_id),
        lambda: world.albums.photos("bob", album_id, newest_first=False, limit=5, cursor=None),
        lambda: world.albums.update("bob", album_id, name="mine", cover_photo_id=None, clear_cover=False),
        lambda: world.albums.delete("bob", album_id),
        lambda: world.library.act("bob", Action.ADD_TO_ALBUM, [bobs.photo_id], album_id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert world.albums.get("alice", album_id).album.name == "Private"


def test_rename_and_cover_and_back_to_the_first_photo() -> None:
    world = make_world()
    album_id = world.albums.create("alice", name="Trip").album.album_id
    first, second = (world.repo.add(make_photo("alice", taken_at=f"2023-0{m}-01T10:00:00")) for m in (1, 2))
    outsider = world.repo.add(make_photo("alice"))
    world.library.act("alice", Action.ADD_TO_ALBUM, [first.photo_id, second.photo_id], album_id)
    view = world.albums.update("alice", album_id, name="Lisbon", cover_photo_id=second.photo_id, clear_cover=False)
    assert view.album.name == "Lisbon" and view.cover is not None and view.cover.photo.photo_id == second.photo_id
    with pytest.raises(Conflict):  # the cover must be one of the album's photos
        world.albums.update("alice", album_id, name=None, cover_photo_id=outsider.photo_id, clear_cover=False)
    # When the chosen cover leaves the album (trashed), the first photo stands in
    world.library.trash("alice", second.photo_id)
    cover = world.albums.get("alice", album_id).cover
    assert cover is not None and cover.photo.photo_id == first.photo_id
    view = world.albums.update("alice", album_id, name=None, cover_photo_id=None, clear_cover=True)
    assert view.album.cover_photo_id is None
    with pytest.raises(InvalidInput):
        world.albums.update("alice", album_id, name="\n\t ", cover_photo_id=None, clear_cover=False)


def test_deleting_an_album_keeps_its_photos_and_ends_its_links() -> None:
    world = make_world()
    album_id = world.albums.create("alice", name="Gone soon").album.album_id
    photo = world.repo.add(make_photo("alice"))
    world.library.act("alice", Action.ADD_TO_ALBUM, [photo.photo_id], album_id)
    token = world.sharing.create_for_album("alice", album_id, expires_in=600, max_views=None).share.token
    world.albums.delete("alice", album_id)
    assert world.repo.get("alice", photo.photo_id) is not None
    assert world.shares.get(token) is None
    with pytest.raises(NotFound):
        world.albums.get("alice", album_id)
    # The photo's detail no longer names the album, and restoring it after a trash does not bring the album back
    assert world.library.get_photo("alice", photo.photo_id).albums == []
    world.library.trash("alice", photo.photo_id)
    world.library.restore("alice", photo.photo_id)
    assert world.album_repo.members.get(("alice", album_id), {}) == {}


def test_albums_list_newest_first_with_counts_and_covers() -> None:
    world = make_world()
    older = world.albums.create("alice", name="Older").album
    world.clock.now += 1
    newer = world.albums.create("alice", name="Newer").album
    world.albums.create("bob", name="Bob's")
    photo = world.repo.add(make_photo("alice"))
    world.library.act("alice", Action.ADD_TO_ALBUM, [photo.photo_id], newer.album_id)
    listing = world.albums.list_albums("alice", limit=10, cursor=None)
    assert [(v.album.name, v.album.photo_count, v.cover is not None) for v in listing.items] == [
        ("Newer", 1, True),
        ("Older", 0, False),
    ]
    assert older.album_id < newer.album_id
