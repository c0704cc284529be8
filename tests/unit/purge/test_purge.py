"""The purge on port fakes: a removed photo leaves nothing behind, a replay changes nothing, other photos and other
owners are untouched, and one failing step neither stops the others nor loses the retry."""

from __future__ import annotations

import dataclasses

import pytest

from photovault import keys
from photovault.library.service import Action
from photovault.library.views import Outcome
from photovault.model import Photo, PhotoStatus
from photovault.purge.service import CleanupStep, PurgeIncomplete, PurgePhoto, cleanup_steps
from tests.support.fakes import World, make_photo, make_world

OWNER, OTHER = "alice-0001", "bob-0002"


def purge_of(world: World) -> PurgePhoto:
    return world.purge


def stored(world: World, photo: Photo, *, shares: int = 1) -> Photo:
    """A processed photo with everything it points at: terms, hash record, facets, original versions, derivatives and
    share links."""
    photo = world.repo.add(photo)
    world.objects.add_photo(photo)
    for _ in range(shares):
        world.sharing.create(photo.owner, photo.photo_id, expires_in=3600, max_views=None)
    return photo


def removed(world: World, photo: Photo) -> Photo:
    """What the stream reports: the item as it was, now gone from the table."""
    del world.repo.photos[(photo.owner, photo.photo_id)]
    return photo


def leftovers(world: World, photo: Photo) -> dict[str, int]:
    return {
        "terms": len(world.repo.terms_of(photo.owner, photo.photo_id)),
        "hash": int(photo.facts is not None and (photo.owner, photo.facts.sha256) in world.repo.hashes),
        "shares": sum(s.photo_id == photo.photo_id for s in world.shares.shares.values()),
        "original versions": world.objects.originals.get(keys.originals_key(photo.owner, photo.photo_id), 0),
        "derivatives": sum(k.startswith(keys.photo_media_prefix(photo)) for k in world.objects.derivatives),
    }


NOTHING = {"terms": 0, "hash": 0, "shares": 0, "original versions": 0, "derivatives": 0}


def test_a_removed_photo_leaves_nothing_behind() -> None:
    # Given a processed photo with two share links, removed from the table
    world = make_world()
    photo = removed(world, stored(world, make_photo(OWNER, labels=[("Lighthouse", 97.0)]), shares=2))
    assert leftovers(world, photo) != NOTHING

    # When it is purged
    outcome = purge_of(world)(photo)

    # Then nothing of it remains, and the outcome counts what went
    assert leftovers(world, photo) == NOTHING
    assert outcome.removed["shares"] == 2
    assert outcome.removed["originals"] == 2  # the fake's two versions
    assert outcome.removed["derivatives"] == 2  # thumb and preview
    assert outcome.objects == 4


def test_a_photo_rendered_before_media_ids_loses_its_derivatives_at_the_old_keys() -> None:
    # Given a photo whose item has no media id: its derivatives are at media/<sub>/<photo_id>/
    world = make_world()
    photo = dataclasses.replace(make_photo(OWNER), media_id=None)
    photo = removed(world, stored(world, photo))
    assert {k for k in world.objects.derivatives if k.startswith(f"media/{OWNER}/{photo.photo_id}/")} == {
        f"media/{OWNER}/{photo.photo_id}/thumb.webp",
        f"media/{OWNER}/{photo.photo_id}/preview.webp",
    }
    # When it is purged
    outcome = purge_of(world)(photo)
    # Then they are gone
    assert outcome.removed["derivatives"] == 2 and world.objects.derivatives == set()


def test_replaying_the_same_removal_is_harmless() -> None:
    world = make_world()
    photo = removed(world, stored(world, make_photo(OWNER)))
    purge = purge_of(world)
    purge(photo)

    again = purge(photo)

    assert leftovers(world, photo) == NOTHING
    assert again.objects == 0 and again.removed["shares"] == 0


def test_other_photos_and_other_owners_are_untouched() -> None:
    world = make_world()
    doomed = removed(world, stored(world, make_photo(OWNER)))
    kept = stored(world, make_photo(OWNER))
    theirs = stored(world, make_photo(OTHER))
    before = {id(p): leftovers(world, p) for p in (kept, theirs)}

    purge_of(world)(doomed)

    assert {id(p): leftovers(world, p) for p in (kept, theirs)} == before
    assert world.repo.facets[(OWNER, "Dog")] == 2  # the facet counts were the remover's to move, never the purge's


def test_a_duplicates_purge_keeps_the_hash_record_of_the_photo_it_duplicates() -> None:
    world = make_world()
    first = stored(world, make_photo(OWNER))
    assert first.facts is not None
    duplicate = make_photo(OWNER, status=PhotoStatus.DUPLICATE)
    duplicate = dataclasses.replace(duplicate, facts=first.facts, duplicate_of=first.photo_id)
    duplicate = removed(world, stored(world, duplicate, shares=0))

    purge_of(world)(duplicate)

    assert world.repo.hashes[(OWNER, first.facts.sha256)] == first.photo_id


def test_a_pending_upload_that_never_arrived_is_purged_too() -> None:
    world = make_world()
    pending = make_photo(OWNER, status=PhotoStatus.PENDING)
    pending = dataclasses.replace(pending, facts=None, derivatives={}, indexed_terms=(), indexed_labels=())
    world.repo.photos[(OWNER, pending.photo_id)] = pending
    world.objects.originals[keys.originals_key(OWNER, pending.photo_id)] = 1  # the bytes came after all
    removed(world, pending)

    outcome = purge_of(world)(pending)

    assert outcome.removed["originals"] == 1 and leftovers(world, pending) == NOTHING


def test_a_failing_step_does_not_stop_the_others_and_the_retry_finishes() -> None:
    # Given S3 down for the originals
    world = make_world()
    photo = removed(world, stored(world, make_photo(OWNER)))
    steps = cleanup_steps(
        shares=world.shares,
        albums=world.album_repo,
        leftovers=world.repo,
        originals=world.objects,
        derivatives=world.objects,
    )
    outage = {"on": True}

    def flaky(original: CleanupStep) -> CleanupStep:
        def run(p: Photo) -> int:
            if outage["on"]:
                raise ConnectionError("S3 unreachable")
            return original.run(p)

        return CleanupStep(original.name, run)

    purge = PurgePhoto([flaky(s) if s.name == "originals" else s for s in steps])

    # When the purge runs, it fails — after every other step did its part
    with pytest.raises(PurgeIncomplete) as raised:
        purge(photo)
    assert set(raised.value.failures) == {"originals"}
    assert leftovers(world, photo) == {**NOTHING, "original versions": 2}

    # Then the retry (the stream redelivers the record) completes it
    outage["on"] = False
    purge(photo)
    assert leftovers(world, photo) == NOTHING


def test_cleanup_steps_run_links_first_then_items_then_bytes_and_names_are_unique() -> None:
    world = make_world()
    purge = purge_of(world)
    assert purge.step_names == ("shares", "albums", "index", "originals", "derivatives")
    with pytest.raises(ValueError, match="distinct"):
        PurgePhoto([CleanupStep("x", lambda p: 0), CleanupStep("x", lambda p: 0)])


def test_a_photo_removed_while_still_in_an_album_leaves_the_album_once() -> None:
    # Given a photo in an album whose item is removed without passing through the trash (as account deletion does)
    world = make_world()
    photo = stored(world, make_photo(OWNER), shares=0)
    album = world.albums.create(OWNER, name="Harbour").album.album_id
    added = world.library.act(OWNER, Action.ADD_TO_ALBUM, [photo.photo_id], album)
    assert [r.outcome for r in added] == [Outcome.OK]
    photo = removed(world, world.repo.photos[(OWNER, photo.photo_id)])

    # When the purge runs, and runs again (a replayed record)
    first, again = world.purge(photo), world.purge(photo)

    # Then the membership is gone and the album's count went down exactly once
    assert first.removed["albums"] == 1 and again.removed["albums"] == 0
    assert world.album_repo.members[(OWNER, album)] == {}
    assert world.albums.get(OWNER, album).album.photo_count == 0
