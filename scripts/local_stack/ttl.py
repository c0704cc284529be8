"""DynamoDB's Time to Live, locally: the emulator stores ``expires_at`` but never expires anything, so this sweeper
plays AWS's background TTL process — it deletes items whose TTL attribute (a Number, epoch seconds) has passed, and
marks each REMOVE as the service's own (``userIdentity``), so the stream poller hands the purge exactly what AWS
would. AWS deletes expired items within a few days; the sweeper does it every ``interval`` seconds.

This is the one Scan in the project: it stands in for a process internal to DynamoDB, never for a user path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from scripts.local_stack.loop import Loop
from scripts.local_stack.streams import ServiceRemovals

log = logging.getLogger(__name__)


class TtlSweeper(Loop):
    def __init__(
        self,
        *,
        dynamodb: Any,
        table: str,
        attribute: str,
        removals: ServiceRemovals,
        interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(name="ttl-sweeper", interval=interval)
        self._dynamodb = dynamodb
        self._table = table
        self._attribute = attribute
        self._removals = removals
        self._clock = clock
        self._lock = threading.Lock()
        self.expired = 0

    def tick(self) -> bool:
        self.sweep_once()
        return False  # AWS's process is periodic too: one sweep per interval

    def sweep_once(self, *, now: float | None = None) -> int:
        """Delete every item expired at ``now`` (default: the clock); returns how many."""
        with self._lock:
            cutoff = int(self._clock() if now is None else now)
            deleted = 0
            for key, expires_at in self._expired(cutoff):
                pk, sk = key["pk"]["S"], key["sk"]["S"]
                self._removals.mark(pk, sk)
                try:
                    # Only if it is still the item that expired (a restore in between moved or removed its TTL).
                    self._dynamodb.delete_item(
                        TableName=self._table,
                        Key=key,
                        ConditionExpression="#ttl = :seen",
                        ExpressionAttributeNames={"#ttl": self._attribute},
                        ExpressionAttributeValues={":seen": expires_at},
                    )
                except ClientError as exc:
                    self._removals.unmark(pk, sk)
                    if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                        raise
                    continue
                deleted += 1
            self.expired += deleted
            if deleted:
                log.info("ttl: %d expired items deleted from %s", deleted, self._table)
            return deleted

    def _expired(self, cutoff: int) -> list[tuple[dict[str, Any], dict[str, str]]]:
        found: list[tuple[dict[str, Any], dict[str, str]]] = []
        args: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "#ttl < :now",  # a Number compared with a Number: other types never expire
            "ProjectionExpression": "pk, sk, #ttl",
            "ExpressionAttributeNames": {"#ttl": self._attribute},
            "ExpressionAttributeValues": {":now": {"N": str(cutoff)}},
        }
        while True:
            page = self._dynamodb.scan(**args)
            for item in page.get("Items", []):
                value = item.get(self._attribute, {})
                if "N" in value:
                    found.append(({"pk": item["pk"], "sk": item["sk"]}, value))
            last = page.get("LastEvaluatedKey")
            if not last:
                return found
            args["ExclusiveStartKey"] = last
