"""The HTTP API Lambda: Powertools' logger, tracer and metrics around one request (``photovault.api.app``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault.api.app import resolve
from photovault.handlers import entry_point
from photovault.observability import logger, metrics, tracer


@entry_point
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(event, context)
