"""The local outbox: every message Cognito or SNS would have e-mailed (a password-reset code, a photo digest),
kept in memory and shown at ``GET /_local/outbox`` (JSON, newest last) and in ``make run``'s console. Local only:
nothing in Terraform serves this path."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass

from scripts.local_stack.responses import HttpResponse, json_response

log = logging.getLogger(__name__)

PATH = "/_local/outbox"
_KEEP = 200  # the newest messages; a long `make run` must not grow without bound


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    code: str | None
    sent_at: float


class Outbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    def send(self, *, to: str, subject: str, body: str, code: str | None = None) -> Message:
        message = Message(to=to, subject=subject, body=body, code=code, sent_at=time.time())
        with self._lock:
            self._messages = [*self._messages[-(_KEEP - 1) :], message]
        log.warning("outbox: to %s: %s — %s", to, subject, body)  # WARNING: make run's console shows it
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self._messages if to is None or m.to == to.lower()]

    def handle(self, method: str) -> HttpResponse:
        if method not in {"GET", "HEAD"}:
            return json_response(405, {"message": "Method Not Allowed"})
        response = json_response(200, {"messages": [asdict(m) for m in self.messages()]})
        response.headers.append(("cache-control", "no-store"))
        return response
