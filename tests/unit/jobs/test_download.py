"""The download job on port fakes: originals of a selection become zip parts of bounded size, each photo exactly
once with the bytes (and SHA-256) of its original, under unique safe names, with a manifest — and nothing of
another owner is ever read."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from photovault import keys
from photovault.errors import InvalidInput
from photovault.jobs.download import DownloadConfig, DownloadOriginals
from photovault.jobs.model import JobState
from photovault.jobs.runner import StepOutcome
from photovault.model import PhotoStatus
from tests.support.fake_jobs import Crash
from tests.unit.jobs.jobworld import JobWorld, manifest

OWNER, OTHER = "alice-0001", "bob-0002"


def every_entry(world: JobWorld, job_id: str) -> list[tuple[str, str]]:
    """(photo id, SHA-256 of the entry's bytes) of every photo in every part, in order."""
    found = []
    for archive in world.parts(world.job(OWNER, job_id)):
        for item in manifest(archive)["files"]:
            data = archive.read(item["name"])
            assert hashlib.sha256(data).hexdigest() == item["sha256"]
            found.append((item["photo_id"], item["sha256"]))
    return found


def test_sixty_photos_become_parts_with_every_original_once_and_its_sha256() -> None:
    # Given 60 photos, parts of at most 25 photos
    world = JobWorld()
    photos = world.add(OWNER, 60)

    # When their download is asked for and the queue runs it
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in reversed(photos)]})
    reports = world.run()

    # Then: a plan step and three parts of 25, 25 and 10, every original exactly once with its bytes
    done = world.job(OWNER, job.job_id)
    assert [r.outcome for r in reports] == [StepOutcome.ADVANCED] * 3 + [StepOutcome.DONE]
    assert done.state is JobState.DONE and done.progress.done == done.progress.total == 60
    assert [output.items for output in done.outputs] == [25, 25, 10]
    entries = every_entry(world, job.job_id)
    assert sorted(entries) == sorted((p.photo_id, world.sha256[p.photo_id]) for p in photos)
    assert [pid for pid, _ in entries] == sorted(p.photo_id for p in photos)  # upload order
    names = [item["name"] for archive in world.parts(done) for item in manifest(archive)["files"]]
    assert len({n.casefold() for n in names}) == 60
    assert all(output.size_bytes == len(world.exports.objects[output.key]) for output in done.outputs)
    assert done.outputs[0].name.endswith("-part-1.zip") and done.outputs[0].version_id


def test_the_same_filename_twice_gets_two_names() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 3, filename="beach.jpg")
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})
    world.run()
    (archive,) = world.parts(world.job(OWNER, job.job_id))
    assert archive.namelist() == ["beach.jpg", "beach (2).jpg", "beach (3).jpg", "manifest.json"]


def test_parts_stay_within_the_byte_limit() -> None:
    world = JobWorld(config=DownloadConfig(max_part_bytes=10_000, max_part_photos=1000, chunk_bytes=1024))
    photos = world.add(OWNER, 9, size=3000)  # about 3 KB each: 3 per part
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})
    world.run()
    done = world.job(OWNER, job.job_id)
    assert [output.items for output in done.outputs] == [3, 3, 3]
    assert sorted(pid for pid, _ in every_entry(world, job.job_id)) == sorted(p.photo_id for p in photos)


def test_a_part_closes_when_the_steps_time_is_up_and_the_next_step_goes_on() -> None:
    # Given a step budget that lets about 7 originals be read (each read "takes" 10 s of a 75 s budget)
    world = JobWorld()
    world.monotonic.per_read = 10.0
    photos = world.add(OWNER, 20)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})

    world.run(budget=75.0)

    done = world.job(OWNER, job.job_id)
    assert done.state is JobState.DONE
    assert all(1 <= output.items <= 8 for output in done.outputs) and len(done.outputs) >= 3
    assert sorted(pid for pid, _ in every_entry(world, job.job_id)) == sorted(p.photo_id for p in photos)


def test_a_step_that_dies_mid_part_is_redone_from_its_checkpoint_without_duplicates() -> None:
    # Given a download whose second part's step dies after copying a few originals
    world = JobWorld()
    photos = world.add(OWNER, 60)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})
    world.step()  # plan
    world.step()  # part 1
    before = world.job(OWNER, job.job_id)
    world.originals.crash_after = len(world.originals.reads) + 7

    # When the step dies (killed: no cleanup runs), its message stays on the queue and nothing about the job changes
    world.exports.frozen = True
    with pytest.raises(Crash):
        world.step()
    world.exports.frozen = False
    assert world.job(OWNER, job.job_id).checkpoint == before.checkpoint
    assert world.job(OWNER, job.job_id).outputs == before.outputs
    assert world.queue.messages == [(OWNER, job.job_id)]
    assert len(world.exports.open) == 1  # its upload is unfinished

    # Then the redelivery (after the visibility timeout, when the lease has expired) finishes the job
    world.clock.now += 6 * 300
    world.run()
    done = world.job(OWNER, job.job_id)
    assert done.state is JobState.DONE and world.exports.aborted == 1 and not world.exports.open
    entries = every_entry(world, job.job_id)
    assert len(entries) == 60 and sorted(entries) == sorted((p.photo_id, world.sha256[p.photo_id]) for p in photos)


def test_a_job_never_reads_another_owners_originals_and_says_what_it_left_out() -> None:
    world = JobWorld()
    mine = world.add(OWNER, 4)
    theirs = world.add(OTHER, 3)
    pending = world.add(OWNER, 1, status=PhotoStatus.PENDING)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in mine + theirs + pending]})

    world.run()

    done = world.job(OWNER, job.job_id)
    assert done.state is JobState.DONE and done.progress.done == done.progress.total == 8
    assert all(key.startswith(f"uploads/{OWNER}/") for key in world.originals.reads)
    assert sorted(pid for pid, _ in every_entry(world, job.job_id)) == sorted(p.photo_id for p in mine)
    (archive,) = world.parts(done)
    left_out = {item["photo_id"]: item["reason"] for item in manifest(archive)["left_out"]}
    assert left_out == {
        **{p.photo_id: "not_found" for p in theirs},
        pending[0].photo_id: "status_pending",
    }


def test_an_original_deleted_meanwhile_is_left_out_and_the_rest_is_packed() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 5)
    del world.originals.objects[keys.originals_key(OWNER, photos[2].photo_id)]
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in photos]})
    world.run()
    (archive,) = world.parts(world.job(OWNER, job.job_id))
    kept = sorted(p.photo_id for p in photos if p != photos[2])
    assert [item["photo_id"] for item in manifest(archive)["files"]] == kept
    assert manifest(archive)["left_out"] == [{"photo_id": photos[2].photo_id, "reason": "original_missing"}]


def test_a_selection_with_nothing_to_download_fails_with_a_reason() -> None:
    world = JobWorld()
    theirs = world.add(OTHER, 2)
    job = world.jobs.submit(OWNER, "download", {"photo_ids": [p.photo_id for p in theirs]})
    (report,) = world.run()
    failed = world.job(OWNER, job.job_id)
    assert report.outcome is StepOutcome.FAILED and failed.state is JobState.FAILED
    assert failed.error is not None and failed.error.code == "nothing_to_download"
    assert not world.originals.reads and not world.queue.messages


@pytest.mark.parametrize(
    "params",
    [{}, {"photo_ids": []}, {"photo_ids": ["not-an-id"]}, {"photo_ids": "0194f6a2"}, {"photo_ids": ["x"] * 10_001}],
)
def test_a_selection_must_be_1_to_10000_photo_ids(params: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        DownloadOriginals.prepare(OWNER, params)


def test_a_selection_is_deduplicated_into_upload_order() -> None:
    world = JobWorld()
    photos = world.add(OWNER, 3)
    ids = [p.photo_id for p in photos]
    prepared = DownloadOriginals.prepare(OWNER, {"photo_ids": [ids[2], ids[0], ids[2], ids[1]]})
    assert prepared.job_input == {"photo_ids": sorted(ids)} and prepared.total == 3


def test_trashed_or_refused_photos_are_not_downloadable() -> None:
    world = JobWorld()
    (photo,) = world.add(OWNER, 1)
    for status in PhotoStatus:
        world.photos.photos[(OWNER, photo.photo_id)] = dataclasses.replace(photo, status=status)
        from photovault.jobs.download import downloadable

        assert downloadable(world.photos.photos[(OWNER, photo.photo_id)]) is (status is PhotoStatus.READY)
