"""Per-user upload quotas at POST /uploads on in-memory ports: uploads per rolling hour, unfinished uploads at once,
stored bytes — each refused with nothing created, each owner counted on their own."""

from __future__ import annotations

import dataclasses

import pytest

from photovault.library.quota import QuotaExceeded, QuotaLimits
from photovault.model import ImageFacts, PhotoStatus
from photovault.ports import Usage
from tests.support.fakes import World, make_world

MB = 1024 * 1024


def _upload(world: World, owner: str = "alice", size: int = MB) -> str:
    return world.library.request_upload(owner, filename="a.jpg", content_type="image/jpeg", size=size).photo.photo_id


def _end(world: World, owner: str, photo_id: str, status: PhotoStatus, size: int = MB) -> None:
    """The pipeline finished the upload (as ``finish`` would leave the item)."""
    photo = world.repo.photos[(owner, photo_id)]
    facts = ImageFacts(format="JPEG", mime_type="image/jpeg", width=1, height=1, size_bytes=size, sha256="0" * 64)
    world.repo.photos[(owner, photo_id)] = dataclasses.replace(photo, status=status, facts=facts, expires_at=None)


def test_the_upload_after_the_hourly_limit_is_429_with_when_to_retry_and_creates_nothing() -> None:
    # Given alice may start 3 uploads an hour and started 3, one minute apart, all finished
    world = make_world(quota=QuotaLimits(uploads_per_hour=3))
    for _ in range(3):
        _end(world, "alice", _upload(world), PhotoStatus.READY)
        world.clock.now += 60
    photos = dict(world.repo.photos)
    # When she starts a fourth two minutes after the last
    world.clock.now += 60
    with pytest.raises(QuotaExceeded) as info:
        _upload(world)
    # Then it is refused as throttled, retry when the first leaves the hour (3600 - 4 min), and nothing was created
    assert info.value.http_status == 429 and info.value.details == {"limit": "uploads_per_hour"}
    assert info.value.retry_after == 3600 - 4 * 60
    assert "3 uploads an hour" in info.value.message
    assert world.repo.photos == photos
    # And once that hour has passed, she may upload again (the window rolls: one slot freed, not all)
    world.clock.now += 3600 - 4 * 60
    _upload(world)
    with pytest.raises(QuotaExceeded):
        _upload(world)


def test_unfinished_uploads_are_limited_and_each_way_an_upload_ends_frees_its_slot() -> None:
    # Given alice may have 4 uploads unfinished and has 4
    world = make_world(quota=QuotaLimits(pending=4))
    ready, rejected, deleted, expired = (_upload(world) for _ in range(4))
    # Then a fifth is refused
    with pytest.raises(QuotaExceeded) as info:
        _upload(world)
    assert info.value.details == {"limit": "pending"} and info.value.retry_after == 60
    # When one ends READY, one REJECTED, one is deleted: three slots free
    _end(world, "alice", ready, PhotoStatus.READY)
    _end(world, "alice", rejected, PhotoStatus.REJECTED)
    del world.repo.photos[("alice", deleted)]
    for _ in range(3):
        _upload(world)
    with pytest.raises(QuotaExceeded):
        _upload(world)
    # And when uploads whose files never came expire, their slots free too (all four here were started together)
    world.clock.now = world.repo.photos[("alice", expired)].expires_at or 0
    assert world.repo.photos[("alice", expired)].upload_expired(world.clock.now)
    for _ in range(4):
        _upload(world)
    with pytest.raises(QuotaExceeded):
        _upload(world)


def test_a_processing_upload_still_holds_its_slot() -> None:
    world = make_world(quota=QuotaLimits(pending=1))
    _end(world, "alice", _upload(world), PhotoStatus.PROCESSING)
    with pytest.raises(QuotaExceeded):
        _upload(world)


def test_bytes_count_as_declared_then_as_stored_and_are_given_back_by_an_upload_that_kept_nothing() -> None:
    # Given alice may store 10 MB
    world = make_world(quota=QuotaLimits(bytes=10 * MB))
    kept = _upload(world, size=6 * MB)
    # Then 6 MB are counted while it is unfinished: 5 MB more is refused, without a Retry-After (time frees nothing)
    with pytest.raises(QuotaExceeded) as info:
        _upload(world, size=5 * MB)
    assert info.value.details == {"limit": "bytes"} and info.value.retry_after is None
    # When the photo ends READY at its real 2 MB, and a 4 MB upload ends DUPLICATE (it keeps no bytes)
    _end(world, "alice", kept, PhotoStatus.READY, size=2 * MB)
    duplicate = _upload(world, size=4 * MB)
    _end(world, "alice", duplicate, PhotoStatus.DUPLICATE, size=4 * MB)
    # Then 2 MB are counted: 8 MB fit exactly, one byte more does not
    _upload(world, size=8 * MB)
    assert world.repo.usage("alice").bytes == 10 * MB
    with pytest.raises(QuotaExceeded):
        _upload(world, size=1)


def test_one_owners_limit_never_refuses_another_owner() -> None:
    world = make_world(quota=QuotaLimits(uploads_per_hour=1, pending=1))
    _upload(world, "alice")
    with pytest.raises(QuotaExceeded):
        _upload(world, "alice")
    _upload(world, "bob")


def test_a_request_that_loses_the_write_to_another_reads_again_and_is_refused_at_the_limit() -> None:
    # Given alice may have 1 upload unfinished, and another request of hers wins the write after this one read
    world = make_world(quota=QuotaLimits(pending=1))
    repo = world.repo
    real_usage = repo.usage
    reads: list[Usage] = []

    def usage_then_race(owner: str) -> Usage:
        reads.append(real_usage(owner))
        if len(reads) == 1:
            repo.usage = real_usage  # type: ignore[method-assign]
            _upload(world)  # the other request, between this one's read and its write
            repo.usage = usage_then_race  # type: ignore[method-assign]
        return reads[-1]

    repo.usage = usage_then_race  # type: ignore[method-assign]
    # When this request writes
    with pytest.raises(QuotaExceeded) as info:
        _upload(world)
    # Then its first write failed on the revision, the second read saw the other upload, and it was refused
    assert info.value.details == {"limit": "pending"}
    assert [usage.revision for usage in reads] == [0, 1] and len(repo.photos) == 1


def test_a_stored_photo_purged_later_gives_its_bytes_back_once_even_when_the_purge_is_replayed() -> None:
    # Given alice's 2 MB photo ended READY and a later 5 MB request settled it (10 MB allowed, 7 MB counted)
    world = make_world(quota=QuotaLimits(bytes=10 * MB))
    kept = _upload(world, size=6 * MB)
    _end(world, "alice", kept, PhotoStatus.READY, size=2 * MB)
    _end(world, "alice", _upload(world, size=5 * MB), PhotoStatus.REJECTED)
    assert world.repo.usage("alice").bytes == 7 * MB and kept not in world.repo.usage("alice").open
    # When it is deleted for good and the purge runs twice (a replayed stream record)
    photo = world.repo.photos.pop(("alice", kept))
    world.purge(photo)
    world.purge(photo)
    # Then its 2 MB are free once: 10 MB fit (the rejected upload's 5 MB are given back by this request's settling)
    _upload(world, size=10 * MB)
    with pytest.raises(QuotaExceeded):
        _upload(world, size=1)


def test_a_photo_purged_while_its_upload_is_open_is_given_back_by_the_next_request_only() -> None:
    # Given alice's upload ended READY and was deleted before any request settled it
    world = make_world(quota=QuotaLimits(bytes=10 * MB))
    kept = _upload(world, size=6 * MB)
    _end(world, "alice", kept, PhotoStatus.READY, size=2 * MB)
    world.purge(world.repo.photos.pop(("alice", kept)))
    # Then the purge left the counter alone and the next request took back what was counted (6 MB declared), once
    assert world.repo.usage("alice").bytes == 6 * MB
    _upload(world, size=10 * MB)
    assert world.repo.usage("alice").bytes == 10 * MB


def test_an_upload_far_from_every_limit_reads_only_the_quota_item() -> None:
    # Given alice has three uploads open, far from her limits
    world = make_world(quota=QuotaLimits(pending=5))
    for _ in range(3):
        _upload(world)
    reads: list[int] = []
    real = world.repo.open_uploads
    world.repo.open_uploads = lambda owner, ids: reads.append(len(ids)) or real(owner, ids)  # type: ignore[method-assign]
    # When she starts a fourth and fifth, then a sixth (over the limit as counted)
    _upload(world)
    _upload(world)
    assert reads == []
    with pytest.raises(QuotaExceeded):
        _upload(world)
    # Then only the refused one read the open uploads, once, to settle them
    assert reads == [5]
