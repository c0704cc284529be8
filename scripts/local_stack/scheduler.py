"""The local stand-in for EventBridge Scheduler: every ``pending_check_minutes`` (terraform/resources.json) it puts the
pending check on the ingest queue — the very message terraform/modules/compute/schedule.tf has AWS send — so the local
worker looks for uploads stuck PENDING the same way."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from photovault.pipeline.events import PENDING_CHECK

log = logging.getLogger(__name__)


class PendingCheckSchedule:
    """Sends the pending check every ``interval_seconds`` until stopped (the first one after one interval)."""

    def __init__(self, sqs: Any, queue_url: str, *, interval_seconds: float) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._interval = interval_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pending-check-schedule", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        body = json.dumps(PENDING_CHECK)
        while not self._stopping.wait(self._interval):
            try:
                self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=body)
                self.sent += 1
            except Exception:  # like the scheduler's own retries: a missed check is replaced by the next one
                log.exception("could not send the pending check")
