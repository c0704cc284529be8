# Alarms. Each one pages through the alarm topic, clears through it too, and names its runbook section
# in docs/operations.md ("#alarm-<suffix>").

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
  period        = var.thresholds.period_seconds
  runbook       = "Runbook: docs/operations.md#alarm"
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name_prefix}-dlq-not-empty"
  alarm_description   = "[${var.environment}] Messages are parked in ${var.ingest_dlq_name}: uploads failed 5 times and are not being processed. ${local.runbook}-dlq-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.ingest_dlq_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "ingest_oldest_message" {
  alarm_name          = "${var.name_prefix}-ingest-oldest-message"
  alarm_description   = "[${var.environment}] The oldest upload in ${var.ingest_queue_name} has waited more than ${var.thresholds.queue_oldest_message_age_seconds} s: the worker is stuck, throttled or failing. ${local.runbook}-ingest-oldest-message"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = var.ingest_queue_name }
  statistic           = "Maximum"
  period              = local.period
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.queue_oldest_message_age_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "worker_error_rate" {
  alarm_name          = "${var.name_prefix}-worker-error-rate"
  alarm_description   = "[${var.environment}] More than ${var.thresholds.worker_error_rate_percent}% of ${var.worker_function_name} invocations failed (at least ${var.thresholds.worker_min_invocations} invocations). ${local.runbook}-worker-error-rate"
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.worker_error_rate_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "worker error rate (%)"
    expression  = "IF(invocations >= ${var.thresholds.worker_min_invocations}, 100 * FILL(errors, 0) / invocations, 0)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = var.worker_function_name }
      stat        = "Sum"
      period      = local.period
    }
  }

  metric_query {
    id = "invocations"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = var.worker_function_name }
      stat        = "Sum"
      period      = local.period
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = "${var.name_prefix}-api-5xx-rate"
  alarm_description   = "[${var.environment}] More than ${var.thresholds.api_5xx_rate_percent}% of HTTP API requests answered 5xx (at least ${var.thresholds.api_min_requests} requests). ${local.runbook}-api-5xx-rate"
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_5xx_rate_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "API 5xx rate (%)"
    expression  = "IF(requests >= ${var.thresholds.api_min_requests}, 100 * FILL(errors, 0) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      dimensions  = { ApiId = var.http_api_id, Stage = var.http_api_stage }
      stat        = "Sum"
      period      = local.period
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = { ApiId = var.http_api_id, Stage = var.http_api_stage }
      stat        = "Sum"
      period      = local.period
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.functions

  alarm_name          = "${var.name_prefix}-${each.key}-throttles"
  alarm_description   = "[${var.environment}] Lambda throttled ${each.value} more than ${var.thresholds.lambda_throttles} times in ${local.period} s (reserved or account concurrency exhausted). ${local.runbook}-lambda-throttles"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = local.period
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.lambda_throttles
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  alarm_name          = "${var.name_prefix}-dynamodb-throttles"
  alarm_description   = "[${var.environment}] DynamoDB throttled more than ${var.thresholds.dynamodb_throttles} reads/writes on ${var.table_name} in ${local.period} s. ${local.runbook}-dynamodb-throttles"
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.dynamodb_throttles
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "throttles"
    label       = "DynamoDB throttle events"
    expression  = "FILL(reads, 0) + FILL(writes, 0)"
    return_data = true
  }

  metric_query {
    id = "reads"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = local.period
    }
  }

  metric_query {
    id = "writes"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = var.table_name }
      stat        = "Sum"
      period      = local.period
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "analysis_throttled" {
  alarm_name          = "${var.name_prefix}-analysis-throttled"
  alarm_description   = "[${var.environment}] Rekognition/Bedrock throttled the worker more than ${var.thresholds.analysis_throttled} times in ${local.period} s (service quota or event-source maximum_concurrency too high). ${local.runbook}-analysis-throttled"
  namespace           = var.metric_namespace
  metric_name         = "AnalysisThrottled"
  dimensions          = var.metric_dimensions
  statistic           = "Sum"
  period              = local.period
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.analysis_throttled
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "caption_fallback_rate" {
  alarm_name          = "${var.name_prefix}-caption-fallback-rate"
  alarm_description   = "[${var.environment}] More than ${var.thresholds.caption_fallback_rate_percent}% of captions were the fallback instead of Bedrock's (at least ${var.thresholds.caption_min_photos} captions). ${local.runbook}-caption-fallback-rate"
  evaluation_periods  = var.thresholds.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.caption_fallback_rate_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "caption fallback rate (%)"
    expression  = "IF(captions >= ${var.thresholds.caption_min_photos}, 100 * FILL(fallback, 0) / captions, 0)"
    return_data = true
  }

  metric_query {
    id = "fallback"

    metric {
      namespace   = var.metric_namespace
      metric_name = "CaptionFallback"
      dimensions  = var.metric_dimensions
      stat        = "Sum"
      period      = local.period
    }
  }

  # The worker emits CaptionFallback once per caption attempt (1 = fallback, 0 = Bedrock), so its sample count
  # is the number of captions.
  metric_query {
    id = "captions"

    metric {
      namespace   = var.metric_namespace
      metric_name = "CaptionFallback"
      dimensions  = var.metric_dimensions
      stat        = "SampleCount"
      period      = local.period
    }
  }
}
