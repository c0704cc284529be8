# The monitoring module on its own (the forwarder and the intake queue included): every alarm pages the encrypted topic, the worker-duration alarm sits at 80 %
# of the timeout from resources.json, and the alarms that were separate blocks are kept by the moved blocks.

mock_provider "aws" {}

override_resource {
  target          = aws_sns_topic.alarms
  override_during = plan
  values          = { arn = "arn:aws:sns:eu-west-1:111122223333:pv-test-alarms" }
}

variables {
  name_prefix                = "pv-test"
  environment                = "dev"
  worker_function_name       = "pv-test-worker"
  api_function_name          = "pv-test-api"
  purge_function_name        = "pv-test-purge"
  purge_failures_queue_name  = "pv-test-purge-failures"
  jobs_function_name         = "pv-test-jobs"
  jobs_queue_name            = "pv-test-jobs"
  jobs_dlq_name              = "pv-test-jobs-dlq"
  worker_timeout_seconds     = 120
  max_receive_count          = 5
  ingest_queue_name          = "pv-test-ingest"
  ingest_dlq_name            = "pv-test-ingest-dlq"
  intake_queue_name          = "pv-test-intake"
  intake_dlq_name            = "pv-test-intake-dlq"
  forwarder_function_name    = "pv-test-forwarder"
  table_name                 = "pv-test-photos"
  http_api_id                = "a1b2c3d4e5"
  cloudfront_distribution_id = "E2TESTDISTRIBUTION"
  kms_key_arn                = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001"
}

run "alarms_before_moves" {
  state_key = "alarms"

  module {
    source = "./tests/fixtures/monitoring_before_moves"
  }
}

run "alarms" {
  command   = plan
  state_key = "alarms"

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = alltrue([for key, arn in run.alarms_before_moves.alarm_arns : aws_cloudwatch_metric_alarm.this[key].arn == arn])
    error_message = "The nine alarms that were separate resource blocks must be moved into the for_each, not replaced."
  }

  assert {
    condition = alltrue([
      for alarm in values(aws_cloudwatch_metric_alarm.this) :
      alarm.alarm_actions == toset([aws_sns_topic.alarms.arn]) && alarm.ok_actions == toset([aws_sns_topic.alarms.arn]) && alarm.treat_missing_data == "notBreaching"
    ])
    error_message = "Every alarm pages the alarm topic and clears through it."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "The alarm topic is encrypted with the environment's key (whose policy lets CloudWatch use it)."
  }

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "dlq-not-empty", "ingest-oldest-message", "worker-error-rate", "worker-duration-near-timeout", "photos-failed",
      "oldest-pending-upload", "api-5xx-rate", "dynamodb-throttles", "analysis-throttled", "caption-fallback-rate",
      "api-throttles", "worker-throttles", "purge-failures-not-empty", "purge-iterator-age", "purge-errors",
      "jobs-dlq-not-empty", "jobs-given-up", "jobs-errors", "purge-throttles", "jobs-throttles",
      "intake-dlq-not-empty", "intake-oldest-message", "forwarder-errors", "forwarder-throttles",
    ])
    error_message = "The alarm set changed: update the runbook (docs/operations.md) and this list together."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["worker-duration-near-timeout"].threshold == 96000 &&
      aws_cloudwatch_metric_alarm.this["worker-duration-near-timeout"].comparison_operator == "GreaterThanOrEqualToThreshold" &&
      one([for query in aws_cloudwatch_metric_alarm.this["worker-duration-near-timeout"].metric_query : one(query.metric) if query.id == "duration"]).stat == "p99"
    )
    error_message = "The worker-duration alarm fires when p99 reaches 80 % of the 120 s timeout (96 000 ms)."
  }

  assert {
    condition = (
      one([for query in aws_cloudwatch_metric_alarm.this["photos-failed"].metric_query : one(query.metric) if query.id == "failed"]).metric_name == "PhotosFailed" &&
      one([for query in aws_cloudwatch_metric_alarm.this["oldest-pending-upload"].metric_query : one(query.metric) if query.id == "pending_age"]).stat == "Maximum" &&
      one([for query in aws_cloudwatch_metric_alarm.this["jobs-given-up"].metric_query : one(query.metric) if query.id == "given_up"]).metric_name == "JobsGivenUp"
    )
    error_message = "FAILED photos, the oldest PENDING upload and jobs that gave up are alarmed on the metrics the code emits."
  }

  assert {
    condition = (
      one([for query in aws_cloudwatch_metric_alarm.this["intake-dlq-not-empty"].metric_query : one(query.metric) if query.id == "parked"]).dimensions["QueueName"] == "pv-test-intake-dlq" &&
      one([for query in aws_cloudwatch_metric_alarm.this["intake-oldest-message"].metric_query : one(query.metric) if query.id == "age"]).dimensions["QueueName"] == "pv-test-intake" &&
      one([for query in aws_cloudwatch_metric_alarm.this["forwarder-errors"].metric_query : one(query.metric) if query.id == "errors"]).dimensions["FunctionName"] == "pv-test-forwarder"
    )
    error_message = "The intake queue, its DLQ and the forwarder are watched like the ingest path: parked notifications, a stuck forwarder, its crashes."
  }

  assert {
    condition = alltrue([
      for alarm in values(aws_cloudwatch_metric_alarm.this) :
      length([for query in alarm.metric_query : query if query.return_data == true]) == 1 && strcontains(alarm.alarm_description, "Runbook: docs/operations.md#alarm-")
    ])
    error_message = "Each alarm returns exactly one series and names its runbook section."
  }
}
