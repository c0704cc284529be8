"""Powertools Logger/Tracer/Metrics and the one list of metric names the code emits and the dashboards read."""

from __future__ import annotations

from enum import StrEnum

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics
from aws_lambda_powertools.tracing import Tracer

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


logger = Logger(service=SERVICE)
# Patch only what we call. Inside Lambda the X-Ray SDK costs ~20 ms of init (measured with LAMBDA_TASK_ROOT set; it
# skips the sampler that creates clients at import): worth it for per-AWS-call subsegments. Outside Lambda
# (tests, `make run`) Powertools disables tracing itself.
tracer = Tracer(service=SERVICE, patch_modules=["boto3", "botocore"])
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
