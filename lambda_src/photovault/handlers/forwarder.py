"""Forwarder Lambda: S3 notifications from the intake queue → the ingest queue, each in its owner's message group
(``pipeline.forward``), with partial batch failures: a record that was not sent comes back, one that was is done."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault import composition
from photovault.handlers import entry_point
from photovault.observability import logger, metrics, tracer
from photovault.pipeline.forward import IntakeRecord, forward


@entry_point
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId", clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = [
        IntakeRecord(message_id=str(record["messageId"]), body=str(record.get("body", "")))
        for record in event.get("Records") or []
    ]
    failed = forward(records, composition.work_queue())
    if failed:
        logger.warning("records not forwarded; SQS will deliver them again", extra={"message_ids": failed})
    logger.info("forwarded", extra={"forwarded": len(records) - len(failed), "failed": len(failed)})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
