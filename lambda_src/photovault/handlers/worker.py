"""Worker Lambda: SQS batches of S3 ObjectCreated events → the ingest use case, with partial batch failures."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault.model import PhotoStatus
from photovault.observability import MetricName, logger, metrics, tracer
from photovault.pipeline.events import parse_body
from photovault.pipeline.ingest import IngestOutcome, IngestPhoto
from photovault.ports import ClaimState
from photovault.settings import get_settings

# Leave this much of the invocation for the final writes after analysis gives up retrying.
SAFETY_MARGIN_SECONDS = 10.0
# A claim outlives the invocation by this much: a redelivery after a crash (at the earliest one visibility timeout,
# six function timeouts, later) always finds the lease expired.
LEASE_MARGIN_SECONDS = 30

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

_STATUS_METRIC = {
    PhotoStatus.READY: MetricName.PHOTOS_PROCESSED,
    PhotoStatus.REJECTED: MetricName.PHOTOS_REJECTED,
    PhotoStatus.QUARANTINED: MetricName.PHOTOS_QUARANTINED,
    PhotoStatus.DUPLICATE: MetricName.PHOTOS_DUPLICATE,
}


@cache
def ingest() -> IngestPhoto:
    from photovault.composition import build_ingest

    return build_ingest(get_settings())


class _Invocation:
    """Per-invocation state the record handler needs (the Lambda context's deadline)."""

    context: LambdaContext | None = None


def _remaining_seconds() -> float:
    context = _Invocation.context
    return context.get_remaining_time_in_millis() / 1000 if context is not None else 60.0


def _deadline() -> float:
    return time.monotonic() + max(1.0, _remaining_seconds() - SAFETY_MARGIN_SECONDS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    parsed = parse_body(record.body)
    for reason in parsed.ignored:
        logger.info("ignoring S3 notification record", extra={"why": reason, "message_id": record.message_id})
    for source, event_time in zip(parsed.sources, parsed.event_times, strict=True):
        started = time.time()
        logger.append_keys(photo_id=source.photo_id, owner=source.owner)
        lease = int(_remaining_seconds()) + LEASE_MARGIN_SECONDS
        outcome = ingest()(source, deadline=_deadline(), lease_seconds=lease)
        _record_metrics(outcome, started=started, event_time=event_time)
        logger.info(
            "photo processed" if outcome.skipped is None else "delivery skipped",
            extra={
                "status": outcome.status.value if outcome.status else None,
                "skipped": outcome.skipped.value if outcome.skipped else None,
                "reason_code": outcome.reason_code,
                "caption_fallback": outcome.caption_fallback,
                "caption_error": outcome.caption_error,
                "throttle_retries": outcome.throttle_retries,
                "receive_count": record.attributes.approximate_receive_count,
                **outcome.extra,
            },
        )
        logger.remove_keys(["photo_id", "owner"])


def _record_metrics(outcome: IngestOutcome, *, started: float, event_time: float | None) -> None:
    if outcome.skipped is not None:
        if outcome.skipped is ClaimState.DONE:
            metrics.add_metric(name=MetricName.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name=MetricName.PHOTOS_RECEIVED, unit=MetricUnit.Count, value=1)
    if outcome.status in _STATUS_METRIC:
        metrics.add_metric(name=_STATUS_METRIC[outcome.status], unit=MetricUnit.Count, value=1)
    now = time.time()
    metrics.add_metric(name=MetricName.PROCESSING_DURATION, unit=MetricUnit.Milliseconds, value=(now - started) * 1e3)
    if event_time is not None and outcome.status is not None:
        latency = max(0.0, now - event_time) * 1e3
        metrics.add_metric(name=MetricName.PROCESSING_LATENCY, unit=MetricUnit.Milliseconds, value=latency)
    if outcome.analysis_units:
        metrics.add_metric(name=MetricName.REKOGNITION_IMAGES, unit=MetricUnit.Count, value=outcome.analysis_units)
    if outcome.throttle_retries:
        metrics.add_metric(name=MetricName.ANALYSIS_THROTTLED, unit=MetricUnit.Count, value=outcome.throttle_retries)
    if outcome.bedrock_input_tokens or outcome.bedrock_output_tokens:
        metrics.add_metric(
            name=MetricName.BEDROCK_INPUT_TOKENS, unit=MetricUnit.Count, value=outcome.bedrock_input_tokens
        )
        metrics.add_metric(
            name=MetricName.BEDROCK_OUTPUT_TOKENS, unit=MetricUnit.Count, value=outcome.bedrock_output_tokens
        )
    if outcome.status is PhotoStatus.READY:
        metrics.add_metric(
            name=MetricName.CAPTION_FALLBACK, unit=MetricUnit.Count, value=1 if outcome.caption_fallback else 0
        )


@logger.inject_lambda_context(correlation_id_path="Records[0].messageId", clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _Invocation.context = context
    try:
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        return dict(response)
    finally:
        _Invocation.context = None
