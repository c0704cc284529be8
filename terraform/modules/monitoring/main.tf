# Monitoring for one environment: the alarm topic (KMS-encrypted, optional e-mail), a dashboard
# (dashboards.tf), alarms (alarms.tf) and saved Logs Insights queries.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # Powertools Metrics publishes every custom metric under exactly this dimension set ([["service"]]);
  # a query that names fewer or more dimensions reads a different (empty) metric.
  custom_dimensions = flatten([for key in sort(keys(var.metric_dimensions)) : [key, var.metric_dimensions[key]]])

  functions = {
    api       = var.api_function_name
    worker    = var.worker_function_name
    forwarder = var.forwarder_function_name
    purge     = var.purge_function_name
    jobs      = var.jobs_function_name
  }

  alarm_topic_name = "${var.name_prefix}-alarms"
}

# ------------------------------------------------------------------ alarm topic

# Encrypted with the environment's key (storage module): its policy lets CloudWatch alarms use it, which the
# AWS-managed aws/sns key does not allow.
resource "aws_sns_topic" "alarms" {
  name              = local.alarm_topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "AccountManages"
    actions   = ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# ------------------------------------------------------------------ Logs Insights queries for the runbook

resource "aws_cloudwatch_query_definition" "photo_trail" {
  name            = "${var.name_prefix}/photo-trail"
  log_group_names = [for name in values(local.functions) : "/aws/lambda/${name}"]
  query_string    = <<-EOT
    fields @timestamp, @log, level, message, photo_id, status, reason_code, correlation_id
    | filter photo_id = "REPLACE_WITH_PHOTO_ID"
    | sort @timestamp asc
    | limit 200
  EOT
}

resource "aws_cloudwatch_query_definition" "worker_errors" {
  name            = "${var.name_prefix}/worker-errors"
  log_group_names = ["/aws/lambda/${var.worker_function_name}"]
  query_string    = <<-EOT
    fields @timestamp, level, message, photo_id, exception_name, exception, xray_trace_id
    | filter level = "ERROR" or level = "CRITICAL" or @message like /Task timed out/
    | sort @timestamp desc
    | limit 100
  EOT
}

resource "aws_cloudwatch_query_definition" "api_errors" {
  name            = "${var.name_prefix}/api-errors"
  log_group_names = ["/aws/lambda/${var.api_function_name}"]
  query_string    = <<-EOT
    fields @timestamp, level, message, correlation_id, exception_name, exception
    | filter level = "ERROR" or level = "CRITICAL" or @message like /Task timed out/
    | sort @timestamp desc
    | limit 100
  EOT
}
