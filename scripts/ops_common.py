"""Shared plumbing of the operator scripts: resource names per environment, AWS clients, a progress bar.

Every script runs against AWS and against ``make run``'s local stack alike: boto3 honours ``AWS_ENDPOINT_URL``,
so pointing that variable at the emulator is all it takes (``--env local`` then names the local resources).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
RESOURCES_PATH = REPO_ROOT / "terraform" / "resources.json"
ENVIRONMENTS = ("dev", "staging", "prod", "local")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Names:
    """The AWS names of one environment, by the rule Terraform and the local provisioner share."""

    environment: str
    table: str
    ingest_queue: str
    ingest_dlq: str
    originals_bucket: str
    derivatives_bucket: str
    intake_queue: str = ""  # where S3 notifies; the forwarder moves each notification to the ingest queue
    intake_dlq: str = ""
    jobs_queue: str = ""  # one message advances one job (downloads, exports, account deletions) by a step
    jobs_dlq: str = ""

    @classmethod
    def for_environment(cls, environment: str, account_id: str, resources: Path = RESOURCES_PATH) -> Names:
        spec = json.loads(resources.read_text(encoding="utf-8"))
        prefix = f"{spec['project']}-{environment}"
        return cls(
            environment=environment,
            table=f"{prefix}-{spec['table']['role']}",
            ingest_queue=f"{prefix}-{spec['ingest']['queue_role']}",
            ingest_dlq=f"{prefix}-{spec['ingest']['dlq_role']}",
            originals_bucket=f"{prefix}-originals-{account_id}",
            derivatives_bucket=f"{prefix}-derivatives-{account_id}",
            intake_queue=f"{prefix}-{spec['ingest']['intake_queue_role']}",
            intake_dlq=f"{prefix}-{spec['ingest']['intake_dlq_role']}",
            jobs_queue=f"{prefix}-{spec['jobs']['queue_role']}",
            jobs_dlq=f"{prefix}-{spec['jobs']['dlq_role']}",
        )


def target(environment: str) -> None:
    """``--env local`` means ``make run``'s emulator: point boto3 at it unless the caller already chose an endpoint."""
    if environment != "local" or os.environ.get("AWS_ENDPOINT_URL"):
        return
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{os.environ.get('PV_LOCAL_AWS_PORT', '4566')}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")


def client(service: str) -> Any:
    """A boto3 client; ``AWS_ENDPOINT_URL`` (set for the local stack) is honoured by boto3 itself."""
    import boto3

    factory: Any = boto3.client  # typed overloads want a literal service name
    return factory(service)


def account_id(sts: Any) -> str:
    return str(sts.get_caller_identity()["Account"])


def target_description() -> str:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    return f"local stack at {endpoint}" if endpoint else "AWS"


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...

    def set_postfix_str(self, text: str) -> None: ...

    def close(self) -> None: ...


class _TextBar:
    """A small stdlib progress bar for when tqdm is not installed (stderr, redrawn in place on a terminal)."""

    def __init__(self, total: int | None, desc: str, stream: Any = sys.stderr) -> None:
        self.total, self.desc, self.count, self.postfix, self.stream = total, desc, 0, "", stream

    def _draw(self, final: bool = False) -> None:
        if self.total:
            filled = int(30 * min(self.count, self.total) / self.total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total}"
        else:
            bar = f"{self.count}"
        line = f"{self.desc}: {bar} {self.postfix}".rstrip()
        end = "\n" if final or not self.stream.isatty() else ""
        self.stream.write(("\r" if self.stream.isatty() else "") + line + end)
        self.stream.flush()

    def update(self, n: int = 1) -> None:
        self.count += n
        if self.stream.isatty():
            self._draw()

    def set_postfix_str(self, text: str) -> None:
        self.postfix = text

    def close(self) -> None:
        self._draw(final=True)


class progress_bar:  # noqa: N801 - used like tqdm's context manager
    """``with progress_bar(total, "desc") as bar: bar.update()`` — tqdm when available, else a text bar."""

    def __init__(self, total: int | None, desc: str, *, disable: bool = False) -> None:
        self._total, self._desc, self._disable = total, desc, disable
        self._bar: Progress | None = None

    def __enter__(self) -> Progress:
        if self._disable:
            self._bar = _NullBar()
            return self._bar
        try:
            from tqdm import tqdm

            self._bar = tqdm(total=self._total, desc=self._desc, unit="msg", file=sys.stderr, dynamic_ncols=True)
        except ImportError:  # pragma: no cover - tqdm is in requirements/ops.txt
            self._bar = _TextBar(self._total, self._desc)
        return self._bar

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()


class _NullBar:
    def update(self, n: int = 1) -> None:
        return None

    def set_postfix_str(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def photo_items(
    dynamodb: Any,
    table: str,
    *,
    statuses: Iterable[Any] | None = None,
    filter_expression: str | None = None,
    projection: str | None = None,
    values: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Photo items (deserialized) of every status, or of ``statuses``: one paginated Query per status on gsi1, the
    table's by-status index, never a Scan. ``values`` are the filter's placeholders besides ``:pk``."""
    from photovault import keys
    from photovault.adapters.dynamodb.codec import deserialize, serialize
    from photovault.model import PhotoStatus

    for status in PhotoStatus if statuses is None else statuses:
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.status_gsi1pk(status.value), **(values or {})}),
        }
        if filter_expression:
            request["FilterExpression"] = filter_expression
        if projection:
            request["ProjectionExpression"] = projection
        while True:
            page = dynamodb.query(**request)
            yield from (deserialize(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
