"""Jobs Lambda: one message of the jobs queue = one bounded step of a job (``RunJobStep``), which queues the next.

The step gets the invocation's time minus a margin, so it always ends (and saves its checkpoint) before Lambda's
timeout; its lease outlives the invocation, so a redelivery after a crash (one visibility timeout, six function
timeouts, later) always finds it expired. A message on its last delivery that fails again ends its job FAILED.
A ``{"digest": <owner>}`` message is an e-mail digest's timer (``SendDigest``), not a job.
"""

from __future__ import annotations

import time

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from photovault import composition
from photovault.handlers.batch import QueueMessage, Record, batch_handler, sqs_message_id
from photovault.jobs.model import parse_job_message
from photovault.jobs.runner import StepOutcome, StepReport
from photovault.notifications.digest import digest_owner
from photovault.observability import MetricName, logger, metrics, tracer
from photovault.settings import get_settings

# Leave at least this much of the invocation (or a quarter of it) for closing the part and saving the checkpoint.
SAFETY_MARGIN_SECONDS = 30.0
LEASE_MARGIN_SECONDS = 30


@tracer.capture_method
def record_handler(record: Record, lambda_context: LambdaContext) -> None:
    message = QueueMessage(record)
    digest_for = digest_owner(message.body)
    if digest_for is not None:  # a digest's timer rides the same queue (photovault.notifications.digest)
        outcome = composition.digest_sender()(digest_for)
        logger.info("digest timer", extra={"owner": digest_for, "outcome": outcome.value})
        return
    try:
        owner, job_id = parse_job_message(message.body)
    except ValueError:
        # Only this system writes to the queue: a message that names no job can never succeed. Say so and drop it.
        logger.error("dropping a jobs-queue message that names no job", extra={"message_id": message.message_id})
        return
    logger.append_keys(job_id=job_id, owner=owner)
    remaining = lambda_context.get_remaining_time_in_millis() / 1000
    deadline = time.monotonic() + max(1.0, remaining - max(SAFETY_MARGIN_SECONDS, remaining / 4))
    runner = composition.job_runner()
    last_delivery = message.receive_count >= get_settings().jobs_max_receive_count
    try:
        report = runner(owner, job_id, deadline=deadline, lease_seconds=int(remaining) + LEASE_MARGIN_SECONDS)
    except Exception:
        if not last_delivery:
            raise  # SQS delivers it again after the visibility timeout; the step resumes from its checkpoint
        logger.exception("job step failed on its last delivery: the job is given up")
        if runner.give_up(owner, job_id):
            metrics.add_metric(name=MetricName.JOBS_FAILED, unit=MetricUnit.Count, value=1)
            metrics.add_metric(name=MetricName.JOBS_GIVEN_UP, unit=MetricUnit.Count, value=1)
        return
    finally:
        logger.remove_keys(["job_id", "owner"])
    _record(report, owner, job_id)


def _record(report: StepReport, owner: str, job_id: str) -> None:
    if report.outcome is not StepOutcome.SKIPPED:
        metrics.add_metric(name=MetricName.JOB_STEPS, unit=MetricUnit.Count, value=1)
    if report.outcome is StepOutcome.DONE:
        metrics.add_metric(name=MetricName.JOBS_COMPLETED, unit=MetricUnit.Count, value=1)
    elif report.outcome is StepOutcome.FAILED:
        metrics.add_metric(name=MetricName.JOBS_FAILED, unit=MetricUnit.Count, value=1)
    exported = report.extra.get("bytes")
    if isinstance(exported, int) and exported:
        metrics.add_metric(name=MetricName.EXPORTED_BYTES, unit=MetricUnit.Bytes, value=exported)
    job = report.job
    logger.info(
        "job step",
        extra={
            "job_id": job_id,
            "owner": owner,
            "outcome": report.outcome.value,
            "kind": job.kind if job else None,
            "state": job.state.value if job else None,
            "progress": f"{job.progress.done}/{job.progress.total}" if job else None,
            "error": job.error.code if job and job.error else None,
            **report.extra,
        },
    )


handler = batch_handler(
    record_handler=record_handler, item_identifier=sqs_message_id, correlation_id_path="Records[0].messageId"
)
