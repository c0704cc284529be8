# Asynchronous jobs: the API queues a job's first step on the jobs queue, the jobs function runs one bounded step per
# message and queues the next, writing what it produces under exports/ of the originals bucket. Messages that fail
# max_receive_count times go to the jobs DLQ (the function marks the job FAILED on that last delivery).

locals {
  # As for the ingest queue: a message must stay invisible while a step may still be running on it.
  jobs_visibility_timeout = var.functions["jobs"].timeout * var.jobs.visibility_timeout_multiplier
}

resource "aws_sqs_queue" "jobs_dlq" {
  name                      = "${var.name_prefix}-${var.jobs.dlq_role}"
  message_retention_seconds = var.jobs.dlq_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name_prefix}-${var.jobs.queue_role}"
  visibility_timeout_seconds = local.jobs_visibility_timeout
  message_retention_seconds  = var.jobs.message_retention_seconds
  kms_master_key_id          = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn
    maxReceiveCount     = var.jobs.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "jobs_dlq" {
  queue_url = aws_sqs_queue.jobs_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.jobs.arn]
  })
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn        = aws_sqs_queue.jobs.arn
  function_name           = aws_lambda_function.this["jobs"].arn
  batch_size              = var.jobs.batch_size
  function_response_types = ["ReportBatchItemFailures"]
  tags                    = var.tags
}

data "aws_iam_policy_document" "jobs" {
  source_policy_documents = [data.aws_iam_policy_document.runtime["jobs"].json, data.aws_iam_policy_document.key_through_services.json]

  statement {
    # Its own event source, and the next step of a job (SendMessage).
    sid       = "JobsQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility", "sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    # E-mail digests (photovault.notifications.digest): publish an owner's digest; remove an owner's subscription
    # when the account goes (EmailNotifications.remove). That topic only.
    sid       = "Digests"
    actions   = ["sns:Publish", "sns:Unsubscribe"]
    resources = [aws_sns_topic.events.arn, "${aws_sns_topic.events.arn}:*"]
  }

  statement {
    # Account deletion drops the owner's face collection whole (RekognitionFaceIndex.forget_owner); this
    # environment's collections only, and nothing else of Rekognition.
    sid       = "FaceCollections"
    actions   = ["rekognition:DeleteCollection"]
    resources = [local.face_collections_arn]
  }

  statement {
    # Job items (claim, checkpoint) and the photo items of a selection (BatchGetItem): point reads and updates only.
    sid       = "Table"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]
    resources = [var.table_arn]
  }

  statement {
    # IAM cannot tell owners apart inside the prefix: the code builds every key from the job's owner.
    sid       = "ReadOriginals"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*"]
  }

  statement {
    sid       = "WriteExports"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arns["originals"]}/${var.exports.prefix}*"]
  }

  statement {
    # Without ListBucket a missing key is a 403, not a 404: a deleted original would look like an outage.
    sid       = "ListOwnPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arns["originals"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.ingest.upload_prefix}*", "${var.exports.prefix}*"]
    }
  }

  statement {
    # A step aborts the unfinished upload of a step that died. This action takes no prefix condition; the bucket's
    # only multipart uploads are the jobs' own (browsers upload with a single POST).
    sid       = "FindUnfinishedExports"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arns["originals"]]
  }

  # Export and account deletion (lambda_src/photovault/account/erasure.py). IAM cannot tell owners apart inside the
  # table or a prefix: the code builds every key from the job's owner.
  statement {
    # The owner's partitions by key (an export's catalogue, a deletion's batches), never a Scan; a deletion seals the
    # account (a tombstone PutItem) and deletes the owner's items (BatchWriteItem, DeleteItem, its own job last).
    sid       = "ListAndEraseOwnItems"
    actions   = ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
    resources = [var.table_arn]
  }

  statement {
    # The owner's shares (gsi2: shares by owner); no other index.
    sid       = "FindOwnShares"
    actions   = ["dynamodb:Query"]
    resources = ["${var.table_arn}/index/gsi2"]
  }

  statement {
    # Every version and delete marker of the owner's originals, exports and derivatives.
    sid     = "EraseOwnObjects"
    actions = ["s3:DeleteObjectVersion"]
    resources = [
      "${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*",
      "${var.bucket_arns["originals"]}/${var.exports.prefix}*",
      "${var.bucket_arns["derivatives"]}/media/*",
    ]
  }

  statement {
    sid       = "ListOwnVersions"
    actions   = ["s3:ListBucketVersions"]
    resources = [var.bucket_arns["originals"], var.bucket_arns["derivatives"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.ingest.upload_prefix}*", "${var.exports.prefix}*", "media/*"]
    }
  }

  statement {
    # The owner's photos' vectors, by key (DeleteVectors of a missing key is a success).
    sid       = "EraseOwnVectors"
    actions   = ["s3vectors:DeleteVectors"]
    resources = [var.embedding.vector_index_arn]
  }

  statement {
    # The account's user, last of all: found by its sub (a federated user is not named by it), then deleted; this
    # pool only, and no other Cognito action.
    sid       = "DeleteTheUser"
    actions   = ["cognito-idp:ListUsers", "cognito-idp:AdminDeleteUser"]
    resources = [var.user_pool.arn]
  }
}

# What the api needs for jobs, beside its own policy (iam.tf): queue a job's first step, and sign the short links to
# a job's files (a presigned GET is only as good as the signer's permission; VersionId needs GetObjectVersion).
data "aws_iam_policy_document" "api_jobs" {
  statement {
    sid       = "QueueJobs"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    sid       = "LinkExports"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.bucket_arns["originals"]}/${var.exports.prefix}*"]
  }
}

resource "aws_iam_role_policy" "api_jobs" {
  name   = "${var.name_prefix}-api-jobs"
  role   = aws_iam_role.this["api"].id
  policy = data.aws_iam_policy_document.api_jobs.json
}
