# The purge function: every REMOVE of a photo item on the table's stream (a person deleting for good or emptying the
# trash, or DynamoDB's TTL 30 days after trashing) reaches it through a filtered event source mapping; it deletes
# every object version and item the photo left behind. Batches that keep failing land in the failure queue.

resource "aws_sqs_queue" "purge_failures" {
  name                      = "${var.name_prefix}-${var.purge.failure_queue_role}"
  message_retention_seconds = var.purge.failure_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_lambda_event_source_mapping" "purge" {
  event_source_arn                   = var.table_stream_arn
  function_name                      = aws_lambda_function.this["purge"].arn
  starting_position                  = var.purge.starting_position
  batch_size                         = var.purge.batch_size
  maximum_batching_window_in_seconds = var.purge.maximum_batching_window_seconds
  maximum_retry_attempts             = var.purge.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.purge.maximum_record_age_seconds
  bisect_batch_on_function_error     = var.purge.bisect_batch_on_function_error
  parallelization_factor             = var.purge.parallelization_factor
  function_response_types            = ["ReportBatchItemFailures"]
  tags                               = var.tags

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.purge_failures.arn
    }
  }

  # Without a filter every write of the table would invoke the function; with it, only photo REMOVEs do (the same
  # patterns, from resources.json, filter the local stack's stream poller).
  filter_criteria {
    dynamic "filter" {
      for_each = var.purge.filter_patterns

      content {
        pattern = filter.value
      }
    }
  }

  # Lambda checks the role can read the stream and send to the destination when the mapping is created.
  depends_on = [aws_iam_role_policy.this]
}

data "aws_iam_policy_document" "purge" {
  source_policy_documents = [data.aws_iam_policy_document.runtime["purge"].json, data.aws_iam_policy_document.key_through_services.json]

  statement {
    sid       = "ReadTableStream"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    resources = [var.table_stream_arn]
  }

  statement {
    sid       = "ListTableStreams"
    actions   = ["dynamodb:ListStreams"]
    resources = ["${var.table_arn}/stream/*"]
  }

  statement {
    # Term items and the content-hash record by key (a conditional DeleteItem); shares by BatchWriteItem deletes.
    sid       = "DeleteLeftovers"
    actions   = ["dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
    resources = [var.table_arn]
  }

  statement {
    # A purged photo's stored bytes go back to its owner's quota, once (library/quota.py: a transaction that updates
    # the quota item and puts a per-photo marker in the same partition) — and no other partition may be written.
    sid       = "GiveStoredBytesBack"
    actions   = ["dynamodb:UpdateItem", "dynamodb:PutItem"]
    resources = [var.table_arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["USER#*#QUOTA"]
    }
  }

  statement {
    # A photo's shares are found among its owner's (gsi2: shares by owner); no other index, no Scan.
    sid       = "FindShares"
    actions   = ["dynamodb:Query"]
    resources = ["${var.table_arn}/index/gsi2"]
  }

  statement {
    sid     = "DeletePhotoObjects"
    actions = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = [
      "${var.bucket_arns["originals"]}/${var.ingest.upload_prefix}*",
      "${var.bucket_arns["derivatives"]}/media/*",
    ]
  }

  statement {
    sid       = "ListPhotoVersions"
    actions   = ["s3:ListBucketVersions", "s3:ListBucket"]
    resources = [var.bucket_arns["originals"], var.bucket_arns["derivatives"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.ingest.upload_prefix}*", "media/*"]
    }
  }

  statement {
    # The photo's faces, found by key range in its owner's face partition (USER#<sub>#FACE / FACE#<photo_id>#…) and
    # deleted with DeleteLeftovers' BatchWriteItem; persons' counts were moved by the trash, as label facets are.
    sid       = "FindFaces"
    actions   = ["dynamodb:Query"]
    resources = [var.table_arn]
  }

  statement {
    # ... and out of the owner's face collection (DeleteFaces of a missing face or collection is fine).
    sid       = "ForgetFaceVectors"
    actions   = ["rekognition:DeleteFaces"]
    resources = [local.face_collections_arn]
  }

  statement {
    # The photo's vector (search by meaning), by its key; DeleteVectors of a missing key is a success.
    sid       = "DeletePhotoVector"
    actions   = ["s3vectors:DeleteVectors"]
    resources = [var.embedding.vector_index_arn]
  }

  statement {
    # The mapping's on-failure destination is written with the function's role.
    sid       = "ParkFailedBatches"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.purge_failures.arn]
  }
}
