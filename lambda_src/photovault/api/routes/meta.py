"""Liveness."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from photovault.api.contract import Health
from photovault.api.routing import E429, ok

router = APIGatewayHttpRouter()


@router.get("/health", summary="Liveness", tags=["meta"], responses={**ok(200, Health), **E429})
def health() -> Health:
    return Health()
