"""Actions on a selection: bounded, a result per photo, idempotent when retried; media URLs renewed in bulk."""

from __future__ import annotations

import dataclasses

import pytest

from photovault.errors import InvalidInput, NotFound
from photovault.library.service import Action
from photovault.library.views import Outcome
from photovault.model import PhotoStatus
from photovault.ports import Collection, LibraryView
from tests.support.fakes import make_photo, make_world


def test_a_hundred_photos_go_to_the_trash_and_back_in_one_call_each_and_a_retry_changes_nothing() -> None:
    # Given 100 of alice's photos
    world = make_world()
    photos = [world.repo.add(make_photo("alice", now_ms=1_000 + i)) for i in range(100)]
    ids = [p.photo_id for p in photos]
    # When she trashes all of them in one call, and the call is retried
    first = world.library.act("alice", Action.TRASH, ids)
    retried = world.library.act("alice", Action.TRASH, ids)
    # Then each has its result, in order, and the trash holds exactly those 100
    assert [r.photo_id for r in first] == ids
    assert {r.outcome for r in first + retried} == {Outcome.OK}
    trash = world.library.list_photos("alice", LibraryView(Collection.TRASH), limit=100, cursor=None)
    assert len(trash.items) == 100
    assert world.library.list_photos("alice", LibraryView(Collection.TIMELINE), limit=10, cursor=None).items == []
    assert world.repo.facets[("alice", "Dog")] == 0
    # When she restores them all
    restored = world.library.act("alice", Action.RESTORE, ids)
    assert {r.outcome for r in restored} == {Outcome.OK}
    assert world.repo.facets[("alice", "Dog")] == 100
    assert [(m.month, m.count) for m in world.library.months("alice")] == [("2024-03", 100)]


def test_each_photo_gets_its_own_result() -> None:
    world = make_world()
    ready = world.repo.add(make_photo("alice"))
    rejected = world.repo.add(make_photo("alice", status=PhotoStatus.REJECTED))
    bobs = world.repo.add(make_photo("bob"))
    results = world.library.act("alice", Action.FAVORITE, [ready.photo_id, rejected.photo_id, bobs.photo_id, "x"])
    assert [(r.photo_id, r.outcome) for r in results] == [
        (ready.photo_id, Outcome.OK),
        (rejected.photo_id, Outcome.CONFLICT),
        (bobs.photo_id, Outcome.NOT_FOUND),
        ("x", Outcome.NOT_FOUND),
    ]
    assert world.repo.photos[("bob", bobs.photo_id)].favorite is False
    # Deleting for good what is not in the trash is a conflict, photo by photo
    assert [r.outcome for r in world.library.act("alice", Action.DELETE_FOREVER, [ready.photo_id])] == [
        Outcome.CONFLICT
    ]


def test_a_selection_is_one_to_a_hundred_distinct_ids_and_album_actions_need_an_album() -> None:
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    for ids in ([], [f"id-{i}" for i in range(101)]):
        with pytest.raises(InvalidInput):
            world.library.act("alice", Action.FAVORITE, ids)
    assert len(world.library.act("alice", Action.FAVORITE, [photo.photo_id] * 150)) == 1  # duplicates count once
    for album_id in (None, "not-an-album", "01900000-0000-7000-8000-000000000000"):
        with pytest.raises(NotFound):
            world.library.act("alice", Action.ADD_TO_ALBUM, [photo.photo_id], album_id)


def test_a_photo_changed_between_read_and_write_is_read_again() -> None:
    # Given a photo whose item moves on (a reprocess finished) after the action read it
    world = make_world()
    photo = world.repo.add(make_photo("alice"))
    key = ("alice", photo.photo_id)
    world.repo.photos[key] = dataclasses.replace(world.repo.photos[key], revision=7)
    # When the trash is applied from the stale read
    world.library._act(photo, Action.TRASH, None)
    # Then it re-read the photo and applied the change on the current revision
    assert world.repo.photos[("alice", photo.photo_id)].trashed_at is not None


def test_media_urls_are_renewed_for_the_callers_ready_photos_only() -> None:
    world = make_world()
    ready = world.repo.add(make_photo("alice"))
    pending = world.repo.add(make_photo("alice", status=PhotoStatus.PENDING))
    bobs = world.repo.add(make_photo("bob"))
    world.clock.now += 900  # the page has been open for 15 minutes
    renewed = world.library.media_urls("alice", [ready.photo_id, pending.photo_id, bobs.photo_id, "junk"])
    assert [s.photo.photo_id for s in renewed] == [ready.photo_id]
    assert renewed[0].links.expires_at == int(world.clock.now) + 600
    assert renewed[0].links.thumb and f"Expires={renewed[0].links.expires_at}" in renewed[0].links.thumb
