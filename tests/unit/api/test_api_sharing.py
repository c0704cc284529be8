"""Share links on in-memory ports: who can share what, and when a link stops working."""

from __future__ import annotations

import pytest

from photovault.errors import Gone, InvalidInput, NotFound
from photovault.model import PhotoStatus
from photovault.sharing.service import NotShareable
from tests.support.fakes import World, make_photo, make_world


def _shared(world: World, **kwargs: int | None) -> tuple[str, str]:
    photo = world.repo.add(make_photo("alice", caption="sunset over the bay"))
    created = world.sharing.create(
        "alice", photo.photo_id, expires_in=int(kwargs.get("expires_in") or 3600), max_views=kwargs.get("max_views")
    )
    assert created.url == f"https://vault.example/s/{created.share.token}"  # the web app's page, a real path
    return photo.photo_id, created.share.token


def test_a_valid_link_shows_the_caption_and_a_preview_url_of_at_most_five_minutes() -> None:
    world = make_world()
    photo_id, token = _shared(world)
    shown = world.sharing.view(token)
    assert shown.photo.caption is not None and shown.photo.caption.text == "sunset over the bay"
    assert shown.preview_expires_at - world.clock.now <= 300
    assert f"/media/{shown.photo.media_id}/preview.webp?" in shown.preview_url
    assert "alice" not in shown.preview_url and photo_id not in shown.preview_url
    assert world.shares.shares[token].views == 1


def test_the_preview_url_never_outlives_the_share() -> None:
    world = make_world()
    _, token = _shared(world, expires_in=60)
    shown = world.sharing.view(token)
    assert shown.preview_expires_at == shown.link_expires_at == int(world.clock.now) + 60


@pytest.mark.parametrize("status", [PhotoStatus.QUARANTINED, PhotoStatus.REJECTED, PhotoStatus.PENDING])
def test_unfinished_or_refused_photos_cannot_be_shared(status: PhotoStatus) -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice", status=status))
    with pytest.raises(NotShareable):
        world.sharing.create("alice", photo.photo_id, expires_in=3600, max_views=None)


def test_sharing_someone_elses_photo_is_404() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    with pytest.raises(NotFound):
        world.sharing.create("bob", photo.photo_id, expires_in=3600, max_views=None)


@pytest.mark.parametrize(("expires_in", "max_views"), [(59, None), (30 * 86400 + 1, None), (3600, 0)])
def test_out_of_range_share_settings_are_400(expires_in: int, max_views: int | None) -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    with pytest.raises(InvalidInput):
        world.sharing.create("alice", photo.photo_id, expires_in=expires_in, max_views=max_views)


def test_a_link_stops_after_its_views_expiry_or_revocation() -> None:
    world = make_world()
    _, limited = _shared(world, max_views=2)
    world.sharing.view(limited)
    world.sharing.view(limited)
    with pytest.raises(Gone):
        world.sharing.view(limited)
    assert world.shares.shares[limited].views == 2  # a refused view is not counted

    _, expiring = _shared(world, expires_in=60)
    world.clock.now += 60
    with pytest.raises(Gone):
        world.sharing.view(expiring)

    _, revoked = _shared(world)
    with pytest.raises(NotFound):
        world.sharing.revoke("bob", revoked)  # only the owner revokes
    world.sharing.revoke("alice", revoked)
    world.sharing.revoke("alice", revoked)  # idempotent
    with pytest.raises(Gone):
        world.sharing.view(revoked)


@pytest.mark.parametrize("token", ["", "short", "../../x", "wellFormedButUnknownToken0123456", "A" * 200])
def test_unknown_or_malformed_tokens_are_404(token: str) -> None:
    world = make_world()
    _shared(world)
    with pytest.raises(NotFound):
        world.sharing.view(token)


def test_a_share_of_a_photo_that_was_later_quarantined_shows_nothing() -> None:
    world = make_world()
    photo_id, token = _shared(world)
    world.repo.photos[("alice", photo_id)].status = PhotoStatus.QUARANTINED
    with pytest.raises(NotFound):
        world.sharing.view(token)


def test_the_owner_lists_their_shares_with_state_and_pages() -> None:
    world = make_world()
    tokens = []
    for _ in range(3):
        tokens.append(_shared(world)[1])
        world.clock.now += 1
    world.sharing.revoke("alice", tokens[0])
    first = world.sharing.list("alice", limit=2, cursor=None)
    second = world.sharing.list("alice", limit=2, cursor=first.cursor)
    assert [link.share.token for link in first.items + second.items] == tokens[::-1]
    assert second.items[-1].state == "revoked" and first.items[0].state == "active"
    assert world.sharing.list("bob", limit=10, cursor=None).items == []


def test_opening_a_link_that_can_show_nothing_spends_no_view() -> None:
    world = make_world()
    photo_id, token = _shared(world, max_views=1)
    world.repo.photos[("alice", photo_id)].status = PhotoStatus.PROCESSING  # being reprocessed
    for _ in range(3):
        with pytest.raises(NotFound):
            world.sharing.view(token)
    world.repo.photos[("alice", photo_id)].status = PhotoStatus.READY

    assert world.sharing.view(token).preview_url  # the one allowed view is still there
    with pytest.raises(Gone):
        world.sharing.view(token)


def _shared_album(world: World, *, max_views: int | None = None, photos: int = 2) -> tuple[str, str, list[str]]:
    from photovault.library.service import Action

    album_id = world.albums.create("alice", name="Harbour").album.album_id
    ids = [
        world.repo.add(make_photo("alice", caption=f"boat {i}", taken_at=f"2023-06-0{i + 1}T10:00:00")).photo_id
        for i in range(photos)
    ]
    world.library.act("alice", Action.ADD_TO_ALBUM, ids, album_id)
    link = world.sharing.create_for_album("alice", album_id, expires_in=3600, max_views=max_views)
    assert link.url == f"https://vault.example/a/{link.share.token}" and link.share.kind == "album"
    return album_id, link.share.token, ids


def test_an_album_link_shows_exactly_the_albums_library_photos_with_short_urls() -> None:
    # Given a shared album of two photos, alice's other photos, a REJECTED upload and a trashed album photo
    world = make_world()
    album_id, token, ids = _shared_album(world, photos=3)
    world.repo.add(make_photo("alice", caption="not in the album"))
    world.repo.add(make_photo("alice", status=PhotoStatus.REJECTED))
    world.library.trash("alice", ids[2])
    # When anyone opens the link
    page = world.sharing.view_album(token, cursor=None)
    # Then they see the album's title and exactly its two library photos, oldest first, with URLs of ≤ 5 minutes
    assert page.title == "Harbour"
    assert [item.photo.photo_id for item in page.items] == ids[:2]
    assert page.urls_expire_at - world.clock.now <= 300
    assert all("Expires=" in item.thumb_url and "preview.webp" in item.preview_url for item in page.items)


def test_an_album_link_counts_a_view_per_opening_and_pages_without_counting() -> None:
    world = make_world(album_page_size=2)
    _, token, ids = _shared_album(world, max_views=1, photos=3)
    first = world.sharing.view_album(token, cursor=None)
    assert first.cursor is not None and world.shares.shares[token].views == 1
    # The visit goes on to its second page although the one allowed view is spent
    second = world.sharing.view_album(token, cursor=first.cursor)
    assert [i.photo.photo_id for i in first.items + second.items] == ids
    # But a new opening is refused, and a cursor is only good for its own link
    with pytest.raises(Gone):
        world.sharing.view_album(token, cursor=None)
    _, other, _ = _shared_album(world)
    with pytest.raises(InvalidInput):
        world.sharing.view_album(other, cursor=first.cursor)


def test_a_revoked_or_expired_album_link_shows_nothing_even_with_a_cursor() -> None:
    world = make_world(album_page_size=1)
    _, token, _ = _shared_album(world, photos=3)
    first = world.sharing.view_album(token, cursor=None)
    world.sharing.revoke("alice", token)
    for cursor in (None, first.cursor):
        with pytest.raises(Gone):
            world.sharing.view_album(token, cursor=cursor)
    _, expiring, _ = _shared_album(world, photos=3)
    opened = world.sharing.view_album(expiring, cursor=None)
    world.clock.now += 3600
    with pytest.raises(Gone):
        world.sharing.view_album(expiring, cursor=opened.cursor)


def test_album_and_photo_links_do_not_open_each_other_and_someone_elses_album_cannot_be_shared() -> None:
    world = make_world()
    album_id, album_token, ids = _shared_album(world)
    photo_token = world.sharing.create("alice", ids[0], expires_in=600, max_views=None).share.token
    with pytest.raises(NotFound):
        world.sharing.view(album_token)
    with pytest.raises(NotFound):
        world.sharing.view_album(photo_token, cursor=None)
    with pytest.raises(NotFound):
        world.sharing.create_for_album("bob", album_id, expires_in=600, max_views=None)
    kinds = {link.share.kind for link in world.sharing.list("alice", limit=10, cursor=None).items}
    assert kinds == {"photo", "album"}
