"""The ingest use case on in-memory ports: one upload → exactly one final photo record, every branch.

The fakes (tests/support/fakes.py) keep the DynamoDB adapter's rules: the claim's condition, terms written before
the conditional final write, facets moved in the same step, the notification lease.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image, ImageDraw

from photovault import keys
from photovault.errors import PhotoBusy, Throttled, TransientDependencyError
from photovault.images import ImageLimits
from photovault.model import (
    BoundingBox,
    Face,
    Label,
    ModerationLabel,
    Photo,
    PhotoStatus,
    SourceObject,
    TextLine,
    iso_epoch,
)
from photovault.people.service import PeopleIndex
from photovault.pipeline.analysis import RetryPolicy
from photovault.pipeline.ingest import IngestConfig, IngestPhoto
from photovault.ports import ClaimState, Collection, GeneratedText, LabelResult, ModerationResult
from photovault.search.index import stamp_index
from tests.support.fake_people import FakeFaceIndex, InMemoryPeopleRepository, ScriptedFace
from tests.support.fakes import FakeNotifier, FakeObjects, FakeOriginals, InMemoryPhotoRepository

OWNER = "alice-0001"
BUCKET = "originals"
NOW = 1_795_600_800.0


def jpeg(shade: int = 0, size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (40 + shade, 120, 200))
    ImageDraw.Draw(image).ellipse([200, 120, 440, 360], fill=(230, 190, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class FakeAnalyzer:
    """The ImageAnalyzer port: answers what it is told; ``before_labels`` runs inside the first call."""

    labels: tuple[Label, ...] = (Label("Dog", 96.0, parents=("Animal",)), Label("Beach", 88.0))
    text: tuple[TextLine, ...] = ()
    moderation: tuple[ModerationLabel, ...] = ()
    throttle: bool = False
    before_labels: Callable[[], None] | None = None
    name: str = "fake"
    calls: int = 0

    def detect_labels(self, image: bytes) -> LabelResult:
        self.calls += 1
        if self.before_labels is not None:
            self.before_labels()
        if self.throttle:
            raise Throttled("slow down")
        return LabelResult(labels=self.labels, properties=None, model_version="fake-1")

    def detect_faces(self, image: bytes) -> tuple[Face, ...]:
        return ()

    def detect_text(self, image: bytes) -> tuple[TextLine, ...]:
        return self.text

    def detect_moderation(self, image: bytes) -> ModerationResult:
        return ModerationResult(labels=self.moderation, model_version="fake-mod-1")


@dataclass
class FakeCaptioner:
    """The TextGenerator port: always answers ``text``."""

    text: str = "A dog on a beach."
    model_id: str = "fake-model"

    def generate(self, *, system: str, prompt: str, image: bytes, image_format: str, max_tokens: int) -> GeneratedText:
        return GeneratedText(text=self.text, model_id=self.model_id, input_tokens=10, output_tokens=5)


@dataclass
class World:
    repo: InMemoryPhotoRepository = field(default_factory=InMemoryPhotoRepository)
    originals: FakeOriginals = field(default_factory=FakeOriginals)
    media: FakeObjects = field(default_factory=FakeObjects)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    analyzer: FakeAnalyzer = field(default_factory=FakeAnalyzer)
    captioner: FakeCaptioner = field(default_factory=FakeCaptioner)
    now: float = NOW
    slept: list[float] = field(default_factory=list)
    people: PeopleIndex | None = None

    def use_case(self) -> IngestPhoto:
        return IngestPhoto(
            originals=self.originals,
            media=self.media,
            repository=self.repo,
            analyzer=self.analyzer,
            captioner=self.captioner,
            notifier=self.notifier,
            uploads=self.originals,
            config=IngestConfig(limits=ImageLimits(max_bytes=5 * 1024 * 1024)),
            clock=lambda: self.now,
            retry=RetryPolicy(sleep=self.slept.append, clock=lambda: sum(self.slept)),
            people=self.people,
        )

    def upload(self, data: bytes, photo_id: str = "p-0001", version: str = "v1") -> SourceObject:
        """What POST /uploads and the browser do: the PENDING photo, then the object; returns S3's announcement."""
        if (OWNER, photo_id) not in self.repo.photos:
            stamp = "2026-11-25T10:00:00.000Z"
            self.repo.photos[(OWNER, photo_id)] = Photo(OWNER, photo_id, PhotoStatus.PENDING, stamp, stamp, "a.jpg")
        key = keys.originals_key(OWNER, photo_id)
        self.originals.objects[(BUCKET, key)] = data
        return SourceObject(BUCKET, key, OWNER, photo_id, version_id=version, etag="etag", size=len(data))

    def ingest(self, source: SourceObject):  # noqa: ANN201 — IngestOutcome
        return self.use_case()(source, deadline=time.monotonic() + 60.0, lease_seconds=150)

    def photo(self, photo_id: str = "p-0001") -> Photo:
        return self.repo.photos[(OWNER, photo_id)]

    def terms(self, photo_id: str = "p-0001") -> set[str]:
        return self.repo.terms_of(OWNER, photo_id)


def test_a_photo_ends_ready_indexed_with_derivatives_and_is_announced_once() -> None:
    # Given an uploaded photo
    world = World()
    source = world.upload(jpeg())
    # When the pipeline runs
    outcome = world.ingest(source)
    # Then it is READY, captioned, with both derivatives, its terms and facets, announced once
    photo = world.photo()
    assert outcome.status is PhotoStatus.READY and outcome.notified and outcome.skipped is None
    assert photo.status is PhotoStatus.READY and photo.caption is not None
    assert photo.caption.text == "A dog on a beach." and not photo.caption.fallback
    assert set(photo.derivatives) == {"thumb", "preview"}
    assert photo.media_id is not None and OWNER not in photo.media_id
    assert world.media.derivatives == {keys.derivative_key(photo, k) for k in ("thumb", "preview")}
    assert world.media.derivatives == {f"media/{photo.media_id}/{k}.webp" for k in ("thumb", "preview")}
    assert {"dog", "animal", "beach"} <= world.terms() and photo.indexed_terms
    assert world.repo.facets == {(OWNER, "Dog"): 1, (OWNER, "Animal"): 1, (OWNER, "Beach"): 1}
    assert [e.status for e in world.notifier.events] == [PhotoStatus.READY]
    assert photo.provenance["analyzer"] == "fake" and photo.provenance["caption_model_id"] == "fake-model"
    assert world.repo.lease(OWNER, "p-0001").claim_token is None  # the claim is gone with the final write


def test_a_file_that_is_not_a_photo_ends_rejected_with_a_reason_and_no_index() -> None:
    world = World()
    source = world.upload(b"<html><script>alert(1)</script></html>")
    outcome = world.ingest(source)
    photo = world.photo()
    assert outcome.status is PhotoStatus.REJECTED and photo.status is PhotoStatus.REJECTED
    assert photo.reason_code and photo.reason and len(photo.reason) > 10
    assert world.terms() == set() and world.repo.facets == {} and world.media.derivatives == set()
    assert world.analyzer.calls == 0  # nothing is sent to analysis
    assert [e.status for e in world.notifier.events] == [PhotoStatus.REJECTED]


def test_the_same_bytes_again_end_duplicate_pointing_at_the_first() -> None:
    world = World()
    data = jpeg()
    world.ingest(world.upload(data, photo_id="p-0001"))
    outcome = world.ingest(world.upload(data, photo_id="p-0002"))
    second = world.photo("p-0002")
    assert outcome.status is PhotoStatus.DUPLICATE and second.duplicate_of == "p-0001"
    assert second.reason_code == "duplicate" and world.terms("p-0002") == set()
    assert world.repo.facets[(OWNER, "Dog")] == 1  # counted once
    assert world.analyzer.calls == 1


def test_a_duplicate_keeps_no_copy_of_the_bytes_it_points_at() -> None:
    # Given a READY photo and the same bytes uploaded again as another photo
    world = World()
    data = jpeg()
    world.ingest(world.upload(data, photo_id="p-0001"))
    source = world.upload(data, photo_id="p-0002")
    # When the second upload ends DUPLICATE
    assert world.ingest(source).status is PhotoStatus.DUPLICATE
    # Then only the photo it points at holds the bytes: deleting either leaves nothing no record describes
    assert set(world.originals.objects) == {(BUCKET, keys.originals_key(OWNER, "p-0001"))}
    # And a redelivery of its event finds nothing to do
    assert world.ingest(source).skipped is ClaimState.MISSING and world.analyzer.calls == 1


@pytest.mark.parametrize(
    ("first", "status"),
    [
        (jpeg(), PhotoStatus.READY),
        (b"<html>not a photo</html>", PhotoStatus.REJECTED),
    ],
    ids=["ready", "rejected"],
)
def test_bytes_sent_again_to_a_finished_photos_key_are_ignored_and_deleted(first: bytes, status: PhotoStatus) -> None:
    # Given a finished photo
    world = World()
    world.ingest(world.upload(first))
    done = world.photo()
    assert done.status is status
    calls = world.analyzer.calls
    # When its upload form is used again (other bytes: a later version of the same key)
    outcome = world.ingest(world.upload(jpeg(shade=90), version="v2"))
    # Then nothing runs again: the photo is as it was, announced once, and the later version is deleted
    assert outcome.skipped is ClaimState.DONE and outcome.replayed and outcome.status is status
    assert world.analyzer.calls == calls and world.photo() == done and len(world.notifier.events) == 1
    assert world.originals.deleted_revisions == [(keys.originals_key(OWNER, "p-0001"), "v2")]


def test_a_redelivery_of_the_upload_itself_is_no_replay_and_deletes_nothing() -> None:
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    outcome = world.ingest(source)
    assert outcome.skipped is ClaimState.DONE and not outcome.replayed
    assert world.originals.deleted_revisions == [] and world.originals.objects


def test_a_failed_photo_is_taken_again_by_a_later_version_of_its_key() -> None:
    # Given a photo the pipeline gave up on (FAILED)
    world = World(analyzer=FakeAnalyzer(throttle=True))
    source = world.upload(jpeg())
    use_case = world.use_case()
    with pytest.raises(TransientDependencyError) as failure:
        use_case(source, deadline=time.monotonic() + 60.0, lease_seconds=150)
    assert use_case.give_up(source, failure.value)
    # When its bytes arrive again as a later version, after the outage
    world.analyzer.throttle = False
    outcome = world.ingest(world.upload(jpeg(), version="v2"))
    # Then that is a retry, not a replay: the photo is READY
    assert outcome.status is PhotoStatus.READY and not outcome.replayed and world.originals.deleted_revisions == []


def test_a_photo_moderation_flags_ends_quarantined_findable_by_nothing() -> None:
    world = World(analyzer=FakeAnalyzer(moderation=(ModerationLabel("Explicit Nudity", 97.0),)))
    outcome = world.ingest(world.upload(jpeg()))
    photo = world.photo()
    assert outcome.status is PhotoStatus.QUARANTINED and photo.reason_code == "moderation"
    assert "explicit nudity" in (photo.reason or "")
    assert photo.analysis is not None and photo.caption is None and photo.derivatives == {}
    assert world.terms() == set() and world.repo.facets == {} and world.media.derivatives == set()


def test_throttling_past_the_deadline_fails_the_record_and_releases_the_claim() -> None:
    # Given an analyzer that throttles every call
    world = World(analyzer=FakeAnalyzer(throttle=True))
    source = world.upload(jpeg())
    # When the pipeline runs out of its deadline retrying
    with pytest.raises(TransientDependencyError):
        world.ingest(source)
    # Then it backed off, wrote no result, and gave the claim back so the redelivery can take it at once
    assert world.slept and world.photo().status is PhotoStatus.PROCESSING
    lease = world.repo.lease(OWNER, "p-0001")
    assert lease.claim_token is None and lease.lease_until == 0
    assert world.terms() == set() and world.notifier.events == []
    # And the redelivery, with the analyzer back, finishes the photo
    world.analyzer.throttle = False
    assert world.ingest(source).status is PhotoStatus.READY


def test_a_photo_deleted_while_processing_leaves_nothing_behind() -> None:
    # Given the owner deletes the photo (item and content-hash record, as DELETE does) while it is analysed
    world = World()
    source = world.upload(jpeg())

    def delete() -> None:
        world.repo.photos.pop((OWNER, "p-0001"))
        world.repo.hashes.clear()

    world.analyzer.before_labels = delete
    # When the run tries to write its result
    outcome = world.ingest(source)
    # Then the claim is lost, and what the run wrote (terms, derivatives, hash) is taken back: nothing is left
    assert outcome.skipped is ClaimState.MISSING and outcome.status is None
    assert (OWNER, "p-0001") not in world.repo.photos
    assert world.terms() == set() and world.repo.hashes == {} and world.media.derivatives == set()
    assert world.repo.facets == {} and world.notifier.events == []
    assert world.originals.objects == {}  # nor the original (a form may have been used again meanwhile)


def test_a_reprocess_keeps_the_history_and_drops_terms_that_no_longer_match() -> None:
    # Given a READY photo found by "beach"
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    first = world.photo()
    assert "beach" in world.terms()
    # When an operator asks for a reprocess and the analysis now sees a cat on a sofa
    world.repo.lease(OWNER, "p-0001").reprocess = {"reason": "new model", "run_id": "r1"}
    world.analyzer.labels = (Label("Cat", 95.0), Label("Sofa", 90.0))
    world.captioner.text = "A cat asleep on a sofa."
    world.now += 3600
    outcome = world.ingest(source)  # the same S3 event, redelivered by scripts/reprocess.py
    # Then the photo is READY again with the new labels, earlier runs kept in its provenance
    photo = world.photo()
    assert outcome.status is PhotoStatus.READY
    assert photo.provenance["reprocess"] == {"reason": "new model", "run_id": "r1"}
    assert photo.provenance["history"][-1]["processed_at"] == first.provenance["processed_at"]
    # And stale terms are gone, facets moved from the old labels to the new ones
    assert {"cat", "sofa"} <= world.terms() and not {"beach", "dog", "animal"} & world.terms()
    assert world.repo.facets[(OWNER, "Dog")] == 0 and world.repo.facets[(OWNER, "Cat")] == 1
    assert photo.created_at == first.created_at
    # And it is not announced a second time
    assert len(world.notifier.events) == 1


def _reprocess(world: World, source: SourceObject):  # noqa: ANN202 — IngestOutcome
    world.repo.lease(OWNER, "p-0001").reprocess = {"reason": "new model", "run_id": "r1"}
    world.now += 3600
    return world.ingest(source)


def test_a_reprocess_renders_into_a_new_folder_and_deletes_the_earlier_one_once_the_item_points_at_it() -> None:
    # Given a READY photo, and a record of what the item points at whenever derivatives are deleted
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    first = world.photo()
    seen_at_delete: list[str | None] = []
    delete_prefix = world.media.delete_prefix

    def watched(prefix: str) -> int:
        seen_at_delete.append(world.photo().media_id)
        return delete_prefix(prefix)

    world.media.delete_prefix = watched  # type: ignore[method-assign]
    # When an operator reprocesses it
    assert _reprocess(world, source).status is PhotoStatus.READY
    # Then its derivatives are new keys in a new folder, and only those exist
    photo = world.photo()
    assert photo.media_id is not None and photo.media_id != first.media_id
    assert {d["key"] for d in photo.derivatives.values()} == world.media.derivatives
    assert not {d["key"] for d in first.derivatives.values()} & world.media.derivatives
    # And the earlier folder went only after the item pointed at the new one
    assert seen_at_delete == [photo.media_id]


def test_a_reprocess_of_a_photo_rendered_before_media_ids_replaces_its_derivatives_at_the_old_keys() -> None:
    # Given a READY photo as written before media ids: no media id, derivatives at media/<sub>/<photo_id>/
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    old_keys = {f"media/{OWNER}/p-0001/{kind}.webp" for kind in ("thumb", "preview")}
    legacy = dataclasses.replace(
        world.photo(),
        media_id=None,
        derivatives={k: {"key": f"media/{OWNER}/p-0001/{k}.webp"} for k in ("thumb", "preview")},
    )
    world.repo.photos[(OWNER, "p-0001")] = legacy
    world.media.derivatives = set(old_keys)
    assert {keys.derivative_key(legacy, kind) for kind in ("thumb", "preview")} == old_keys
    # When it is reprocessed
    assert _reprocess(world, source).status is PhotoStatus.READY
    # Then it has a media id, and the old keys are gone
    photo = world.photo()
    assert photo.media_id is not None
    assert world.media.derivatives == {keys.derivative_key(photo, kind) for kind in ("thumb", "preview")}


def test_a_reprocess_that_ends_quarantined_deletes_the_earlier_derivatives() -> None:
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    world.analyzer.moderation = (ModerationLabel("Explicit Nudity", 97.0),)
    outcome = _reprocess(world, source)
    assert outcome.status is PhotoStatus.QUARANTINED and outcome.extra["superseded_media_deleted"] == "2"
    assert world.photo().media_id is None and world.photo().derivatives == {} and world.media.derivatives == set()


def test_a_run_whose_result_is_not_written_takes_back_its_derivatives_and_keeps_the_earlier_ones() -> None:
    # Given a READY photo, and a table that fails the next result write
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    earlier = set(world.media.derivatives)

    def outage(*_args: object, **_kwargs: object) -> None:
        raise TransientDependencyError("DynamoDB unreachable")

    world.repo.finish = outage  # type: ignore[method-assign]
    # When a reprocess renders new derivatives and cannot write its result
    with pytest.raises(TransientDependencyError):
        _reprocess(world, source)
    # Then its own are gone and the photo's are untouched
    assert world.media.derivatives == earlier


def test_a_failure_after_the_result_is_written_keeps_the_derivatives_the_item_points_at() -> None:
    # Given a READY photo, and a table that writes the next result and then fails (a follow-up write, the network)
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    finish = world.repo.finish

    def written_then_failed(*args: Any, **kwargs: Any) -> None:
        finish(*args, **kwargs)
        raise TransientDependencyError("connection reset after the write")

    world.repo.finish = written_then_failed  # type: ignore[method-assign]
    # When a reprocess renders and writes its result, then fails
    with pytest.raises(TransientDependencyError):
        _reprocess(world, source)
    # Then the photo's derivatives, the new ones, are there
    photo = world.photo()
    assert {d["key"] for d in photo.derivatives.values()} <= world.media.derivatives


def test_earlier_derivatives_that_cannot_be_deleted_do_not_fail_the_run() -> None:
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)

    def outage(prefix: str) -> int:
        raise TransientDependencyError("S3 unreachable")

    world.media.delete_prefix = outage  # type: ignore[method-assign]
    outcome = _reprocess(world, source)
    assert outcome.status is PhotoStatus.READY and "S3 unreachable" in outcome.extra["superseded_media_left"]


def test_a_reprocess_of_a_trashed_favourite_keeps_it_in_the_trash_unindexed() -> None:
    # Given a READY photo its owner made a favourite, put in an album and then trashed (as the library does)
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    ready = world.photo()
    trashed, _ = stamp_index(
        dataclasses.replace(ready, favorite=True, album_ids=("album-1",), trashed_at="2026-11-26T09:00:00.000Z"), 70.0
    )
    assert world.repo.save_library_state(ready, trashed, [])
    assert world.terms() == set() and world.repo.facets[(OWNER, "Dog")] == 0
    # When an operator reprocesses it with a new model
    world.repo.lease(OWNER, "p-0001").reprocess = {"reason": "new model", "run_id": "r2"}
    world.analyzer.labels = (Label("Cat", 95.0),)
    world.now += 3600
    assert world.ingest(source).status is PhotoStatus.READY
    # Then it is still in the trash with its favourite and albums, and adds nothing to search or the counters
    photo = world.photo()
    assert (photo.trashed_at, photo.favorite, photo.album_ids) == ("2026-11-26T09:00:00.000Z", True, ("album-1",))
    assert world.repo.view_key(photo, Collection.TRASH) and world.repo.view_key(photo, Collection.TIMELINE) is None
    assert world.terms() == set() and photo.indexed_terms == () and photo.indexed_month is None
    assert world.repo.facets.get((OWNER, "Cat"), 0) == 0 and world.repo.month_counts[(OWNER, "2026-11")] == 0


def test_an_object_deleted_before_processing_is_skipped_without_a_claim() -> None:
    world = World()
    source = world.upload(jpeg())
    world.originals.objects.clear()
    outcome = world.ingest(source)
    assert outcome.skipped is ClaimState.MISSING and outcome.status is None
    assert world.photo().status is PhotoStatus.PENDING and world.repo.lease(OWNER, "p-0001").claim_token is None


def test_an_upload_nobody_requested_through_the_api_creates_no_record() -> None:
    world = World()
    source = world.upload(jpeg())
    world.repo.photos.clear()
    outcome = world.ingest(source)
    assert outcome.skipped is ClaimState.MISSING and world.repo.photos == {} and world.analyzer.calls == 0
    # … and takes no object with it: the upload nobody asked for (or asks for any more) is deleted
    assert world.originals.objects == {}


def test_a_photo_another_invocation_holds_is_retried_later_not_dropped() -> None:
    # Given another invocation claimed this upload a moment ago and still holds a live lease
    world = World()
    source = world.upload(jpeg())
    world.repo.claim(source, now="2026-11-25T10:00:00.000Z", lease_until=int(NOW) + 100, now_epoch=int(NOW))
    # When a duplicate delivery arrives
    with pytest.raises(PhotoBusy):
        world.ingest(source)
    # Then nothing was done: the record fails, SQS redelivers after the lease
    assert world.analyzer.calls == 0 and world.photo().status is PhotoStatus.PROCESSING


def test_a_redelivery_of_a_finished_photo_only_makes_the_missed_announcement() -> None:
    # Given a READY photo whose announcement was lost (a crash between the final write and the publish)
    world = World()
    source = world.upload(jpeg())
    world.ingest(source)
    world.repo.photos[(OWNER, "p-0001")].notified_at = None
    world.notifier.events.clear()
    # When S3's event is delivered again
    outcome = world.ingest(source)
    # Then nothing is processed again, and the owner is told once
    assert outcome.skipped is ClaimState.DONE and outcome.status is PhotoStatus.READY and outcome.notified
    assert world.analyzer.calls == 1 and [e.status for e in world.notifier.events] == [PhotoStatus.READY]
    # And a further delivery tells nobody again
    assert not world.ingest(source).notified and len(world.notifier.events) == 1


# ---------------------------------------------------------------- the last delivery, and a redrive


def test_the_last_delivery_failing_leaves_the_photo_failed_with_a_reason_and_a_redrive_makes_it_ready_once() -> None:
    # Given Rekognition throttles every call, and the upload's event is on its last delivery before the DLQ
    world = World(analyzer=FakeAnalyzer(throttle=True))
    source = world.upload(jpeg())
    use_case = world.use_case()
    with pytest.raises(TransientDependencyError) as failure:
        use_case(source, deadline=time.monotonic() + 60.0, lease_seconds=150)
    # When the worker gives up on it
    assert use_case.give_up(source, failure.value)
    # Then its owner reads what happened and what comes next; operators see the error itself
    photo = world.photo()
    assert photo.status is PhotoStatus.FAILED and photo.reason_code == "service_unavailable"
    assert photo.reason is not None and "kept safe" in photo.reason and "processed again" in photo.reason
    assert photo.attempts.last_error is not None and photo.attempts.last_error.code == "throttled"
    assert world.terms() == set() and world.repo.facets == {} and world.notifier.events == []
    # When an operator redrives the message (the same event) after the outage
    world.analyzer.throttle = False
    world.now += 3600
    outcome = world.ingest(source)
    # Then the photo is READY, the failure cleared, indexed once and announced once
    photo = world.photo()
    assert outcome.status is PhotoStatus.READY and photo.status is PhotoStatus.READY
    assert (photo.reason_code, photo.reason, photo.attempts.last_error) == (None, None, None)
    assert {"dog", "beach"} <= world.terms() and world.repo.facets[(OWNER, "Dog")] == 1
    assert [e.status for e in world.notifier.events] == [PhotoStatus.READY]
    # And another copy of the message changes nothing
    calls = world.analyzer.calls
    assert world.ingest(source).skipped is ClaimState.DONE
    assert world.repo.facets[(OWNER, "Dog")] == 1 and len(world.notifier.events) == 1 and world.analyzer.calls == calls


def test_giving_up_never_overwrites_a_finished_photo_or_one_another_invocation_is_processing() -> None:
    world = World()
    done = world.upload(jpeg(), photo_id="p-done")
    world.ingest(done)
    busy = world.upload(jpeg(), photo_id="p-busy")
    world.repo.claim(busy, now="2026-11-25T10:00:00.000Z", lease_until=int(NOW) + 100, now_epoch=int(NOW))
    use_case = world.use_case()
    assert not use_case.give_up(done, TimeoutError("late"))
    assert not use_case.give_up(busy, TimeoutError("late"))
    assert world.photo("p-done").status is PhotoStatus.READY and world.photo("p-busy").status is PhotoStatus.PROCESSING
    # A claim whose invocation died (its lease ran out) does not hold the photo back
    world.now += 200
    assert use_case.give_up(busy, TimeoutError("the invocation never finished"))
    assert world.photo("p-busy").reason_code == "processing_timeout"


def test_an_upload_that_failed_before_any_claim_ends_failed_and_its_expiry_goes() -> None:
    # Given an upload still PENDING (its expiry set) whose every delivery failed before the claim (S3 unreadable)
    world = World()
    source = world.upload(jpeg())
    world.repo.photos[(OWNER, "p-0001")].expires_at = int(NOW) + 600
    # When the last delivery gives up
    assert world.use_case().give_up(source, RuntimeError("AccessDenied on HeadObject"))
    # Then the photo is FAILED (never hidden as an abandoned upload: its bytes are in S3) and a redrive takes it
    photo = world.photo()
    assert (photo.status, photo.reason_code, photo.expires_at) == (PhotoStatus.FAILED, "processing_error", None)
    assert photo.source_fingerprint == source.fingerprint
    assert world.ingest(source).status is PhotoStatus.READY


def test_a_released_claim_shows_as_retrying_and_an_interrupted_one_once_its_lease_ran_out() -> None:
    world = World(analyzer=FakeAnalyzer(throttle=True))
    source = world.upload(jpeg())
    with pytest.raises(TransientDependencyError):
        world.ingest(source)
    retry = world.photo().retry(NOW)
    assert retry is not None and (retry.attempts, retry.cause) == (1, "error")
    # An attempt that holds a live claim is just processing; one whose lease ran out was interrupted
    world.repo.claim(source, now="2026-11-25T10:00:00.000Z", lease_until=int(NOW) + 100, now_epoch=int(NOW))
    assert world.photo().retry(NOW + 50) is None
    interrupted = world.photo().retry(NOW + 101)
    assert interrupted is not None and (interrupted.attempts, interrupted.cause) == (2, "interrupted")
    assert world.photo("p-0001").status is PhotoStatus.PROCESSING


# ---------------------------------------------------------------- the schedule's pending check


def test_the_pending_check_finds_the_oldest_upload_stuck_with_its_file_in_s3_not_abandoned_ones() -> None:
    world = World()

    def requested(photo_id: str, minutes_ago: float, *, file: bool) -> None:
        stamp = iso_epoch(world.now - minutes_ago * 60)
        world.repo.photos[(OWNER, photo_id)] = Photo(OWNER, photo_id, PhotoStatus.PENDING, stamp, stamp, "a.jpg")
        if file:
            world.originals.objects[(BUCKET, keys.originals_key(OWNER, photo_id))] = jpeg()

    # Given an upload abandoned 50 minutes ago (no file), one whose file arrived 40 minutes ago but whose event never
    # reached the worker, a fresh one, and a stuck one so old that it has expired (outside the check)
    requested("p-abandoned", 50, file=False)
    requested("p-stuck", 40, file=True)
    requested("p-fresh", 1, file=True)
    requested("p-ancient", 600, file=True)
    use_case = dataclasses.replace(world.use_case(), config=IngestConfig(limits=ImageLimits(), originals_bucket=BUCKET))
    # When the schedule's check runs
    check = use_case.check_pending()
    # Then it reports the stuck upload's age (the abandoned one is not stuck, only waiting to expire)
    assert check.stuck is not None and check.stuck.photo_id == "p-stuck"
    assert check.age_seconds == 40 * 60 and check.checked == 3
    # And with nothing stuck it reports 0
    world.repo.photos[(OWNER, "p-stuck")].status = PhotoStatus.READY
    world.repo.photos[(OWNER, "p-fresh")].status = PhotoStatus.READY
    assert use_case.check_pending().age_seconds == 0


def _with_people(world: World) -> tuple[FakeFaceIndex, InMemoryPeopleRepository]:
    index = FakeFaceIndex(everywhere=(ScriptedFace("ann", BoundingBox(0.3, 0.25, 0.4, 0.5)),))
    repo = InMemoryPeopleRepository()
    world.people = PeopleIndex(index=index, repo=repo, media=world.media)
    return index, repo


def test_a_ready_photos_faces_join_its_owners_people_and_their_billable_calls_are_counted() -> None:
    # Given a face index, and two photos of the same person
    world = World()
    index, repo = _with_people(world)
    first = world.ingest(world.upload(jpeg(), "p-0001"))
    # When the second is processed
    second = world.ingest(world.upload(jpeg(shade=30), "p-0002"))
    # Then each photo's face is recorded with a crop among its derivatives, both in one person
    (face,) = repo.photo_faces(OWNER, "p-0002")
    assert face.crop_key in world.media.derivatives and face.crop_key.startswith(
        keys.photo_media_prefix(world.photo("p-0002"))
    )
    assert {f.person_id for f in repo.face_items.values()} == {face.person_id}
    assert (first.faces_indexed, first.face_index_calls) == (1, 2)  # IndexFaces + one SearchFaces
    assert (second.faces_indexed, second.face_index_calls) == (1, 2)
    assert {owner for _, owner in index.calls} == {OWNER}


def test_a_reprocess_that_ends_quarantined_takes_its_faces_out_of_people() -> None:
    world = World()
    index, repo = _with_people(world)
    source = world.upload(jpeg())
    world.ingest(source)
    world.analyzer.moderation = (ModerationLabel("Explicit Nudity", 97.0),)

    assert _reprocess(world, source).status is PhotoStatus.QUARANTINED
    assert repo.photo_faces(OWNER, "p-0001") == [] and index.collections[OWNER] == {}


def test_a_photo_processed_while_in_the_trash_keeps_its_faces_out_until_it_is_restored() -> None:
    world = World()
    index, repo = _with_people(world)
    source = world.upload(jpeg())
    world.ingest(source)
    ready = world.photo()
    world.people.forget_photo(OWNER, "p-0001", keep_records=True)  # type: ignore[union-attr]  # what the trash does
    trashed, _ = stamp_index(dataclasses.replace(ready, trashed_at="2026-11-26T09:00:00.000Z"), 70.0)
    assert world.repo.save_library_state(ready, trashed, [])

    assert _reprocess(world, source).face_index_calls == 0
    assert index.collections[OWNER] == {} and not any(f.active for f in repo.face_items.values())
