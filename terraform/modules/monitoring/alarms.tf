# Alarms: one resource over local.alarms. Each alarm pages through the alarm topic, clears through it too, and names
# its runbook section in docs/operations.md ("#alarm-<runbook>"). Every alarm is metric math over named queries, so
# single-metric and rate alarms share one shape; a custom metric is named through local.metric, which only holds
# the names the code emits (photovault.observability.MetricName), so a typo fails the plan.

locals {
  period = var.thresholds.period_seconds

  # Custom metrics by name: indexing with a name the code does not emit is an error at plan time.
  metric = { for name in local.custom_metric_names : name => name }

  # A metric query: namespace, metric name, dimensions, statistic (and the period, the alarm's unless given).
  aws_metric = {
    dlq_visible            = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = var.ingest_dlq_name }, stat = "Maximum", period = 60 }
    purge_failures_visible = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = var.purge_failures_queue_name }, stat = "Maximum", period = 60 }
    jobs_dlq_visible       = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = var.jobs_dlq_name }, stat = "Maximum", period = 60 }
    purge_iterator_age     = { namespace = "AWS/Lambda", name = "IteratorAge", dimensions = { FunctionName = var.purge_function_name }, stat = "Maximum", period = local.period }
    queue_age              = { namespace = "AWS/SQS", name = "ApproximateAgeOfOldestMessage", dimensions = { QueueName = var.ingest_queue_name }, stat = "Maximum", period = local.period }
    intake_dlq_visible     = { namespace = "AWS/SQS", name = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = var.intake_dlq_name }, stat = "Maximum", period = 60 }
    intake_age             = { namespace = "AWS/SQS", name = "ApproximateAgeOfOldestMessage", dimensions = { QueueName = var.intake_queue_name }, stat = "Maximum", period = local.period }
  }

  custom_query = {
    for name in local.custom_metric_names : name => {
      namespace  = var.metric_namespace
      name       = name
      dimensions = var.metric_dimensions
      stat       = "Sum"
      period     = local.period
    }
  }

  lambda_query = {
    for role, function_name in local.functions : role => {
      for metric in ["Errors", "Invocations", "Throttles"] : metric => {
        namespace  = "AWS/Lambda"
        name       = metric
        dimensions = { FunctionName = function_name }
        stat       = "Sum"
        period     = local.period
      }
    }
  }

  worker_timeout_ms          = var.worker_timeout_seconds * 1000
  worker_duration_alarm_ms   = floor(local.worker_timeout_ms * var.thresholds.worker_duration_percent_of_timeout / 100)
  api_metric_dimensions      = { ApiId = var.http_api_id, Stage = var.http_api_stage }
  table_dimensions           = { TableName = var.table_name }
  oldest_pending_age_minutes = floor(var.thresholds.oldest_pending_age_seconds / 60)

  alarms = merge(
    {
      "dlq-not-empty" = {
        runbook     = "dlq-not-empty"
        description = "Messages are parked in ${var.ingest_dlq_name}: uploads failed ${var.max_receive_count} times and are not being processed."
        comparison  = "GreaterThanThreshold"
        threshold   = 0
        evaluation  = 1
        expression  = "visible"
        metrics     = { visible = local.aws_metric.dlq_visible }
      }
      "ingest-oldest-message" = {
        runbook     = "ingest-oldest-message"
        description = "The oldest upload in ${var.ingest_queue_name} has waited more than ${var.thresholds.queue_oldest_message_age_seconds} s: the worker is stuck, throttled or failing."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.queue_oldest_message_age_seconds
        evaluation  = var.thresholds.evaluation_periods
        expression  = "age"
        metrics     = { age = local.aws_metric.queue_age }
      }
      "worker-error-rate" = {
        runbook     = "worker-error-rate"
        description = "More than ${var.thresholds.worker_error_rate_percent}% of ${var.worker_function_name} invocations failed (at least ${var.thresholds.worker_min_invocations} invocations)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.worker_error_rate_percent
        evaluation  = var.thresholds.evaluation_periods
        expression  = "IF(invocations >= ${var.thresholds.worker_min_invocations}, 100 * FILL(errors, 0) / invocations, 0)"
        metrics     = { errors = local.lambda_query.worker.Errors, invocations = local.lambda_query.worker.Invocations }
      }
      "worker-duration-near-timeout" = {
        runbook     = "worker-duration-near-timeout"
        description = "p99 duration of ${var.worker_function_name} reached ${var.thresholds.worker_duration_percent_of_timeout}% of its ${var.worker_timeout_seconds} s timeout (${local.worker_duration_alarm_ms} ms): photos are close to being cut off and retried."
        comparison  = "GreaterThanOrEqualToThreshold"
        threshold   = local.worker_duration_alarm_ms
        evaluation  = var.thresholds.evaluation_periods
        expression  = "duration"
        metrics = {
          duration = { namespace = "AWS/Lambda", name = "Duration", dimensions = { FunctionName = var.worker_function_name }, stat = "p99", period = local.period }
        }
      }
      "photos-failed" = {
        runbook     = "photos-failed"
        description = "More than ${var.thresholds.photos_failed} photos ended FAILED in ${local.period} s: the worker gave up on them on their last receive before the DLQ."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.photos_failed
        evaluation  = 1
        expression  = "failed"
        metrics     = { failed = local.custom_query[local.metric["PhotosFailed"]] }
      }
      "oldest-pending-upload" = {
        runbook     = "oldest-pending-upload"
        description = "An upload whose file is in S3 has been PENDING for more than ${local.oldest_pending_age_minutes} min: its event never got through to the worker."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.oldest_pending_age_seconds
        evaluation  = var.thresholds.evaluation_periods
        expression  = "pending_age"
        metrics     = { pending_age = merge(local.custom_query[local.metric["OldestPendingAge"]], { stat = "Maximum" }) }
      }
      "api-5xx-rate" = {
        runbook     = "api-5xx-rate"
        description = "More than ${var.thresholds.api_5xx_rate_percent}% of HTTP API requests answered 5xx (at least ${var.thresholds.api_min_requests} requests)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.api_5xx_rate_percent
        evaluation  = var.thresholds.evaluation_periods
        expression  = "IF(requests >= ${var.thresholds.api_min_requests}, 100 * FILL(errors, 0) / requests, 0)"
        metrics = {
          errors   = { namespace = "AWS/ApiGateway", name = "5xx", dimensions = local.api_metric_dimensions, stat = "Sum", period = local.period }
          requests = { namespace = "AWS/ApiGateway", name = "Count", dimensions = local.api_metric_dimensions, stat = "Sum", period = local.period }
        }
      }
      "dynamodb-throttles" = {
        runbook     = "dynamodb-throttles"
        description = "DynamoDB throttled more than ${var.thresholds.dynamodb_throttles} reads/writes on ${var.table_name} in ${local.period} s."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.dynamodb_throttles
        evaluation  = var.thresholds.evaluation_periods
        expression  = "FILL(reads, 0) + FILL(writes, 0)"
        metrics = {
          reads  = { namespace = "AWS/DynamoDB", name = "ReadThrottleEvents", dimensions = local.table_dimensions, stat = "Sum", period = local.period }
          writes = { namespace = "AWS/DynamoDB", name = "WriteThrottleEvents", dimensions = local.table_dimensions, stat = "Sum", period = local.period }
        }
      }
      "analysis-throttled" = {
        runbook     = "analysis-throttled"
        description = "Rekognition/Bedrock throttled the worker more than ${var.thresholds.analysis_throttled} times in ${local.period} s (service quota or event-source maximum_concurrency too high)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.analysis_throttled
        evaluation  = var.thresholds.evaluation_periods
        expression  = "throttled"
        metrics     = { throttled = local.custom_query[local.metric["AnalysisThrottled"]] }
      }
      "caption-fallback-rate" = {
        runbook     = "caption-fallback-rate"
        description = "More than ${var.thresholds.caption_fallback_rate_percent}% of captions were the fallback instead of Bedrock's (at least ${var.thresholds.caption_min_photos} captions)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.caption_fallback_rate_percent
        evaluation  = var.thresholds.evaluation_periods
        expression  = "IF(captions >= ${var.thresholds.caption_min_photos}, 100 * FILL(fallback, 0) / captions, 0)"
        # The worker emits CaptionFallback once per caption attempt (1 = fallback, 0 = Bedrock), so its sample
        # count is the number of captions.
        metrics = {
          fallback = local.custom_query[local.metric["CaptionFallback"]]
          captions = merge(local.custom_query[local.metric["CaptionFallback"]], { stat = "SampleCount" })
        }
      }
    },
    {
      "intake-dlq-not-empty" = {
        runbook     = "intake-dlq-not-empty"
        description = "S3 notifications are parked in ${var.intake_dlq_name}: the forwarder could not pass them to ${var.ingest_queue_name} ${var.max_receive_count} times; their uploads stay PENDING until they are redriven."
        comparison  = "GreaterThanThreshold"
        threshold   = 0
        evaluation  = 1
        expression  = "parked"
        metrics     = { parked = local.aws_metric.intake_dlq_visible }
      }
      "intake-oldest-message" = {
        runbook     = "intake-oldest-message"
        description = "The oldest S3 notification in ${var.intake_queue_name} has waited more than ${var.thresholds.queue_oldest_message_age_seconds} s: the forwarder is stuck, throttled or failing."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.queue_oldest_message_age_seconds
        evaluation  = var.thresholds.evaluation_periods
        expression  = "age"
        metrics     = { age = local.aws_metric.intake_age }
      }
      "forwarder-errors" = {
        runbook     = "forwarder-errors"
        description = "${var.forwarder_function_name} crashed or timed out more than ${var.thresholds.forwarder_errors} times in ${local.period} s (records SQS refused are retried, not counted here)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.forwarder_errors
        evaluation  = var.thresholds.evaluation_periods
        expression  = "FILL(errors, 0)"
        metrics     = { errors = local.lambda_query.forwarder.Errors }
      }
    },
    {
      "purge-failures-not-empty" = {
        runbook     = "purge-failures-not-empty"
        description = "Stream batches the purge could not process are parked in ${var.purge_failures_queue_name}: removed photos may still have objects, shares or index items."
        comparison  = "GreaterThanThreshold"
        threshold   = 0
        evaluation  = 1
        expression  = "parked"
        metrics     = { parked = local.aws_metric.purge_failures_visible }
      }
      "purge-iterator-age" = {
        runbook     = "purge-iterator-age"
        description = "The purge is more than ${var.thresholds.purge_iterator_age_seconds} s behind the table's stream (records are kept 24 h): it is failing, throttled or stuck on a record."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.purge_iterator_age_seconds * 1000
        evaluation  = var.thresholds.evaluation_periods
        expression  = "age"
        metrics     = { age = local.aws_metric.purge_iterator_age }
      }
      "purge-errors" = {
        runbook     = "purge-errors"
        description = "${var.purge_function_name} crashed or timed out more than ${var.thresholds.purge_errors} times in ${local.period} s (failed records alone are retried, not counted here)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.purge_errors
        evaluation  = var.thresholds.evaluation_periods
        expression  = "FILL(errors, 0)"
        metrics     = { errors = local.lambda_query.purge.Errors }
      }
      "jobs-dlq-not-empty" = {
        runbook     = "jobs-dlq-not-empty"
        description = "Job steps are parked in ${var.jobs_dlq_name}: they crashed or timed out on every delivery; their jobs are still RUNNING until redriven."
        comparison  = "GreaterThanThreshold"
        threshold   = 0
        evaluation  = 1
        expression  = "parked"
        metrics     = { parked = local.aws_metric.jobs_dlq_visible }
      }
      "jobs-given-up" = {
        runbook     = "jobs-given-up"
        description = "A job step raised on its last delivery and its job ended FAILED: an account deletion among them leaves a sealed, half-erased account until scripts.resume_job takes it up."
        comparison  = "GreaterThanThreshold"
        threshold   = 0
        evaluation  = 1
        expression  = "given_up"
        metrics     = { given_up = local.custom_query[local.metric["JobsGivenUp"]] }
      }
      "jobs-errors" = {
        runbook     = "jobs-errors"
        description = "${var.jobs_function_name} crashed or timed out more than ${var.thresholds.jobs_errors} times in ${local.period} s (a step that overruns its time budget)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.jobs_errors
        evaluation  = var.thresholds.evaluation_periods
        expression  = "FILL(errors, 0)"
        metrics     = { errors = local.lambda_query.jobs.Errors }
      }
    },
    {
      for role, function_name in local.functions : "${role}-throttles" => {
        runbook     = "lambda-throttles"
        description = "Lambda throttled ${function_name} more than ${var.thresholds.lambda_throttles} times in ${local.period} s (reserved or account concurrency exhausted)."
        comparison  = "GreaterThanThreshold"
        threshold   = var.thresholds.lambda_throttles
        evaluation  = var.thresholds.evaluation_periods
        expression  = "throttles"
        metrics     = { throttles = local.lambda_query[role].Throttles }
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = "[${var.environment}] ${each.value.description} Runbook: docs/operations.md#alarm-${each.value.runbook}"
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  evaluation_periods  = each.value.evaluation
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags

  metric_query {
    id          = "alarm"
    label       = each.key
    expression  = each.value.expression
    return_data = true
  }

  dynamic "metric_query" {
    for_each = each.value.metrics

    content {
      id = metric_query.key

      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.name
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = metric_query.value.period
      }
    }
  }
}
