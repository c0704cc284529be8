"""Worker Lambda: SQS batches of S3 ObjectCreated events → the ingest use case, with partial batch failures."""

from __future__ import annotations

import threading
import time

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault import composition, keys
from photovault.errors import OutOfTime
from photovault.handlers.batch import QueueMessage, Record, batch_handler, sqs_message_id
from photovault.model import PhotoStatus, SourceObject
from photovault.observability import MetricName, logger, metrics, tracer
from photovault.pipeline.events import parse_body
from photovault.pipeline.fairness import fair_order
from photovault.pipeline.ingest import IngestOutcome, IngestPhoto
from photovault.ports import ClaimState

# Leave this much of the invocation for the final writes after analysis gives up retrying.
SAFETY_MARGIN_SECONDS = 10.0
# A claim outlives the invocation by this much: a redelivery after a crash (at the earliest one visibility timeout,
# six function timeouts, later) always finds the lease expired.
LEASE_MARGIN_SECONDS = 30

# A batch's records in flight at once. A photo spends most of its time waiting on Rekognition, Bedrock and the
# embedder; side by side, one record's waits overlap another's. Their decodes still take turns (_DECODE_TURN).
RECORDS_IN_FLIGHT = 4
# One record at a time from its start to the end of its decode: each decode child may use the whole decode memory
# cap, and a record judges whether it has time for a photo (then claims it) only when its decode can begin at once,
# as when records ran one after another; only the waits after the decode overlap.
_DECODE_TURN = threading.Lock()


_STATUS_METRIC = {
    PhotoStatus.READY: MetricName.PHOTOS_PROCESSED,
    PhotoStatus.REJECTED: MetricName.PHOTOS_REJECTED,
    PhotoStatus.QUARANTINED: MetricName.PHOTOS_QUARANTINED,
    PhotoStatus.DUPLICATE: MetricName.PHOTOS_DUPLICATE,
}


@tracer.capture_method
def record_handler(record: Record, lambda_context: LambdaContext) -> None:
    """One SQS record, with the invocation's context (the deadline every photo must meet).

    A failure fails the record, so SQS delivers it again; on the last delivery before the DLQ the photo is first
    marked FAILED, so its owner reads what happened while the message waits in the DLQ for an operator."""
    message = QueueMessage(record)
    parsed = parse_body(message.body)
    for reason in parsed.ignored:
        logger.info("ignoring S3 notification record", extra={"why": reason, "message_id": message.message_id})
    ingest = composition.ingest()
    if parsed.pending_check:
        _check_pending(ingest)
    receive_count = message.receive_count
    failure: Exception | None = None
    for source, event_time in zip(parsed.sources, parsed.event_times, strict=True):
        # Per thread: the batch's other records log their own photo beside this one.
        logger.thread_safe_append_keys(photo_id=source.photo_id, owner=source.owner)
        try:
            _ingest_one(ingest, source, event_time, lambda_context, receive_count)
        except Exception as exc:
            failure = failure or exc
            logger.warning(
                "attempt failed; SQS will deliver the record again",
                extra={"error": repr(exc)[:500], "receive_count": receive_count},
            )
            if receive_count >= ingest.config.max_deliveries:
                _give_up(ingest, source, exc)
        finally:
            logger.thread_safe_remove_keys(["photo_id", "owner"])
    if failure is not None:
        raise failure


def _ingest_one(
    ingest: IngestPhoto, source: SourceObject, event_time: float | None, context: LambdaContext, receive_count: int
) -> None:
    turn = _Turn(_DECODE_TURN)
    with turn:
        remaining = context.get_remaining_time_in_millis() / 1000
        available = remaining - SAFETY_MARGIN_SECONDS
        if available < ingest.config.seconds_per_photo:
            # Starting a photo that may need its whole budget would run into the function timeout: hand it back
            # untouched (no claim taken) for an invocation with time to spare.
            raise OutOfTime(
                f"{remaining:.1f} s left in this invocation; a photo may need "
                f"{ingest.config.seconds_per_photo + SAFETY_MARGIN_SECONDS:.0f} s"
            )
        started = time.time()
        outcome = ingest(
            source,
            deadline=time.monotonic() + available,
            lease_seconds=int(remaining) + LEASE_MARGIN_SECONDS,
            decoded=turn.release,
        )
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
            "faces_indexed": outcome.faces_indexed,
            "receive_count": receive_count,
            **outcome.extra,
        },
    )


class _Turn:
    """A lock held from ``with`` until ``release()`` or the block's end, whichever comes first (released once)."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._held = False

    def __enter__(self) -> _Turn:
        self._lock.acquire()
        self._held = True
        return self

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _check_pending(ingest: IngestPhoto) -> None:
    """The schedule's check: how long the oldest upload with its file in S3 has been stuck PENDING (0 if none)."""
    check = ingest.check_pending()
    metrics.add_metric(name=MetricName.OLDEST_PENDING_AGE, unit=MetricUnit.Seconds, value=round(check.age_seconds))
    stuck = check.stuck
    logger.info(
        "pending check",
        extra={
            "checked": check.checked,
            "oldest_stuck_age_seconds": round(check.age_seconds),
            **({"stuck_key": keys.originals_key(stuck.owner, stuck.photo_id)} if stuck else {}),
        },
    )


def _give_up(ingest: IngestPhoto, source: SourceObject, error: Exception) -> None:
    """The last delivery failed: mark the photo FAILED (the record still fails, so SQS parks it in the DLQ)."""
    try:
        marked = ingest.give_up(source, error)
    except Exception:  # the table itself may be what fails: the DLQ and its alarm still hold the upload
        logger.exception("could not mark the photo FAILED; its message goes to the DLQ all the same")
        return
    if marked:
        metrics.add_metric(name=MetricName.PHOTOS_FAILED, unit=MetricUnit.Count, value=1)
        logger.error("last delivery failed: photo marked FAILED, message goes to the DLQ", extra={"error": repr(error)})
    else:
        logger.warning("last delivery failed; the photo was not marked FAILED (finished, gone or being processed)")


def _record_metrics(outcome: IngestOutcome, *, started: float, event_time: float | None) -> None:  # noqa: PLR0912 — one per metric
    if outcome.skipped is not None:
        if outcome.replayed:
            metrics.add_metric(name=MetricName.REPLAYED_UPLOADS, unit=MetricUnit.Count, value=1)
        elif outcome.skipped is ClaimState.DONE:
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
    if outcome.embedding_images:
        metrics.add_metric(name=MetricName.EMBEDDING_IMAGES, unit=MetricUnit.Count, value=outcome.embedding_images)
    if outcome.embedding_input_tokens:
        metrics.add_metric(
            name=MetricName.EMBEDDING_INPUT_TOKENS, unit=MetricUnit.Count, value=outcome.embedding_input_tokens
        )
    if outcome.face_index_calls:
        metrics.add_metric(name=MetricName.FACE_INDEX_CALLS, unit=MetricUnit.Count, value=outcome.face_index_calls)
    if outcome.embedding_failed:
        metrics.add_metric(name=MetricName.EMBEDDING_FAILED, unit=MetricUnit.Count, value=1)
    _place_metrics(outcome)
    if outcome.status is PhotoStatus.READY:
        metrics.add_metric(
            name=MetricName.CAPTION_FALLBACK, unit=MetricUnit.Count, value=1 if outcome.caption_fallback else 0
        )


def _place_metrics(outcome: IngestOutcome) -> None:
    """Geocoding's paid requests (the AI spend) and the geotagged photos left without a place."""
    if outcome.geocoder_requests:
        metrics.add_metric(name=MetricName.GEOCODER_REQUESTS, unit=MetricUnit.Count, value=outcome.geocoder_requests)
    if outcome.geocoding_failed:
        metrics.add_metric(name=MetricName.GEOCODING_FAILED, unit=MetricUnit.Count, value=1)


handler = batch_handler(
    record_handler=record_handler,
    item_identifier=sqs_message_id,
    in_flight=RECORDS_IN_FLIGHT,
    correlation_id_path="Records[0].messageId",
    order=fair_order,  # round-robin by owner: one person's burst does not hold back another's upload in the batch
)
