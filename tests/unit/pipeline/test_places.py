"""The place step of ingest on in-memory ports: a geotagged photo gets its city, region and country, findable and
counted; throttling is retried; a geocoder that stays down never fails the photo (the reason is logged and kept);
``--steps place`` names the place of a photo processed before places existed, repeating no paid analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PIL import Image, ImageDraw

from photovault.errors import TransientDependencyError
from photovault.model import PhotoStatus
from photovault.pipeline.ingest import IngestPhoto
from tests.support.fakes import make_photo, make_world
from tests.support.geo import ZURICH, ZURICH_PLACE, FakeGeocoder, geotagged_jpeg
from tests.unit.pipeline.test_ingest import OWNER, World, jpeg


def zurich_jpeg() -> bytes:
    image = Image.new("RGB", (640, 480), (40, 120, 200))
    ImageDraw.Draw(image).ellipse([200, 120, 440, 360], fill=(230, 190, 60))
    return geotagged_jpeg(image, *ZURICH)


@dataclass
class PlaceWorld(World):
    geocoder: FakeGeocoder = field(default_factory=FakeGeocoder)

    def use_case(self) -> IngestPhoto:
        use_case = super().use_case()
        use_case.geocoder = self.geocoder
        return use_case


def test_a_geotagged_photo_gets_its_place_and_is_found_and_counted_by_it() -> None:
    world = PlaceWorld()
    outcome = world.ingest(world.upload(zurich_jpeg()))
    photo = world.photo()
    assert photo.status is PhotoStatus.READY and photo.place == ZURICH_PLACE
    # The position asked is the one in the file's EXIF
    assert world.geocoder.asked == [pytest.approx(ZURICH, abs=1e-4)]
    # Accents folded: "zurich" finds Zürich; the city, the region and the country are each a term and a facet
    assert {"zurich", "switzerland"} <= world.terms()
    assert photo.indexed_places == ("Zürich", "Switzerland")  # the canton "Zurich" is the city's name once
    assert world.repo.place_counts[(OWNER, "Switzerland")] == 1
    assert photo.provenance["geocoder"] == "fake" and outcome.geocoder_requests == 1


def test_a_photo_without_gps_asks_the_geocoder_nothing() -> None:
    world = PlaceWorld()
    outcome = world.ingest(world.upload(jpeg()))
    assert world.photo().place is None and world.geocoder.asked == []
    assert outcome.geocoder_requests == 0 and "geocoder" not in world.photo().provenance


def test_throttled_geocoding_is_retried_within_the_deadline() -> None:
    world = PlaceWorld()
    world.geocoder.throttle_times = 2
    outcome = world.ingest(world.upload(zurich_jpeg()))
    assert world.photo().place == ZURICH_PLACE
    assert outcome.throttle_retries == 2 and outcome.geocoder_requests == 3


@pytest.mark.parametrize(
    "failure",
    [RuntimeError("AccessDeniedException: geo:SearchPlaceIndexForPosition"), TransientDependencyError("gone")],
)
def test_a_geocoder_that_fails_leaves_the_photo_ready_without_a_place_and_says_why(failure: Exception) -> None:
    world = PlaceWorld()
    world.geocoder.fail_with = failure
    outcome = world.ingest(world.upload(zurich_jpeg()))
    photo = world.photo()
    assert photo.status is PhotoStatus.READY and photo.place is None
    assert "dog" in world.terms() and "zurich" not in world.terms()  # still findable by its words
    assert photo.indexed_places == () and photo.on_map  # and still on the map: its position is its own
    # The reason is kept on the photo and in the worker's log line (outcome.extra), and counted
    assert str(failure) in photo.provenance["geocoding_error"]
    assert str(failure) in outcome.extra["geocoding_error"] and outcome.geocoding_failed


def test_reprocess_steps_place_names_the_place_without_repeating_the_paid_analyses() -> None:
    # Given a geotagged photo processed before places existed (no geocoder)
    world = World()
    world.ingest(world.upload(zurich_jpeg()))
    before = world.photo()
    calls = world.analyzer.calls
    assert before.place is None and "zurich" not in world.terms()
    # When an operator backfills places only
    places = PlaceWorld(repo=world.repo, originals=world.originals, media=world.media, analyzer=world.analyzer)
    places.repo.lease(OWNER, "p-0001").reprocess = {"run_id": "run-1", "reason": "places", "steps": ["place"]}
    outcome = places.ingest(places.upload(zurich_jpeg(), version="v2"))
    after = places.photo()
    # Then it has its place, its terms and facets, and nothing was analysed or rendered again
    assert after.place == ZURICH_PLACE and "zurich" in places.terms()
    assert places.repo.place_counts[(OWNER, "Zürich")] == 1
    assert world.analyzer.calls == calls and outcome.analysis_units == 0
    assert (after.analysis, after.caption) == (before.analysis, before.caption)
    assert (after.media_id, after.derivatives) == (before.media_id, before.derivatives)
    assert after.provenance["steps"] == ["place"] and after.provenance["geocoder"] == "fake"


def test_reprocess_steps_place_keeps_the_earlier_embedding_provenance() -> None:
    world = PlaceWorld()
    world.ingest(world.upload(zurich_jpeg()))
    world.repo.photos[(OWNER, "p-0001")].provenance["embedding_model_id"] = "titan"
    world.repo.lease(OWNER, "p-0001").reprocess = {"run_id": "run-2", "reason": "places", "steps": ["place"]}
    world.ingest(world.upload(zurich_jpeg(), version="v2"))
    assert world.photo().provenance["embedding_model_id"] == "titan"


def test_trashing_a_photo_takes_it_off_its_places_and_the_map() -> None:
    world = make_world()
    photo = world.repo.add(make_photo(OWNER, gps=ZURICH, place=ZURICH_PLACE))
    assert world.library.places(OWNER)[0].count == 1
    assert [p.photo_id for p in world.library.map_points(OWNER, limit=10, cursor=None).points] == [photo.photo_id]
    world.library.trash(OWNER, photo.photo_id)
    assert world.library.places(OWNER) == []
    assert world.library.map_points(OWNER, limit=10, cursor=None).points == []


def test_geocoding_spend_and_failures_reach_the_worker_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    from photovault.handlers import worker
    from photovault.observability import MetricName
    from photovault.pipeline.ingest import IngestOutcome

    recorded: dict[str, float] = {}

    class Recorder:
        def add_metric(self, *, name: str, unit: object, value: float) -> None:
            recorded[name] = recorded.get(name, 0) + value

    monkeypatch.setattr(worker, "metrics", Recorder())
    worker._record_metrics(
        IngestOutcome("p-1", OWNER, PhotoStatus.READY, geocoder_requests=2, geocoding_failed=True),
        started=0.0,
        event_time=None,
    )
    assert recorded[MetricName.GEOCODER_REQUESTS] == 2 and recorded[MetricName.GEOCODING_FAILED] == 1
