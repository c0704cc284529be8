"""Purge Lambda: the table's stream → ``PurgePhoto`` for every photo item removed (by a person or by the TTL), with
partial batch failures (a failed record is retried on its own; the event source bisects and finally parks it in the
on-failure queue). The event source's filter passes only REMOVEs of photo items."""

from __future__ import annotations

import time

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault import composition
from photovault.adapters.dynamodb.stream import removed_photo
from photovault.handlers.batch import Record, batch_handler, stream_sequence_number
from photovault.observability import MetricName, logger, metrics, tracer
from photovault.purge.service import PurgeIncomplete, Removal


@tracer.capture_method
def record_handler(record: Record, _context: LambdaContext) -> None:
    removed = removed_photo(record)
    if removed is None:
        logger.info("ignoring a stream record that removed no photo", extra={"event_id": record.get("eventID")})
        return
    photo = removed.photo
    logger.append_keys(photo_id=photo.photo_id, owner=photo.owner)
    started = time.monotonic()
    try:
        outcome = composition.purge()(photo)
    except PurgeIncomplete as incomplete:
        logger.warning(
            "purge incomplete: the record is retried",
            extra={"removal": removed.removal.value, "removed": incomplete.removed, "failures": incomplete.failures},
        )
        raise
    finally:
        logger.remove_keys(["photo_id", "owner"])
    elapsed_ms = (time.monotonic() - started) * 1e3
    metrics.add_metric(name=MetricName.PHOTOS_PURGED, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=MetricName.PURGED_OBJECTS, unit=MetricUnit.Count, value=outcome.objects)
    metrics.add_metric(name=MetricName.PURGE_DURATION, unit=MetricUnit.Milliseconds, value=elapsed_ms)
    if removed.removal is Removal.EXPIRED:
        metrics.add_metric(name=MetricName.PHOTOS_EXPIRED, unit=MetricUnit.Count, value=1)
    logger.info(
        "photo purged",
        extra={
            "photo_id": photo.photo_id,
            "owner": photo.owner,
            "removal": removed.removal.value,
            "status": photo.status.value,
            "removed": dict(outcome.removed),
            "duration_ms": round(elapsed_ms, 1),
        },
    )


handler = batch_handler(
    record_handler=record_handler, item_identifier=stream_sequence_number, correlation_id_path="Records[0].eventID"
)
