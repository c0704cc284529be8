"""The entry point every event-source function shares (worker, purge, jobs): Powertools' logger, tracer and metrics
around a batch, each record handled by ``record_handler``, failures reported per record (ReportBatchItemFailures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def batch_handler(
    *,
    processor: BatchProcessor,
    record_handler: Callable[..., None],
    correlation_id_path: str,
    order: Callable[[list[dict[str, Any]]], list[Any]] | None = None,
) -> Handler:
    """``order`` rearranges a batch's records before they are handled one after the other (the worker's fair
    order); the response names failed records by message id, so the order is free."""

    @logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if order is not None:
            event = {**event, "Records": order(list(event.get("Records") or []))}
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        return dict(response)

    return handler
