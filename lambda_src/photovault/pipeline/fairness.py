"""Fair order within a worker batch: the records of a batch are taken round-robin by owner, so one person's burst
cannot make another person's upload in the same batch wait for all of it.

How one user's burst is kept from starving another's upload, end to end:

- **A burst is bounded.** POST /uploads refuses more than ``QUOTA_PENDING_UPLOADS`` unfinished uploads per person
  (``library.quota``), so at most that many of one person's messages are ever in the ingest queue — five batches of
  ten with the defaults — and at most ``QUOTA_UPLOADS_PER_HOUR`` an hour.
- **Within a batch, round-robin.** The event source mapping hands the worker up to ten records; they run one after
  the other, each photo taking seconds. In arrival order a batch of nine of alice's photos and one of bob's finishes
  bob's last; in this order it finishes bob's second. A record the invocation has no time left for is handed back to
  SQS untouched (``OutOfTime``): round-robin makes that the heavy owner's, never the light one's.
- **Across the queue, fair queues.** S3 notifies an intake queue; the forwarder (``pipeline.forward``) puts each
  notification on the ingest queue with ``MessageGroupId`` = owner, which makes it an SQS fair queue: while one
  person has a backlog, SQS delivers the other people's messages first, so a single upload behind a burst waits
  about one batch, not the burst (the local stack emulates this scheduling: ``scripts/local_stack/fair_queue.py``).

Why not the alternatives. Capping an owner's records per batch and failing the rest back to SQS (partial batch
failure) spends their receive count: a burst would walk its own photos into the DLQ (maxReceiveCount 5) and each
failed record waits a whole visibility timeout (12 minutes). Sharding queues per user does not scale with users."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from photovault.pipeline.events import parse_body


def owner_of(body: str) -> str:
    """The owner of the first upload a message announces; "" for anything else (the schedule's check, S3's test
    event, a body that does not parse — those keep their place among the owners)."""
    try:
        sources = parse_body(body).sources
    except ValueError:
        return ""
    return sources[0].owner if sources else ""


def fair_order(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``records`` (SQS records of one batch) round-robin by owner: each owner's first record in the order the
    owners first appear, then each one's second, and so on; an owner's own records keep their order."""
    queues: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        queues.setdefault(owner_of(str(record.get("body", ""))), []).append(record)
    ordered: list[Mapping[str, Any]] = []
    for turn in range(max((len(queue) for queue in queues.values()), default=0)):
        ordered += [queue[turn] for queue in queues.values() if turn < len(queue)]
    return ordered
