"""`make run` runs one worker process per core, each fed by its own poller (Lambda's concurrency over the event
source mapping): two batches are processed side by side, in two processes, each message once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.local_stack.stack import LocalStack, StackOptions
from tests.integration.local_stack_fixture import journal_handler, wait_until


@pytest.mark.slow
def test_two_workers_process_two_batches_at_once_each_message_once(tmp_path: Path) -> None:
    journal = tmp_path / "journal.txt"
    journal.touch()
    options = StackOptions(
        seed=False,
        worker_handler=f"{journal_handler.__module__}.journal_handler",
        worker_init=None,
        worker_concurrency=2,
        poll_wait_seconds=1,
        extra_environment={"PV_TEST_JOURNAL": str(journal)},
    )
    with LocalStack(options) as stack:
        assert len(stack.workers) == 2
        sqs = stack.client("sqs")
        queue = stack.resources.queue_url
        sqs.send_message(QueueUrl=queue, MessageBody="one")
        # The second message arrives while the first batch is still running: only a second worker can take it now
        # (S3's own test event goes through the workers too: the bodies tell the messages apart)
        wait_until(lambda: journaled(journal, "begin", "one"), timeout=10)
        sqs.send_message(QueueUrl=queue, MessageBody="two")
        wait_until(lambda: journaled(journal, "end", "one") and journaled(journal, "end", "two"))
    ends = [line for line in journal.read_text().splitlines() if line.startswith("end ")]
    delivered = [body for line in ends for body in line.split()[3].split(",")]
    assert delivered.count("one") == 1 and delivered.count("two") == 1, ends  # each message once
    one_begin, one_end = journaled(journal, "begin", "one"), journaled(journal, "end", "one")
    two_begin = journaled(journal, "begin", "two")
    assert one_begin[1] != two_begin[1], "two worker processes"
    assert float(two_begin[2]) < float(one_end[2]), "the second batch started before the first ended"


def journaled(journal: Path, what: str, body: str) -> list[str] | None:
    """The journal line ``what`` of the batch that carried ``body``, split; None while there is none."""
    for line in journal.read_text().splitlines():
        fields = line.split()
        if fields[0] == what and body in fields[3].split(","):
            return fields
    return None
