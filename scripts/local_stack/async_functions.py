"""The event-driven functions besides the worker, locally, run the way AWS runs them:

- ``purge``: the table's stream → :class:`~scripts.local_stack.streams.StreamPoller` (the filter, batching, retries
  and on-failure queue of resources.json ``purge``), fed by real writes and by the TTL sweeper's expiries;
- ``jobs``: the jobs queue → the ingest poller's :class:`~scripts.local_stack.poller.SqsPoller` (batch of 1).

Both functions run in this process (they only move bytes between the emulator's services). ``PV_TTL_SWEEP_SECONDS``
sets how often expired items are deleted (default 60 s; AWS takes up to a few days).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from scripts.local_stack.config import ResourceSpec
from scripts.local_stack.lambda_runtime import InProcessFunction
from scripts.local_stack.poller import SqsPoller
from scripts.local_stack.provision import LocalResources
from scripts.local_stack.streams import MappingSettings, ServiceRemovals, StreamPoller, failure_sender
from scripts.local_stack.ttl import TtlSweeper

log = logging.getLogger(__name__)

DEFAULT_TTL_SWEEP_SECONDS = 60.0


@dataclass
class AsyncFunctions:
    purge: InProcessFunction
    jobs: InProcessFunction
    stream_poller: StreamPoller
    jobs_poller: SqsPoller
    sweeper: TtlSweeper

    @classmethod
    def build(
        cls,
        spec: ResourceSpec,
        resources: LocalResources,
        client: Any,
        *,
        poll_wait_seconds: int = 1,
        failure_visibility_timeout: int | None = None,
        ttl_sweep_seconds: float | None = None,
        stream_retry_delay: float = 1.0,
    ) -> AsyncFunctions:
        """Everything wired, nothing started. ``client(service)`` makes a boto3 client on the emulator."""
        functions = resources.functions

        def function(role: str) -> InProcessFunction:
            fn = functions[role]
            return InProcessFunction(
                fn["handler"],
                name=spec.name(role),
                timeout_seconds=float(fn["timeout"]),
                memory_mb=int(fn["memory_size"]),
            )

        purge, jobs = function("purge"), function("jobs")
        removals = ServiceRemovals()
        stream_poller = StreamPoller(
            streams=client("dynamodbstreams"),
            stream_arn=resources.table_stream_arn,
            region=resources.region,
            function=purge,
            settings=MappingSettings.from_spec(spec.purge),
            on_failure=failure_sender(client("sqs"), resources.purge_failures_url),
            removals=removals,
            retry_delay=stream_retry_delay,
        )
        jobs_poller = SqsPoller(
            sqs=client("sqs"),
            queue_url=resources.jobs_queue_url,
            queue_arn=resources.jobs_queue_arn,
            region=resources.region,
            function=jobs,
            batch_size=int(spec.jobs["batch_size"]),
            wait_time_seconds=poll_wait_seconds,
            failure_visibility_timeout=failure_visibility_timeout,
        )
        interval = ttl_sweep_seconds
        if interval is None:
            interval = float(os.environ.get("PV_TTL_SWEEP_SECONDS", DEFAULT_TTL_SWEEP_SECONDS))
        sweeper = TtlSweeper(
            dynamodb=client("dynamodb"),
            table=resources.table_name,
            attribute=spec.table["ttl_attribute"],
            removals=removals,
            interval=interval,
        )
        return cls(purge, jobs, stream_poller, jobs_poller, sweeper)

    def start(self) -> AsyncFunctions:
        self.stream_poller.start()
        self.jobs_poller.start()
        self.sweeper.start()
        log.info("purge (table stream + TTL sweeper) and jobs (jobs queue) running")
        return self

    def stop(self) -> None:
        self.sweeper.request_stop()
        self.stream_poller.request_stop()
        self.sweeper.stop(timeout=5)
        self.stream_poller.stop(timeout=5)
        self.jobs_poller.stop(timeout=5)
        for function in (self.purge, self.jobs):
            function.close()
