"""A background loop for the local stack's stand-ins of AWS processes (the stream poller, the TTL sweeper): a daemon
thread that calls :meth:`Loop.tick` until stopped, pausing ``interval`` seconds whenever a tick found nothing to do."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Loop:
    def __init__(self, *, name: str, interval: float) -> None:
        self._name = name
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        """One round of work; True when there may be more right away (no pause)."""
        raise NotImplementedError

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """No new round after the one in flight (:meth:`stop` also waits for the thread)."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.tick()
            except Exception as exc:  # the emulator going away at shutdown, a transient error …
                if self._stop.is_set():
                    return
                log.warning("%s: %s: %s", self._name, type(exc).__name__, exc)
                busy = False
            if not busy:
                self._stop.wait(self._interval)
