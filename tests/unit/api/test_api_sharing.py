"""Share links on in-memory ports: who can share what, and when a link stops working."""

from __future__ import annotations

import pytest

from photovault.errors import Gone, InvalidInput, NotFound
from photovault.model import PhotoStatus
from photovault.sharing.service import NotShareable
from tests.unit.api.fakes import World, make_photo, make_world


def _shared(world: World, **kwargs: int | None) -> tuple[str, str]:
    photo = world.repo.add(make_photo("alice", caption="sunset over the bay"))
    created = world.sharing.create(
        "alice", photo.photo_id, expires_in=int(kwargs.get("expires_in") or 3600), max_views=kwargs.get("max_views")
    )
    return photo.photo_id, created.token


def test_a_valid_link_shows_the_caption_and_a_preview_url_of_at_most_five_minutes() -> None:
    world = make_world()
    photo_id, token = _shared(world)
    shown = world.sharing.view(token)
    assert shown.caption == "sunset over the bay"
    assert shown.url_expires_at - world.clock.now <= 300
    assert f"media/alice/{photo_id}/preview.webp" in shown.preview_url
    assert world.shares.shares[token].views == 1


def test_the_preview_url_never_outlives_the_share() -> None:
    world = make_world()
    _, token = _shared(world, expires_in=60)
    assert world.sharing.view(token).url_expires_at == int(world.clock.now) + 60


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
    assert [s.token for s in first.items + second.items] == tokens[::-1]
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
