"""Take up again a job that stopped, once the cause is fixed: above all an account deletion, whose owner can no longer
sign in to start it again (the account was sealed when it began).

- A job whose step raised on every delivery ended FAILED ("The job failed repeatedly", the runner's GIVE_UP) and
  its message is gone: it is put back to RUNNING from its last checkpoint and one message is queued for it.
- A job still QUEUED or RUNNING (its step crashed or timed out on every delivery: the message is in the jobs DLQ,
  or was lost) gets one message; a duplicate of one still on its way is refused by the lease, so this is safe.
- A job that is DONE, or FAILED for a reason of its own (nothing to download, already being deleted), is left as it
  is: exit status 1.

The job id and owner are in the jobs log line "job step failed on its last delivery" (and in every "job step" line).

    python -m scripts.resume_job --env dev --owner <sub> --job <job id> [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from photovault.jobs.model import JobState
from photovault.jobs.runner import GIVE_UP
from photovault.model import iso_epoch
from photovault.ports import JobQueue, JobRepository
from scripts.ops_common import ENVIRONMENTS, Names, account_id, client, target, target_description


@dataclass(frozen=True, slots=True)
class Resumed:
    """What became of the job: ``resumed`` (FAILED → RUNNING), ``nudged`` (still unfinished, one more message),
    ``refused`` (finished or failed for its own reason), ``missing``; and what to tell the operator."""

    outcome: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome in ("resumed", "nudged")


def resume(
    jobs: JobRepository,
    queue: JobQueue,
    owner: str,
    job_id: str,
    *,
    dry_run: bool = False,
    now: Callable[[], float] = time.time,
) -> Resumed:
    job = jobs.get(owner, job_id)
    if job is None:
        return Resumed("missing", f"no job {job_id} of {owner} (finished deletions forget their job)")
    about = f"{job.kind} job {job_id} of {owner}, {job.progress.done}/{job.progress.total} after {job.steps} steps"
    if job.state is JobState.FAILED and job.error is not None and job.error.code == GIVE_UP.code:
        if dry_run:
            return Resumed("resumed", f"would resume {about} from its last checkpoint")
        if not jobs.resume(owner, job_id, gave_up=GIVE_UP.code, now=iso_epoch(now())):
            return Resumed("refused", f"{about} changed while being resumed; look again")
        queue.enqueue(owner, job_id)
        return Resumed("resumed", f"resumed {about} from its last checkpoint; one message queued")
    if job.state in (JobState.QUEUED, JobState.RUNNING):
        if not dry_run:
            queue.enqueue(owner, job_id)
        return Resumed("nudged", f"{about} is {job.state.value}: {'would queue' if dry_run else 'queued'} one message")
    why = f" ({job.error.code}: {job.error.message})" if job.error else ""
    return Resumed("refused", f"{about} is {job.state.value}{why}: left as it is")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="resume_job", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--owner", required=True, help="the job owner's Cognito sub")
    parser.add_argument("--job", required=True, help="the job id")
    parser.add_argument("--dry-run", action="store_true", help="say what would happen, change nothing")
    args = parser.parse_args(argv)
    target(args.env)

    from photovault.adapters.dynamodb.jobs import DynamoJobRepository
    from photovault.adapters.sqs import SqsJobQueue

    sqs = client("sqs")
    names = Names.for_environment(args.env, account_id(client("sts")))
    queue_url = sqs.get_queue_url(QueueName=names.jobs_queue)["QueueUrl"]
    result = resume(
        DynamoJobRepository(client("dynamodb"), names.table),
        SqsJobQueue(sqs, queue_url),
        args.owner,
        args.job,
        dry_run=args.dry_run,
    )
    print(f"{target_description()}: {result.detail}", file=sys.stderr if not result.ok else sys.stdout)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
