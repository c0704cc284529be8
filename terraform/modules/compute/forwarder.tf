# Fair queueing: S3 notifies the intake queue, and the forwarder function moves each notification to the ingest queue
# with MessageGroupId = the owner (S3 cannot set one). A standard queue whose messages carry a group is an SQS fair
# queue: when one person's uploads pile up, SQS delivers the others' first, so their wait stays short. Notifications
# the forwarder cannot send come back (partial batch failures) and, after max_receive_count receives, wait in the
# intake DLQ for `make redrive`.

locals {
  # As for the ingest queue: a message must stay invisible while a forwarder invocation may still run on it.
  intake_visibility_timeout = var.functions["forwarder"].timeout * var.ingest.visibility_timeout_multiplier
}

resource "aws_sqs_queue" "intake_dlq" {
  name                      = "${var.name_prefix}-${var.ingest.intake_dlq_role}"
  message_retention_seconds = var.ingest.dlq_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "intake" {
  name                       = "${var.name_prefix}-${var.ingest.intake_queue_role}"
  visibility_timeout_seconds = local.intake_visibility_timeout
  message_retention_seconds  = var.ingest.message_retention_seconds
  kms_master_key_id          = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.intake_dlq.arn
    maxReceiveCount     = var.ingest.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "intake_dlq" {
  queue_url = aws_sqs_queue.intake_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.intake.arn]
  })
}

data "aws_iam_policy_document" "intake_queue" {
  statement {
    sid       = "OriginalsBucketNotifications"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.intake.arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [var.bucket_arns["originals"]]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "intake" {
  queue_url = aws_sqs_queue.intake.id
  policy    = data.aws_iam_policy_document.intake_queue.json
}

resource "aws_s3_bucket_notification" "originals" {
  bucket = var.bucket_names["originals"]

  queue {
    queue_arn     = aws_sqs_queue.intake.arn
    events        = var.ingest.s3_events
    filter_prefix = var.ingest.upload_prefix
  }

  depends_on = [aws_sqs_queue_policy.intake]
}

resource "aws_lambda_event_source_mapping" "forwarder" {
  event_source_arn        = aws_sqs_queue.intake.arn
  function_name           = aws_lambda_function.this["forwarder"].arn
  batch_size              = var.ingest.batch_size
  function_response_types = ["ReportBatchItemFailures"]
  tags                    = var.tags

  # Never more pollers than the function may run: a throttled invocation would spend the messages' receive count.
  scaling_config {
    maximum_concurrency = var.reserved_concurrency["forwarder"]
  }

  # Lambda checks the role can read the queue when the mapping is created.
  depends_on = [aws_iam_role_policy.this]
}

data "aws_iam_policy_document" "forwarder" {
  source_policy_documents = [data.aws_iam_policy_document.runtime["forwarder"].json, data.aws_iam_policy_document.key_through_services.json]

  statement {
    sid       = "ReadIntakeQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.intake.arn]
  }

  statement {
    # SendMessageBatch is authorised as sqs:SendMessage.
    sid       = "SendToIngestQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.ingest.arn]
  }
}
