"""The embed step of ingest on in-memory ports: a READY photo gets its vector and its provenance says which model;
throttling is retried; a model that stays down never fails the photo; ``--steps embed`` repeats no paid analysis;
only READY photos keep a vector."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from photovault.model import ModerationLabel, PhotoStatus
from photovault.pipeline.ingest import IngestPhoto
from tests.support.fake_meaning import ConceptEmbedder, InMemoryVectorIndex
from tests.unit.pipeline.test_ingest import OWNER, World, jpeg


@dataclass
class MeaningWorld(World):
    embedder: ConceptEmbedder = field(default_factory=ConceptEmbedder)
    vectors: InMemoryVectorIndex = field(default_factory=InMemoryVectorIndex)

    def use_case(self) -> IngestPhoto:
        use_case = super().use_case()
        use_case.embedder, use_case.vectors = self.embedder, self.vectors
        return use_case

    def reprocess(self, steps: list[str] | None, version: str = "v2"):  # noqa: ANN201 — IngestOutcome
        request: dict[str, object] = {"run_id": "run-1", "reason": "backfill"}
        if steps is not None:
            request["steps"] = steps
        self.repo.lease(OWNER, "p-0001").reprocess = request
        return self.ingest(self.upload(jpeg(), version=version))


def test_a_ready_photo_gets_its_vector_and_its_provenance_names_the_model() -> None:
    world = MeaningWorld()
    outcome = world.ingest(world.upload(jpeg()))
    photo = world.photo()
    assert photo.status is PhotoStatus.READY
    assert (OWNER, "p-0001") in world.vectors.vectors
    assert photo.provenance["embedding_model_id"] == "concepts-v1"
    assert photo.provenance["embedding_dimension"] == world.embedder.dimension
    assert (outcome.embedding_images, outcome.embedding_failed) == (1, False)


def test_throttled_embedding_is_retried_within_the_deadline() -> None:
    world = MeaningWorld()
    world.embedder.throttle_times = 2
    outcome = world.ingest(world.upload(jpeg()))
    assert (OWNER, "p-0001") in world.vectors.vectors
    assert outcome.throttle_retries == 2 and len(world.slept) == 2


def test_a_model_that_stays_down_leaves_the_photo_ready_without_a_vector_and_says_why() -> None:
    world = MeaningWorld()
    world.embedder.fail_with = RuntimeError("ValidationException: bad image")
    outcome = world.ingest(world.upload(jpeg()))
    photo = world.photo()
    assert photo.status is PhotoStatus.READY and "dog" in world.terms()  # still findable by its words
    assert world.vectors.vectors == {}
    assert "bad image" in photo.provenance["embedding_error"] and outcome.embedding_failed


def test_reprocess_steps_embed_adds_the_vector_without_repeating_the_paid_analyses() -> None:
    # Given a photo processed before search by meaning existed (no embedder)
    world = World()
    world.ingest(world.upload(jpeg()))
    before = world.photo()
    calls = world.analyzer.calls
    # When an operator backfills embeddings only
    meaning = MeaningWorld(repo=world.repo, originals=world.originals, media=world.media, analyzer=world.analyzer)
    outcome = meaning.reprocess(["embed"])
    after = meaning.photo()
    # Then the vector is there, the analysis and caption are the earlier run's, and nothing was analysed again
    assert (OWNER, "p-0001") in meaning.vectors.vectors
    assert world.analyzer.calls == calls and outcome.analysis_units == 0
    assert after.analysis == before.analysis and after.caption == before.caption
    assert after.provenance["steps"] == ["embed"] and after.provenance["reprocess"]["steps"] == ["embed"]
    assert after.provenance["history"][-1]["processed_at"] == before.provenance["processed_at"]
    assert after.indexed_terms == before.indexed_terms and after.status is PhotoStatus.READY
    # And its derivatives are the earlier run's, where they were: same URLs, nothing deleted
    assert (after.media_id, after.derivatives) == (before.media_id, before.derivatives) and after.media_id
    assert world.media.derivatives == {d["key"] for d in before.derivatives.values()}


def test_a_full_reprocess_that_quarantines_takes_the_vector_back() -> None:
    world = MeaningWorld()
    world.ingest(world.upload(jpeg()))
    assert (OWNER, "p-0001") in world.vectors.vectors
    world.analyzer.moderation = (ModerationLabel("Explicit", 99.0),)
    world.reprocess(None)
    assert world.photo().status is PhotoStatus.QUARANTINED
    assert (OWNER, "p-0001") not in world.vectors.vectors


def test_embedding_spend_and_failures_reach_the_metrics_the_dashboard_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the worker's metrics recorded instead of flushed
    from photovault.handlers import worker
    from photovault.observability import MetricName
    from photovault.pipeline.ingest import IngestOutcome

    recorded: dict[str, float] = {}

    class Recorder:
        def add_metric(self, *, name: str, unit: object, value: float) -> None:
            recorded[name] = recorded.get(name, 0) + value

    monkeypatch.setattr(worker, "metrics", Recorder())
    # When one photo was embedded and another was left without a vector
    embedded = IngestOutcome("p-1", OWNER, PhotoStatus.READY, embedding_images=1, embedding_input_tokens=7)
    failed = IngestOutcome("p-2", OWNER, PhotoStatus.READY, embedding_failed=True)
    for outcome in (embedded, failed):
        worker._record_metrics(outcome, started=0.0, event_time=None)
    # Then the billable units and the failure are counted under the names the dashboard's spend widget reads
    assert recorded[MetricName.EMBEDDING_IMAGES] == 1
    assert recorded[MetricName.EMBEDDING_INPUT_TOKENS] == 7
    assert recorded[MetricName.EMBEDDING_FAILED] == 1
