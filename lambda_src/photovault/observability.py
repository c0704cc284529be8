"""Powertools Logger/Metrics, the X-Ray SDK tracer (opt-in) and the one list of metric names the code emits."""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

NAMESPACE = "PhotoVault"
SERVICE = "photovault"
F = TypeVar("F", bound=Callable[..., Any])


class MetricName(StrEnum):
    """Every custom metric. Terraform's monitoring module reads these names (cross-checked by a test)."""

    PHOTOS_RECEIVED = "PhotosReceived"
    PHOTOS_PROCESSED = "PhotosProcessed"  # READY
    PHOTOS_REJECTED = "PhotosRejected"
    PHOTOS_QUARANTINED = "PhotosQuarantined"
    PHOTOS_DUPLICATE = "PhotosDuplicate"
    DUPLICATE_EVENTS = "DuplicateEventsSkipped"
    PROCESSING_LATENCY = "ProcessingLatency"  # ms, upload (object creation) → terminal
    PROCESSING_DURATION = "ProcessingDuration"  # ms, this invocation's work on one photo
    REKOGNITION_IMAGES = "RekognitionImages"  # billable image units
    BEDROCK_INPUT_TOKENS = "BedrockInputTokens"
    BEDROCK_OUTPUT_TOKENS = "BedrockOutputTokens"
    CAPTION_FALLBACK = "CaptionFallback"
    ANALYSIS_THROTTLED = "AnalysisThrottled"
    UPLOADS_REQUESTED = "UploadsRequested"
    SHARES_CREATED = "SharesCreated"
    SHARE_VIEWS = "ShareViews"


class _PassThroughTracer:
    """Stands in for Powertools Tracer when the X-Ray SDK is off: the decorators return the function unchanged."""

    def capture_lambda_handler(self, fn: F | None = None, **_: Any) -> Any:
        return fn if fn is not None else (lambda inner: inner)

    def capture_method(self, fn: F | None = None, **_: Any) -> Any:
        return fn if fn is not None else (lambda inner: inner)

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        return None


def _tracer() -> Any:
    """Importing the X-Ray SDK costs ~165 ms of every cold start (measured: Powertools Tracer imports it even when
    disabled). Lambda's active tracing already records each invocation and its init; the SDK only adds
    per-AWS-call subsegments. So it is opt-in: XRAY_SDK_TRACING=true when an investigation needs them."""
    if os.environ.get("XRAY_SDK_TRACING", "").lower() in {"1", "true", "on"}:
        from aws_lambda_powertools.tracing import Tracer

        # Patch only what we call: patching every library Powertools knows costs more still.
        return Tracer(service=SERVICE, patch_modules=["boto3", "botocore"])
    return _PassThroughTracer()


logger = Logger(service=SERVICE)
tracer = _tracer()
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
