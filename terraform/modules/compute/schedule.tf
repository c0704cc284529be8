# The pending check: every few minutes EventBridge Scheduler puts one message on the ingest queue, and the worker
# that receives it looks for uploads whose file is in S3 while their photo is still PENDING (an S3 → SQS → worker
# path that lost their event) and publishes the oldest one's age (OldestPendingAge, alarmed by the monitoring module).
# A schedule rather than the API: it runs whether or not anyone is looking, and the status index it reads (gsi1) is
# the operators', never a user path. No new function: the worker already reads the table and the originals.

resource "aws_scheduler_schedule" "pending_check" {
  name                = "${var.name_prefix}-pending-check"
  description         = "Ask the worker to look for uploads stuck PENDING (their file in S3, their event lost)."
  schedule_expression = "rate(${var.ingest.pending_check_minutes} minutes)"
  kms_key_arn         = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sqs_queue.ingest.arn
    role_arn = aws_iam_role.scheduler.arn
    # Exactly photovault.pipeline.events.PENDING_CHECK (a test compares them).
    input = jsonencode({ PhotoVault = "pending-check" })

    retry_policy {
      maximum_event_age_in_seconds = var.ingest.pending_check_minutes * 60 # a missed check is replaced by the next
      maximum_retry_attempts       = 3
    }
  }
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name_prefix}-pending-check"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "SendPendingCheck"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.ingest.arn]
  }

  statement {
    # The ingest queue is encrypted with the environment's key: sending needs a data key.
    sid       = "UseQueueKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.name_prefix}-pending-check"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
