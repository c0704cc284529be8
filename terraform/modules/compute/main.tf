data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  bedrock_model_arn   = "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.bedrock_model_id}"
  embedding_model_arn = "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.embedding.model_id}"

  # People: one Rekognition face collection per user, "<prefix>-<cognito sub>", created by the code on first use. The
  # roles may touch only collections under this environment's prefix (a collection per owner keeps users apart; this
  # keeps environments apart).
  face_collection_prefix = "${var.name_prefix}-faces"
  face_collections_arn   = "arn:${local.partition}:rekognition:${local.region}:${local.account_id}:collection/${local.face_collection_prefix}-*"

  # Lambda must not hand a message to a second worker while the first still works on it: AWS recommends a
  # visibility timeout of at least 6x the function timeout for SQS event sources.
  ingest_visibility_timeout = var.functions["worker"].timeout * var.ingest.visibility_timeout_multiplier

  # Exactly the names lambda_src/photovault/settings.py reads.
  environment_variables = {
    ENVIRONMENT                  = var.environment
    TABLE_NAME                   = var.table_name
    ORIGINALS_BUCKET             = var.bucket_names["originals"]
    DERIVATIVES_BUCKET           = var.bucket_names["derivatives"]
    EVENTS_TOPIC_ARN             = aws_sns_topic.events.arn
    BEDROCK_MODEL_ID             = var.bedrock_model_id
    EMBEDDING_MODEL_ID           = var.embedding.model_id
    EMBEDDING_DIMENSION          = tostring(var.embedding.dimension)
    VECTOR_BUCKET                = var.embedding.vector_bucket
    VECTOR_INDEX                 = var.embedding.vector_index
    PLACE_INDEX                  = aws_location_place_index.this.index_name
    FACE_COLLECTION_PREFIX       = local.face_collection_prefix
    MODERATION_THRESHOLD         = tostring(var.moderation_threshold)
    MIN_LABEL_CONFIDENCE         = tostring(var.min_label_confidence)
    MAX_UPLOAD_BYTES             = tostring(var.max_upload_bytes)
    QUOTA_UPLOADS_PER_HOUR       = tostring(var.upload_quota.uploads_per_hour)
    QUOTA_PENDING_UPLOADS        = tostring(var.upload_quota.pending_uploads)
    QUOTA_BYTES                  = tostring(var.upload_quota.bytes)
    MEDIA_BASE_URL               = var.media_base_url
    CLOUDFRONT_KEY_PAIR_ID       = var.cloudfront_key_pair_id
    SIGNING_KEY_PARAMETER        = var.signing_key_parameter_name
    JOBS_QUEUE_URL               = aws_sqs_queue.jobs.id
    JOBS_MAX_RECEIVE_COUNT       = tostring(var.jobs.max_receive_count)
    EXPORTS_RETENTION_DAYS       = tostring(var.exports.expiration_days)
    ORIGIN_VERIFY_PARAMETER      = var.origin_verify_parameter.name
    USER_POOL_ID                 = var.user_pool.id
    POWERTOOLS_SERVICE_NAME      = "photovault"
    POWERTOOLS_METRICS_NAMESPACE = "PhotoVault"
    POWERTOOLS_LOG_LEVEL         = "INFO"
    # photovault.observability: the X-Ray SDK's per-AWS-call subsegments, off unless an investigation needs them
    # (Lambda's active tracing records every invocation without it).
    XRAY_SDK_TRACING = tostring(var.xray_sdk_tracing)

    # The worker marks a photo FAILED on the last delivery before the DLQ; the API keeps an unused upload claimable
    # for the queue's whole retry span (receives x visibility timeout) before it expires.
    INGEST_MAX_RECEIVE_COUNT          = tostring(var.ingest.max_receive_count)
    INGEST_VISIBILITY_TIMEOUT_SECONDS = tostring(local.ingest_visibility_timeout)
    INGEST_QUEUE_URL                  = aws_sqs_queue.ingest.id
  }
}

# ---------------------------------------------------------------- functions

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${var.name_prefix}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Every function is invoked synchronously (API Gateway, or an SQS or DynamoDB-stream event source mapping); an async-invocation DLQ would never receive anything. Failed SQS records go to their queue's redrive DLQ, failed stream batches to the purge mapping's on-failure queue.
  #checkov:skip=CKV_AWS_272:Code signing needs AWS Signer jobs on S3-hosted artifacts; the zips are built reproducibly by `make build` in CI and pinned with source_code_hash, so an unexpected artifact changes the plan.
  for_each = var.functions

  function_name = "${var.name_prefix}-${each.key}"
  description   = "PhotoVault ${each.key}"
  role          = aws_iam_role.this[each.key].arn
  runtime       = "python3.13"
  architectures = [var.architecture]
  handler       = each.value.handler
  memory_size   = each.value.memory_size
  timeout       = each.value.timeout
  filename      = each.value.zip_path
  # try(): `terraform validate` and mocked plans run on a tree with no built zips (a function added to resources.json
  # has none until `make build`); `make plan` and the apply workflow always build first, and apply uploads `filename`.
  source_code_hash               = try(filebase64sha256(each.value.zip_path), null)
  reserved_concurrent_executions = var.reserved_concurrency[each.key]
  kms_key_arn                    = var.kms_key_arn
  tags                           = var.tags

  environment {
    variables = local.environment_variables
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  depends_on = [aws_iam_role_policy.this, aws_iam_role_policy_attachment.vpc_access]
}

# ---------------------------------------------------------------- ingest queue
# The worker's queue, filled by the forwarder (forwarder.tf) with each upload in its owner's message group (an SQS
# fair queue) and by the pending-check schedule.

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}-${var.ingest.dlq_role}"
  message_retention_seconds = var.ingest.dlq_message_retention_seconds
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "ingest" {
  name                       = "${var.name_prefix}-${var.ingest.queue_role}"
  visibility_timeout_seconds = local.ingest_visibility_timeout
  message_retention_seconds  = var.ingest.message_retention_seconds
  kms_master_key_id          = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.ingest.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.ingest.arn]
  })
}

resource "aws_lambda_event_source_mapping" "worker" {
  event_source_arn                   = aws_sqs_queue.ingest.arn
  function_name                      = aws_lambda_function.this["worker"].arn
  batch_size                         = var.ingest.batch_size
  maximum_batching_window_in_seconds = var.ingest.maximum_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  tags                               = var.tags

  scaling_config {
    maximum_concurrency = var.worker_maximum_concurrency
  }
}

# ---------------------------------------------------------------- events topic

resource "aws_sns_topic" "events" {
  name              = "${var.name_prefix}-${var.events_topic_role}"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}
