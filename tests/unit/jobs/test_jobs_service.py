"""The API's side of jobs on port fakes: a request is checked by its kind, stored and queued; a job is only its
owner's, only until it expires, and its links are minted fresh on every read."""

from __future__ import annotations

import pytest

from photovault.errors import InvalidInput, NotFound, PhotoVaultError
from photovault.jobs.model import JobState
from tests.unit.jobs.jobworld import JobWorld

OWNER, OTHER = "alice-0001", "bob-0002"


def test_a_job_is_stored_queued_and_counted() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 4)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos] * 2})
    assert job.state is JobState.QUEUED and job.progress.total == 4
    assert world.queue.messages == [(OWNER, job.job_id)]
    assert job.expires_at == int(world.clock.now) + 3 * 86_400


def test_an_unknown_kind_is_refused() -> None:
    world = JobWorld()
    with pytest.raises(InvalidInput):
        world.jobs.submit(OWNER, "teleport", {})


def test_a_job_that_cannot_be_queued_is_failed_not_left_waiting() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 1)
    world.queue.broken = True
    with pytest.raises(PhotoVaultError):
        world.jobs.submit(OWNER, "download", {"photo_ids": [photos[0].photo_id]})
    (job,) = world.repo.jobs.values()
    assert job.state is JobState.FAILED and job.error is not None and job.error.code == "not_queued"


def test_only_the_owner_sees_a_job_and_only_until_it_expires() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 1)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [photos[0].photo_id]})
    assert world.jobs.get(OWNER, job.job_id).job.job_id == job.job_id
    with pytest.raises(NotFound):
        world.jobs.get(OTHER, job.job_id)
    with pytest.raises(NotFound):
        world.jobs.get(OWNER, "not-a-job-id")
    world.clock.now = job.expires_at
    with pytest.raises(NotFound):
        world.jobs.get(OWNER, job.job_id)


def test_links_are_minted_on_every_read_for_the_exact_version_written() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 30)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})
    world.run()
    first = world.jobs.get(OWNER, job.job_id)
    world.clock.now += 600
    second = world.jobs.get(OWNER, job.job_id)
    assert len(first.links) == 2
    for old, new in zip(first.links, second.links, strict=True):
        assert new.expires_at == old.expires_at + 600 == int(world.clock.now) + 900
        assert f"versionId={new.output.version_id}" in new.url and new.output.key in new.url
