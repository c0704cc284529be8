"""Proof that a request came through CloudFront: the secret header the distribution adds to ``/api/*``.

WAF and the per-IP rate rules live on CloudFront; the HTTP API's own execute-api address skips both. CloudFront sends
``X-Origin-Verify: <secret>`` on the api origin (terraform/modules/cdn/origin_verify.tf) and the function refuses a
request without a listed value. The SSM parameter holds ``{"header": ..., "values": [current, previous]}``: during a
rotation edges still sending the previous value keep working. Values are compared in constant time, and a value not
in the cached list makes the function read the parameter again (at most once per ``refresh_seconds``), so a
rotation is picked up without a cold start and a flood of wrong values cannot turn into a flood of SSM reads.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OriginSecrets:
    header: str  # lower case, as API Gateway's payload 2.0 delivers header names
    values: tuple[str, ...]

    @classmethod
    def parse(cls, document: str) -> OriginSecrets:
        raw = json.loads(document)
        header, values = raw.get("header"), raw.get("values")
        if not isinstance(header, str) or not header or not isinstance(values, list) or not values:
            raise ValueError("the origin-verify parameter needs a header name and at least one value")
        if not all(isinstance(value, str) and len(value) >= 32 for value in values):
            raise ValueError("every origin-verify value must be a string of at least 32 characters")
        return cls(header=header.lower(), values=tuple(values))


class OriginCheck:
    """``accepts(headers)``: whether a request carries one of the current secret values."""

    def __init__(
        self,
        load: Callable[[], OriginSecrets],
        *,
        refresh_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._secrets: OriginSecrets | None = None
        self._loaded_at = 0.0

    def accepts(self, headers: Mapping[str, str] | None) -> bool:
        secrets = self._current()
        if self._matches(secrets, headers):
            return True
        if self._clock() - self._loaded_at < self._refresh_seconds:
            return False
        return self._matches(self._current(reload=True), headers)  # a rotation this process has not seen yet

    def _current(self, *, reload: bool = False) -> OriginSecrets:
        with self._lock:
            if self._secrets is None or reload:
                self._secrets = self._load()
                self._loaded_at = self._clock()
            return self._secrets

    @staticmethod
    def _matches(secrets: OriginSecrets, headers: Mapping[str, str] | None) -> bool:
        given = next((str(v) for k, v in (headers or {}).items() if str(k).lower() == secrets.header), None)
        if given is None:
            return False
        # Every listed value is compared (no early exit), each in constant time: the answer's timing says nothing.
        matched = False
        for value in secrets.values:
            matched |= hmac.compare_digest(given.encode(), value.encode())
        return matched
