"""Powertools Logger/Metrics, the X-Ray SDK tracer (opt-in) and the one list of metric names the code emits and the
dashboards read."""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, TypeVar, cast

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

F = TypeVar("F", bound=Callable[..., Any])
XRAY_SDK_TRACING_ENV = "XRAY_SDK_TRACING"

NAMESPACE = "PhotoVault"
SERVICE = "photovault"


class MetricName(StrEnum):
    """Every custom metric. Terraform's monitoring module reads these names (cross-checked by a test)."""

    PHOTOS_RECEIVED = "PhotosReceived"
    PHOTOS_PROCESSED = "PhotosProcessed"  # READY
    PHOTOS_REJECTED = "PhotosRejected"
    PHOTOS_QUARANTINED = "PhotosQuarantined"
    PHOTOS_DUPLICATE = "PhotosDuplicate"
    DUPLICATE_EVENTS = "DuplicateEventsSkipped"
    # worker: bytes sent to a finished photo's key again (a replayed upload form, a later version), ignored and deleted
    REPLAYED_UPLOADS = "ReplayedUploadsIgnored"
    PROCESSING_LATENCY = "ProcessingLatency"  # ms, upload (object creation) → terminal
    PROCESSING_DURATION = "ProcessingDuration"  # ms, this invocation's work on one photo
    REKOGNITION_IMAGES = "RekognitionImages"  # billable image units
    BEDROCK_INPUT_TOKENS = "BedrockInputTokens"
    BEDROCK_OUTPUT_TOKENS = "BedrockOutputTokens"
    EMBEDDING_IMAGES = "EmbeddingImages"  # worker: photos embedded (billable image inputs)
    EMBEDDING_INPUT_TOKENS = "EmbeddingInputTokens"  # worker and api: text tokens embedded (query text)
    # worker and api (restore): billable face index calls (Rekognition IndexFaces + SearchFaces)
    FACE_INDEX_CALLS = "FaceIndexCalls"
    EMBEDDING_FAILED = "EmbeddingFailed"  # worker: READY photos left without a vector (backfill with reprocess)
    GEOCODER_REQUESTS = "GeocoderRequests"  # worker: billable reverse-geocoding requests (Amazon Location)
    GEOCODING_FAILED = "GeocodingFailed"  # worker: geotagged READY photos left without a place (backfill: reprocess)
    CAPTION_FALLBACK = "CaptionFallback"
    ANALYSIS_THROTTLED = "AnalysisThrottled"
    UPLOADS_REQUESTED = "UploadsRequested"
    SHARES_CREATED = "SharesCreated"
    SHARE_VIEWS = "ShareViews"
    PHOTOS_PURGED = "PhotosPurged"  # purge: a removed photo item whose objects and items are all gone
    PHOTOS_EXPIRED = "PhotosExpired"  # purge: of those, removed by DynamoDB's TTL (30 days in the trash …)
    PURGED_OBJECTS = "PurgedObjects"  # purge: S3 object versions and delete markers deleted
    PURGE_DURATION = "PurgeDuration"  # ms, purge of one photo
    JOBS_SUBMITTED = "JobsSubmitted"  # api: POST /jobs accepted
    JOB_STEPS = "JobSteps"  # jobs: steps run (each one invocation's bounded work)
    JOBS_COMPLETED = "JobsCompleted"
    JOBS_FAILED = "JobsFailed"
    # jobs: of those, a step that raised on its last delivery (the job gave up; scripts.resume_job takes it up again)
    JOBS_GIVEN_UP = "JobsGivenUp"
    EXPORTED_BYTES = "ExportedBytes"  # jobs: bytes of originals written into download archives
    PHOTOS_FAILED = "PhotosFailed"  # worker: +1 when a record on its last receive marks its photo FAILED
    # s, worker, on the schedule's pending check (every few minutes): how long the oldest upload whose file is in S3
    # has been PENDING (its event never got through to the worker); 0 when there is none.
    OLDEST_PENDING_AGE = "OldestPendingAge"


class Tracing(Protocol):
    """What the handlers use of a tracer: Powertools' Tracer, or ``Untraced`` while the X-Ray SDK is off."""

    def capture_lambda_handler(self, lambda_handler: F) -> F: ...

    def capture_method(self, method: F) -> F: ...


class Untraced:
    """Stands in for Powertools' Tracer while the X-Ray SDK is off: the decorators return the function unchanged."""

    def capture_lambda_handler(self, lambda_handler: F) -> F:
        return lambda_handler

    def capture_method(self, method: F) -> F:
        return method


def sdk_tracing_enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get(XRAY_SDK_TRACING_ENV, "").strip().lower() in {"1", "true", "on"}


def _tracer() -> Tracing:
    """Lambda's active tracing (Terraform) records every invocation and its init with no SDK in the function. The X-Ray
    SDK adds a subsegment per AWS call, but it is in maintenance mode since 25 February 2026 (end of support 25 February
    2027; AWS points to OpenTelemetry) and Powertools' Tracer imports it even when disabled: with asyncio and wrapt,
    ~25 ms of every cold start, a fifth of the budget over bare boto3 (issue 18, ``make bench`` case coldstart). So it
    is opt-in: ``xray_sdk_tracing = true`` in an environment's tfvars sets XRAY_SDK_TRACING for an investigation."""
    if not sdk_tracing_enabled():
        return Untraced()
    from aws_lambda_powertools.tracing import Tracer

    # Patch only what we call. Outside Lambda (tests, `make run`) Powertools disables tracing itself.
    return cast(Tracing, Tracer(service=SERVICE, patch_modules=["boto3", "botocore"]))


logger = Logger(service=SERVICE)
tracer = _tracer()
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
