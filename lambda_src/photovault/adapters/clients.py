"""The one factory for boto3 clients: lazy, cached per process, pointed at the emulator when AWS_ENDPOINT_URL is set."""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def client(service: str, *, max_attempts: int = 3, read_timeout: float = 20.0) -> Any:
    """A cached client for ``service``. boto3 itself honours AWS_ENDPOINT_URL(_<SERVICE>) for the local stack."""
    return _client(service, max_attempts, read_timeout, os.environ.get("AWS_ENDPOINT_URL", ""))


@cache
def _client(service: str, max_attempts: int, read_timeout: float, _endpoint: str) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=read_timeout,
        max_pool_connections=20,
        tcp_keepalive=True,
    )
    with _lock:  # Session.client is not thread-safe
        return _session().client(service, config=config)


def reset() -> None:
    """Forget cached clients (tests that switch endpoints or credentials)."""
    _client.cache_clear()
    _session.cache_clear()
